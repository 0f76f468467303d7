/**
 * The last step of a job run: say why it halted, write the report, print the summary, and pick
 * the exit code.
 */
import { refreshTally, type RunResult } from '../../durable/index.js';
import { haltMessage } from '../ui/describe.js';
import type { Output } from '../ui/output.js';
import { exitCodeOf, summaryJson, summaryText, type RunSummary } from '../ui/summary.js';
import { packageVersion } from '../commands/packageRoot.js';
import type { LaunchJobOptions } from './launchOptions.js';
import type { OpenJob } from './openStep.js';
import { writeReport, type RunResultKind } from './runReport.js';
import { describeStore, storeFlagOf } from './storeUrl.js';
import type { Submitted } from './submitStep.js';

/**
 * Reports the run's outcome and resolves to the exit code; runs `afterSummary` unless a signal
 * stopped the run.
 *
 * @example
 * return await reportRun(options, job, outcome, submitted, io);
 */
export async function reportRun(options: LaunchJobOptions, job: OpenJob, outcome: RunResult, { badRows, startedAt }: Submitted, io: Output): Promise<number> {
  const { command, settings } = options;
  const shownStore = describeStore(settings.store);
  const halt = outcome.halted ? { message: haltMessage(outcome.halted, settings.baseUrl), error: outcome.halted } : null;
  if (halt) io.err(`mx-lifecycle ${command}: ${halt.message}\n`);
  const c = outcome.counts;
  const result: RunResultKind = halt ? 'halted' : c.pending + c.active + c.halted > 0 ? 'interrupted' : 'finished';
  const finishedAt = Date.now();
  const members = settings.kind === 'refresh' ? { members: await refreshTally(job.store, settings.job) } : {};
  const digest = await writeReport(
    settings.report,
    job.store,
    {
      job: settings.job, kind: settings.kind, input: settings.input, store: shownStore, baseUrl: settings.baseUrl,
      version: packageVersion(), startedAt, finishedAt, result, halt, counts: c,
      badRows: { total: badRows.total, rows: badRows.rows }, ...members,
    },
    io.scrub,
  );
  const summary: RunSummary = {
    command, job: settings.job, kind: settings.kind, result, durationMs: finishedAt - startedAt, counts: c,
    badRows: badRows.total, halt, report: digest.path, store: shownStore,
    statusCommand: options.statusCommand ?? `mx-lifecycle status --job ${settings.job}${storeFlagOf(settings.store, settings.job)}`,
    needsAction: digest.needsAction, failed: digest.failed, notFound: digest.notFound, notFoundCount: digest.notFoundCount, expectedOutcomes: options.expectedOutcomes === true,
    ...members,
  };
  const code = exitCodeOf(summary);
  io.out(settings.json ? `${JSON.stringify(summaryJson(summary, code))}\n` : summaryText(summary));
  if (!job.signalled && options.afterSummary) {
    await options.afterSummary();
    // It ends on a signal: nothing left open may keep the process up after it.
    job.signalled = true;
  }
  return code;
}
