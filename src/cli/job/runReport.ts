/**
 * The job report: what a person (or MX's integration engineer) needs after a run. Each customer's
 * state and reason, each classified error with its redacted request and response, and the input
 * rows that were skipped. It is streamed from the store page by page, so a job of a million
 * customers is reported in flat memory, and written beside the store under a temporary name first,
 * so a report on disk is always whole.
 */
import { endUserCountsOf } from '../ui/endUserCounts.js';
import { mkdir, open, rename, rm, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { ApiError } from '../../errors/index.js';
import type { InputProblem } from '../../input/index.js';
import { storedOutcome, type RefreshTally } from '../../durable/index.js';
import type { ItemState, JobKind, SnapshotStore } from '../../durable/index.js';
import { describeError, describeItem, NOT_FOUND_AT_MX } from '../ui/describe.js';
import { writableProblem } from './writablePath.js';

export const REPORT_FORMAT = 'mx-lifecycle-report/1';
const PAGE = 500;
/** Failures and bad rows past these are counted, not listed: the store keeps every item's outcome. */
const MAX_FAILURES = 10_000;
export const MAX_BAD_ROWS = 10_000;

export type RunResultKind = 'finished' | 'halted' | 'interrupted';

export interface ReportHeader {
  job: string;
  kind: JobKind;
  input: string;
  /** The store as it may be shown (no password). */
  store: string;
  baseUrl: string;
  version: string | null;
  startedAt: number;
  finishedAt: number;
  result: RunResultKind;
  halt: { message: string; error: ApiError } | null;
  counts: Record<ItemState, number>;
  badRows: { total: number; rows: readonly InputProblem[] };
  /** A refresh: its members by outcome. */
  members?: RefreshTally;
}

/** A customer the summary names, with its reason. */
export interface NamedItem {
  id: string;
  reason: string;
}

export interface ReportDigest {
  path: string;
  needsAction: NamedItem[];
  failed: NamedItem[];
  /** Offboarded customers MX had no user for (the first 10), and how many there were. */
  notFound: NamedItem[];
  notFoundCount: number;
}

function slimMember(member: unknown): Record<string, unknown> {
  const m = (typeof member === 'object' && member !== null ? member : {}) as Record<string, unknown>;
  const out: Record<string, unknown> = { id: m.externalId ?? null };
  for (const key of ['institutionCode', 'connect', 'guid', 'connectionStatus', 'outcome', 'reason', 'successfullyAggregatedAt', 'nextRefreshAt'] as const) {
    if (key in m) out[key] = m[key];
  }
  return out;
}

/**
 * Whether the report can be written at `path` (its folder made, owner-only, when missing): `null`,
 * or one line that says why not. Checked before the first request, so an unwritable path is found
 * before the job runs rather than after it.
 *
 * @example
 * const problem = await checkReportPath('/read-only/march.report.json');
 */
export function checkReportPath(path: string): Promise<string | null> {
  return writableProblem('--report', path);
}

/**
 * Writes the report of a job to `path` and returns the first customers that need action or failed,
 * for the summary. `scrub` is applied to every chunk written, as a last guard for known secrets.
 *
 * @example
 * const digest = await writeReport('.mx-lifecycle/march.report.json', store, header, (text) => text);
 * console.log(`report: ${digest.path}`);
 */
export async function writeReport(
  path: string,
  store: SnapshotStore,
  header: ReportHeader,
  scrub: (text: string) => string,
): Promise<ReportDigest> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const temporary = `${path}.${process.pid}.tmp`;
  // Customer ids, guids and error excerpts: for the owner's eyes only, as the store is.
  const handle = await open(temporary, 'w', 0o600);
  try {
    const digest = await writeBody(handle, store, header, scrub);
    await handle.close();
    await rename(temporary, path);
    return { ...digest, path };
  } catch (error) {
    await handle.close().catch(() => undefined);
    await rm(temporary, { force: true });
    throw error;
  }
}

async function writeBody(
  handle: FileHandle,
  store: SnapshotStore,
  header: ReportHeader,
  scrub: (text: string) => string,
): Promise<Omit<ReportDigest, 'path'>> {
  let buffered = '';
  const write = async (text: string, last = false): Promise<void> => {
    buffered += text;
    if (buffered.length < 64 * 1024 && !last) return;
    const chunk = buffered;
    buffered = '';
    await handle.write(scrub(chunk));
  };
  const c = header.counts;
  const total = Object.values(c).reduce((a, b) => a + b, 0);
  const endUser = header.kind === 'onboard' ? await endUserCountsOf(store, header.job) : null;
  const head = {
    format: REPORT_FORMAT,
    tool: { name: 'mx-lifecycle', version: header.version },
    job: header.job,
    kind: header.kind,
    input: header.input,
    store: header.store,
    baseUrl: header.baseUrl,
    startedAt: new Date(header.startedAt).toISOString(),
    finishedAt: new Date(header.finishedAt).toISOString(),
    durationMs: header.finishedAt - header.startedAt,
    result: header.result,
    halt: header.halt,
    summary: {
      customers: total,
      done: c.done,
      needsAction: c.needsAction,
      failed: c.failed,
      cancelled: c.cancelled,
      notFinished: c.pending + c.active + c.halted,
      badRows: header.badRows.total,
    },
    ...(endUser ? { endUser } : {}),
    ...(header.members ? { members: header.members } : {}),
  };
  const opening = JSON.stringify(head, null, 2);
  await write(`${opening.slice(0, -2)},\n  "customers": [`);

  const digest: Omit<ReportDigest, 'path'> = { needsAction: [], failed: [], notFound: [], notFoundCount: 0 };
  const failures: unknown[] = [];
  let failuresOmitted = 0;
  let afterSeq = 0;
  let first = true;
  for (;;) {
    const page = await store.listItems(header.job, { afterSeq, limit: PAGE });
    if (page.length === 0) break;
    for (const item of page) {
      afterSeq = item.seq;
      const described = describeItem(item.state, storedOutcome(item));
      const entry = { id: item.id, state: item.state, reason: described.reason, userGuid: described.userGuid, members: described.members.map(slimMember) };
      await write(`${first ? '' : ','}\n    ${JSON.stringify(entry)}`);
      first = false;
      if (item.state === 'needsAction' && digest.needsAction.length < 10) digest.needsAction.push({ id: item.id, reason: described.reason });
      if (item.state === 'failed' && digest.failed.length < 10) digest.failed.push({ id: item.id, reason: described.reason });
      if (item.state === 'done' && described.reason === NOT_FOUND_AT_MX) {
        digest.notFoundCount += 1;
        if (digest.notFound.length < 10) digest.notFound.push({ id: item.id, reason: described.reason });
      }
      for (const { member, error } of described.errors) {
        if (failures.length >= MAX_FAILURES) {
          failuresOmitted += 1;
          continue;
        }
        failures.push({ customer: item.id, member, state: item.state, description: describeError(error), error });
      }
    }
    if (page.length < PAGE) break;
  }
  await write(`${first ? '' : '\n  '}],\n  "failures": ${JSON.stringify(failures, null, 2).replace(/\n/g, '\n  ')},`);
  await write(`\n  "failuresOmitted": ${failuresOmitted},`);
  await write(`\n  "badRows": ${JSON.stringify(header.badRows.rows).replace(/\},\{/g, '},\n    {')},`);
  await write(`\n  "badRowsOmitted": ${Math.max(0, header.badRows.total - header.badRows.rows.length)}\n}\n`, true);
  return digest;
}
