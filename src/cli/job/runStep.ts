/**
 * The third step of a job run: run until every customer is final, the job halts, or a signal
 * stops it, showing progress and pause notices meanwhile.
 */
import type { RunResult } from '../../durable/index.js';
import { announcePauses } from '../ui/pauseNotice.js';
import type { Output } from '../ui/output.js';
import { trackProgress } from '../ui/progress.js';
import { showProgress } from '../ui/progressView.js';
import type { LaunchJobOptions } from './launchOptions.js';
import type { OpenJob, Started } from './openStep.js';
import { listenForStop } from './stopSignals.js';
import { storeFailure } from './storeFailure.js';
import { describeStore, storeFlagOf } from './storeUrl.js';

/**
 * Runs the job to its end; an exit code instead when the store failed under it. Records in
 * `job.signalled` whether a signal stopped the run.
 *
 * @example
 * const outcome = await runToEnd(options, job, started, io); if (typeof outcome === 'number') return outcome;
 */
export async function runToEnd({ command, settings, progressEveryMs }: LaunchJobOptions, job: OpenJob, { runtime, client }: Started, io: Output): Promise<RunResult | number> {
  const tracker = trackProgress(runtime.events, client, await job.store.counts(settings.job));
  const view = showProgress(tracker, { stream: process.stderr, job: settings.job, jsonEveryMs: progressEveryMs });
  const stop = listenForStop(io, command);
  const unannounce = announcePauses(runtime.events, io, command, `mx-lifecycle resume --job ${settings.job}${storeFlagOf(settings.store, settings.job)}`);
  try {
    return await runtime.run(settings.job, { signal: stop.signal });
  } catch (error) {
    const failed = storeFailure(error, describeStore(settings.store));
    if (!failed) throw error;
    view.stop();
    io.err(`mx-lifecycle ${command}: ${failed.message}\n`);
    return failed.code;
  } finally {
    job.signalled = stop.signalled();
    stop.dispose();
    unannounce();
    view.stop();
    tracker.dispose();
  }
}
