/**
 * `mx-lifecycle status`: what a job's store says, without running anything: counts per state, the
 * halt if any, and the customers that need action or failed with their reasons. Without `--job`
 * it lists the jobs of the store (or of every store under ./.mx-lifecycle).
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { storedOutcome } from '../../durable/index.js';
import type { JobRecord, SnapshotStore } from '../../durable/index.js';
import { describeItem, haltMessage } from '../ui/describe.js';
import { endUserCountsOf, endUserLine } from '../ui/endUserCounts.js';
import { checkJobName, usageProblem } from '../flags/jobFlags.js';
import { defaultStoreOf, describeStore } from '../job/storeUrl.js';
import { openExistingStore } from '../job/jobStore.js';
import { flagHelp } from '../flags/flagTable.js';
import type { Command } from './command.js';
import { explainingEnvironment } from '../job/environment.js';
import { EXIT_ATTENTION, EXIT_HALTED, EXIT_OK, guarded } from '../ui/output.js';
import { counted } from '../ui/counted.js';
import { stepLine } from './customerHistory.js';

const USAGE = `usage: mx-lifecycle status [--job NAME] [--store URL] [--json]

Shows a job: customers per state, the error that halted it (if any), whether it is paused (by
mx-lifecycle pause), and the customers that need action or failed, with reasons (and each failed one's last step: mx-lifecycle history shows them all). Without --job, lists the jobs in the store (default: every store
under ./.mx-lifecycle).

${flagHelp('status')}

exit codes: 0 every customer done (or a list of jobs); 1 some need action, failed or are not
            finished, or no such job; 2 the job is halted; 64 bad usage; 69 the store cannot be reached`;

/** Customers listed per state in text; --json lists up to LIMIT_JSON. */
const LIMIT_TEXT = 20;
const LIMIT_JSON = 1000;

async function listed(store: SnapshotStore, job: string, state: 'needsAction' | 'failed', limit: number, count: number) {
  // The counts already say when there is nothing to list.
  if (count === 0) return [];
  const items = await store.listItems(job, { states: [state], limit });
  return items.map((item) => {
    const described = describeItem(item.state, storedOutcome(item));
    return { id: item.id, reason: described.reason, errors: described.errors };
  });
}

