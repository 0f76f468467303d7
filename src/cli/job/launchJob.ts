/**
 * One run of a job from the command line, shared by `onboard`, `offboard`, `retry`, `refresh`
 * and `demo`, as four named steps: open (openStep.ts), submit (submitStep.ts), run (runStep.ts)
 * and report (reportStep.ts). What the open step starts is closed here whatever happens after.
 */
import type { JobSettings } from '../flags/jobFlags.js';
import { createOutput, type Output } from '../ui/output.js';
import { environmentalFailure } from './environment.js';
import { checkBeforeOpening, closeJob, openJob, startJob, storeOf, type OpenJob } from './openStep.js';
import { reportRun } from './reportStep.js';
import { runToEnd } from './runStep.js';
import { submitInput } from './submitStep.js';
import type { LaunchJobOptions } from './launchOptions.js';

export type { LaunchJobOptions } from './launchOptions.js';


/** The output of a run, scrubbing the API key and the webhook credentials from whatever it prints. */
function outputOf(settings: JobSettings): Output {
  const webhookAuth = settings.webhook?.auth;
  const webhookBearer = settings.webhook?.bearer;
  return createOutput([settings.apiKey, ...(webhookAuth ? [webhookAuth, webhookAuth.slice(webhookAuth.indexOf(':') + 1)] : []), ...(webhookBearer ? [webhookBearer] : [])]);
}

/**
 * Runs one job to its end (or its halt) and returns the exit code.
 *
 * @example
 * const code = await launchJob({ command: 'onboard', settings: jobSettingsFromFlags(argv, 'onboard', process.env) });
 */
export async function launchJob(options: LaunchJobOptions): Promise<number> {
  try {
    return await launchJobOnce(options);
  } catch (error) {
    const failure = environmentalFailure(error);
    if (!failure) throw error;
    process.stderr.write(`mx-lifecycle ${options.command}: ${createOutput([options.settings.apiKey]).scrub(failure.message)}\n`);
    return failure.code;
  }
}

async function launchJobOnce(options: LaunchJobOptions): Promise<number> {
  const io = outputOf(options.settings);
  const problem = await checkBeforeOpening(options, io);
  if (problem !== null) return problem;
  const job: OpenJob = { store: storeOf(options), existing: null, signalled: false };
  try {
    const refused = await openJob(options, job, io);
    if (refused !== null) return refused;
    const started = await startJob(options, job, io);
    const submitted = await submitInput(options, job, started.runtime, io);
    if (typeof submitted === 'number') return submitted;
    const outcome = await runToEnd(options, job, started, io);
    if (typeof outcome === 'number') return outcome;
    return await reportRun(options, job, outcome, submitted, io);
  } finally {
    await closeJob(job);
  }
}
