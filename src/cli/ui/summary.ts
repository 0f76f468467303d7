/**
 * The end of a run: the exit code its result deserves, and the summary a person reads (or, with
 * `--json`, one JSON object a script parses).
 */
import type { RefreshTally } from '../../durable/index.js';
import type { ItemState, JobKind } from '../../durable/index.js';
import type { ApiError } from '../../errors/index.js';
import { EXIT_ATTENTION, EXIT_HALTED, EXIT_INTERRUPTED, EXIT_OK } from './output.js';
import type { NamedItem, RunResultKind } from '../job/runReport.js';
import { counted } from './counted.js';

export interface RunSummary {
  command: string;
  job: string;
  kind: JobKind;
  result: RunResultKind;
  durationMs: number;
  counts: Record<ItemState, number>;
  badRows: number;
  halt: { message: string; error: ApiError } | null;
  report: string;
  store: string;
  /** The command that shows this job again. */
  statusCommand: string;
  needsAction: NamedItem[];
  failed: NamedItem[];
  /** Offboard: customers MX had no user for (the first few), and how many; they are not "removed". */
  notFound?: NamedItem[];
  notFoundCount?: number;
  /** The demo counts needs-action and failed customers as expected outcomes. */
  expectedOutcomes: boolean;
  /** A refresh: its members by outcome. */
  members?: RefreshTally;
}

/**
 * 0 every item done; 1 some need action, failed, were cancelled, or input rows were bad; 2 the job
 * halted; 130 interrupted before the end. The demo's expected outcomes leave it at 0.
 *
 * @example
 * exitCodeOf({ result: 'finished', counts, badRows: 0, expectedOutcomes: false }) // 0 when every item is done
 */
export function exitCodeOf(summary: Pick<RunSummary, 'result' | 'counts' | 'badRows' | 'expectedOutcomes' | 'notFoundCount'>): number {
  if (summary.result === 'halted') return EXIT_HALTED;
  if (summary.result === 'interrupted') return EXIT_INTERRUPTED;
  if (summary.expectedOutcomes) return EXIT_OK;
  const c = summary.counts;
  return c.needsAction + c.failed + c.cancelled + summary.badRows + (summary.notFoundCount ?? 0) > 0 ? EXIT_ATTENTION : EXIT_OK;
}

const total = (counts: Record<ItemState, number>): number => Object.values(counts).reduce((a, b) => a + b, 0);

function listed(title: string, items: NamedItem[], count: number): string[] {
  if (count === 0) return [];
  const width = Math.max(...items.map((i) => i.id.length), 0);
  const lines = [`  ${title}:`, ...items.map((i) => `    ${i.id.padEnd(width)}  ${i.reason}`)];
  if (count > items.length) lines.push(`    … and ${count - items.length} more in the report`);
  return lines;
}

/**
 * The summary as text for a terminal or a log.
 *
 * @example
 * process.stdout.write(summaryText(summary));
 */
export function summaryText(s: RunSummary): string {
  const c = s.counts;
  const seconds = (s.durationMs / 1000).toFixed(1);
  const what = s.result === 'finished' ? `finished in ${seconds} s` : s.result === 'halted' ? `halted after ${seconds} s (see the message above)` : `stopped after ${seconds} s`;
  const open = c.pending + c.active + c.halted;
  const verb = s.kind === 'offboard' ? 'removed' : 'done';
  const notFound = s.notFoundCount ?? 0;
  const lines = [
    `mx-lifecycle ${s.command}: job ${s.job} (${s.kind}) ${what}`,
    `  ${counted(total(c), 'customer')}: ${c.done - notFound} ${verb}${s.kind === 'offboard' ? `, ${notFound} not found at MX` : ''}, ${c.needsAction} need action, ${c.failed} failed${c.cancelled ? `, ${c.cancelled} cancelled` : ''}${open ? `, ${open} not finished` : ''}`,
  ];
  if (s.members) {
    const m = s.members;
    const next = m.skipped > 0 && m.nextRefreshAt ? ` (the first may be refreshed again from ${m.nextRefreshAt})` : '';
    lines.push(`  ${counted(m.refreshed + m.skipped + m.needsAction + m.failed + m.pending, 'member')}: ${m.refreshed} refreshed, ${m.skipped} skipped${next}, ${m.needsAction} need action, ${m.failed} failed${m.pending ? `, ${m.pending} not finished` : ''}`);
  }
  if (s.badRows > 0) lines.push(`  ${s.badRows} bad input row(s) skipped (listed above and in the report)`);
  lines.push(...listed('need action', s.needsAction, c.needsAction), ...listed('failed', s.failed, c.failed));
  if (notFound > 0) lines.push(...listed('not found at MX (check these ids)', s.notFound ?? [], notFound));
  if (s.expectedOutcomes) {
    lines.push('  (in the demo, the sandbox\'s passwords pick these outcomes on purpose: a finished demo exits 0)');
  }
  if (open > 0) lines.push(`  run the same command again to continue where the job stopped`);
  lines.push(`  report: ${s.report}`, `  store:  ${s.store}`, `  status: ${s.statusCommand}`);
  return `${lines.join('\n')}\n`;
}

/**
 * The summary as one JSON object (for `--json`).
 *
 * @example
 * process.stdout.write(`${JSON.stringify(summaryJson(summary, 0))}\n`);
 */
export function summaryJson(s: RunSummary, exitCode: number): Record<string, unknown> {
  return {
    command: s.command,
    job: s.job,
    kind: s.kind,
    result: s.result,
    exitCode,
    durationMs: s.durationMs,
    total: total(s.counts),
    counts: s.counts,
    badRows: s.badRows,
    halt: s.halt,
    needsAction: s.needsAction,
    failed: s.failed,
    ...(s.kind === 'offboard' ? { notFoundAtMx: s.notFoundCount ?? 0, notFound: s.notFound ?? [] } : {}),
    ...(s.members ? { members: s.members } : {}),
    report: s.report,
    store: s.store,
  };
}