async function showJob(store: SnapshotStore, record: JobRecord, storeShown: string, json: boolean): Promise<number> {
  const counts = await store.counts(record.id);
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  const limit = json ? LIMIT_JSON : LIMIT_TEXT;
  const needsAction = await listed(store, record.id, 'needsAction', limit, counts.needsAction);
  const failed = await listed(store, record.id, 'failed', limit, counts.failed);
  // One read for every failed customer listed: what it did last, from its history.
  const lastSteps = failed.length === 0 ? new Map() : await store.lastStepsOf(record.id, failed.map((f) => f.id));
  const failedWithStep = failed.map((f) => ({ ...f, lastStep: lastSteps.get(f.id) ?? null }));
  const halt = record.halt ? { message: haltMessage(record.halt), error: record.halt } : null;
  const pausedAt = record.pausedAt === null ? null : new Date(record.pausedAt).toISOString();
  const open = counts.pending + counts.active + counts.halted;
  const code = halt ? EXIT_HALTED : counts.needsAction + counts.failed + counts.cancelled + open > 0 ? EXIT_ATTENTION : EXIT_OK;
  const endUser = record.kind === 'onboard' ? await endUserCountsOf(store, record.id) : null;
  if (json) {
    const body = {
      job: record.id, kind: record.kind, store: storeShown, createdAt: new Date(record.createdAt).toISOString(), total, counts, halt, pausedAt, needsAction, failed: failedWithStep,
      ...(endUser ? { endUser } : {}),
    };
    process.stdout.write(`${JSON.stringify(body)}\n`);
    return code;
  }
  const lines = [
    `job ${record.id} (${record.kind}), created ${new Date(record.createdAt).toISOString()}, store ${storeShown}`,
    `  ${counted(total, 'customer')}: ${counts.done} done, ${counts.needsAction} need action, ${counts.failed} failed, ${counts.cancelled} cancelled; ` +
      `${counts.pending} pending, ${counts.active} in progress, ${counts.halted} halted`,
  ];
  if (endUser) lines.push(endUserLine(endUser));
  if (halt) lines.push(`  halted: ${halt.message}`);
  if (pausedAt) lines.push(`  paused since ${pausedAt}: its workers take no new step until mx-lifecycle resume --job ${record.id}`);
  for (const [title, items, count] of [['need action', needsAction, counts.needsAction], ['failed', failed, counts.failed]] as const) {
    if (count === 0) continue;
    const width = Math.max(...items.map((i) => i.id.length));
    lines.push(`  ${title}:`, ...items.flatMap((i) => {
      const step = lastSteps.get(i.id);
      return [`    ${i.id.padEnd(width)}  ${i.reason}`, ...(title === 'failed' && step ? [`    ${' '.repeat(width)}  last step: ${stepLine(step)}`] : [])];
    }));
    if (count > items.length) lines.push(`    … and ${count - items.length} more (see the job's report, or --json)`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  return code;
}

async function listJobs(stores: { url: string; store: SnapshotStore }[], json: boolean): Promise<number> {
  const rows: Record<string, unknown>[] = [];
  for (const { url, store } of stores) {
    for (const job of await store.listJobs()) {
      const counts = await store.counts(job.id);
      rows.push({ job: job.id, kind: job.kind, store: describeStore(url), halted: job.halt !== null, paused: job.pausedAt !== null, total: Object.values(counts).reduce((a, b) => a + b, 0), counts });
    }
  }
  if (json) {
    process.stdout.write(`${JSON.stringify({ jobs: rows })}\n`);
    return EXIT_OK;
  }
  if (rows.length === 0) {
    process.stdout.write('no jobs found (mx-lifecycle onboard INPUT starts one; --store URL looks elsewhere)\n');
    return EXIT_OK;
  }
  const table = rows.map((r) => {
    const c = r.counts as Record<string, number>;
    const open = (c.pending ?? 0) + (c.active ?? 0) + (c.halted ?? 0);
    return [String(r.job), String(r.kind), String(r.total), String(c.done), String(c.needsAction), String(c.failed), String(open), r.halted ? 'halted' : r.paused ? 'paused' : '', String(r.store)];
  });
  const header = ['JOB', 'KIND', 'TOTAL', 'DONE', 'NEEDS-ACTION', 'FAILED', 'OPEN', 'HALT', 'STORE'];
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => (row[i] ?? '').length)));
  const format = (row: string[]) => row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  process.stdout.write(`${[format(header), ...table.map(format)].join('\n')}\n`);
  return EXIT_OK;
}

/** Every store under ./.mx-lifecycle, where onboard and offboard put theirs by default. */
function defaultStores(): string[] {
  const dir = '.mx-lifecycle';
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((name) => name.endsWith('.sqlite')).toSorted().map((name) => `sqlite:${join(dir, name)}`);
}

async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv, strict: true, allowPositionals: true,
    options: { job: { type: 'string' }, store: { type: 'string' }, json: { type: 'boolean' } },
  });
  if (positionals.length > 0) throw usageProblem(`unexpected argument '${positionals[0] ?? ''}' (name the job with --job)`);
  const json = values.json === true;
  const job = values.job === undefined ? undefined : checkJobName(values.job);
  const urls = values.store !== undefined ? [values.store] : job !== undefined ? [defaultStoreOf(job)] : defaultStores();
  const opened: { url: string; store: SnapshotStore }[] = [];
  try {
    for (const url of urls) {
      const store = openExistingStore(url, (file) => `mx-lifecycle status: there is no store at ${file}${job ? ` for job ${job}` : ''} (pass --store URL, or run onboard first)`);
      if (store === null) return EXIT_ATTENTION;
      opened.push({ url, store });
      await store.init();
    }
    if (job === undefined) return await listJobs(opened, json);
    const [first] = opened;
    if (!first) return EXIT_ATTENTION;
    const record = await first.store.getJob(job);
    if (!record) {
      const known = (await first.store.listJobs()).map((j) => j.id);
      process.stderr.write(`mx-lifecycle status: no job ${job} in ${describeStore(first.url)}${known.length ? ` (jobs there: ${known.join(', ')})` : ''}\n`);
      return EXIT_ATTENTION;
    }
    return await showJob(first.store, record, describeStore(first.url), json);
  } finally {
    for (const { store } of opened) await store.close();
  }
}

export const command: Command = {
  summary: "show a job's counts, its halt, and the customers that need action",
  usage: USAGE,
  run: guarded('status', explainingEnvironment('status', run)),
};
