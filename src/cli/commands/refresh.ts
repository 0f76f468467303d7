/**
 * `mx-lifecycle refresh --job NAME`: day N. Aggregates the connected members of an onboarding job
 * again, as a refresh job of its own in the same store (`NAME.refresh.<UTC time>`), skipping
 * without a request each member MX would refuse anyway (inside the minimum interval after its last
 * successful aggregation), and says when each skipped one may be refreshed.
 */
import { durationFlag } from '../flags/duration.js';
import { flagHelp } from '../flags/flagTable.js';
import type { Command } from './command.js';
import { jobSettingsFromFlags, usageProblem } from '../flags/jobFlags.js';
import { openJob } from '../job/jobStore.js';
import { EXIT_OK, guarded } from '../ui/output.js';
import { explainingEnvironment } from '../job/environment.js';
import { defaultReportOf } from '../job/storeUrl.js';
import { refreshJobIdOf } from '../../durable/index.js';
import { defined } from '../../_internals/index.js';

/** The longest name `--job` takes (jobFlags.ts); a refresh job's name keeps room for a `-N` suffix. */
const MAX_JOB_NAME = 100;

const USAGE = `usage: mx-lifecycle refresh --job NAME [--customer ID]… [--min-aggregation-interval T] [options]

Aggregates the connected members of onboarding job NAME again (a nightly refresh, or before a loan
decision), as a refresh job of its own in the same store, named NAME.refresh.<UTC time>. Each
member's status is read first; a member whose last successful aggregation is more recent than the
minimum interval is skipped without an aggregate request (MX refuses a new aggregation within three
hours of a successful one), with the time it may be refreshed again. A 202 that starts no
aggregation counts as skipped (throttled), never as an error. A member whose status needs its end
user (DENIED, LOCKED, CHALLENGED, …) needs action. A refresh that did not finish is resumed by the
next refresh of the same job; a finished one is kept, and the next refresh is a new job.

${flagHelp('refresh')}

exit codes: as onboard: 0 every member refreshed or skipped; 1 some need action or failed (also: no such job);
            2 the job halted (the message says what to fix); 64 bad usage; 69 the store cannot be reached;
            70 unexpected error; 75 another process runs this SQLite job; 130 interrupted (run again to continue)`;

/** Splits refresh's own flags from the job flags it shares with onboard. */
function splitFlags(argv: readonly string[]): { customers: string[]; interval: string | undefined; rest: string[] } {
  const customers: string[] = [];
  let interval: string | undefined;
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] ?? '';
    const [name, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    if (name !== '--customer' && name !== '--min-aggregation-interval') {
      rest.push(arg);
      continue;
    }
    const value = inline ?? argv[i + 1];
    if (value === undefined || (inline === undefined && value.startsWith('--'))) throw usageProblem(`${name} needs a value`);
    if (inline === undefined) i += 1;
    if (name === '--customer') customers.push(value);
    else interval = value;
  }
  return { customers, interval, rest };
}

async function run(argv: string[]): Promise<number> {
  const { customers, interval, rest } = splitFlags(argv);
  const settings = jobSettingsFromFlags(rest, 'refresh', process.env, { inputOptional: true });
  if (settings.input !== '') throw usageProblem(`unexpected argument '${settings.input}' (refresh reads the job's members from its store; name the job with --job)`);
  const minAggregationIntervalMs = durationFlag('min-aggregation-interval', interval);
  // The refresh job's name must pass as --job for status, export and a later refresh.
  if (refreshJobIdOf(settings.job, 0).length > MAX_JOB_NAME - 3) {
    throw usageProblem(`--job ${settings.job} is too long for a refresh job's name (${settings.job}.refresh.<UTC time>): at most ${MAX_JOB_NAME - 3 - (refreshJobIdOf('', 0).length)} characters`);
  }
  const opened = await openJob('refresh', settings.job, settings.store);
  if (typeof opened === 'number') return opened;
  const { planRefresh, isRefreshProblem } = await import('../../durable/index.js');
  let plan;
  try {
    plan = await planRefresh(opened.store, settings.job, {
      customers,
      options: { ...settings.lifecycle, ...defined({ minAggregationIntervalMs }) },
    });
  } catch (error) {
    if (isRefreshProblem(error)) throw usageProblem(error.message);
    throw error;
  } finally {
    await opened.store.close();
  }
  if (!plan.resumed && plan.added === 0) {
    process.stdout.write(settings.json
      ? `${JSON.stringify({ command: 'refresh', job: null, sourceJob: settings.job, result: 'nothing', exitCode: EXIT_OK, total: 0 })}\n`
      : `mx-lifecycle refresh: job ${settings.job} has no connected member${customers.length > 0 ? ' among those customers' : ''}: nothing to refresh\n`);
    return EXIT_OK;
  }
  process.stderr.write(`mx-lifecycle refresh: ${plan.resumed ? 'resuming the unfinished' : 'starting'} refresh job ${plan.jobId} of ${settings.job}${plan.resumed && customers.length > 0 ? ' (as it was: --customer applies to a new refresh)' : ''}\n`);
  const reportGiven = rest.some((arg) => arg === '--report' || arg.startsWith('--report='));
  const { launchJob } = await import('../job/launchJob.js');
  return launchJob({
    command: 'refresh',
    settings: { ...settings, job: plan.jobId, jobFromInput: false, report: reportGiven ? settings.report : defaultReportOf(settings.store, plan.jobId) },
  });
}

export const command: Command = {
  summary: "aggregate a job's connected members again, skipping those MX would refuse (day N)",
  usage: USAGE,
  run: guarded('refresh', explainingEnvironment('refresh', run)),
};
