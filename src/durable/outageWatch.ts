/**
 * One run's view of the outage policy (./outage.ts): whether a halting error is waited out, when
 * the pause ends, and when the outage is over (the first successful response after a pause).
 */
import type { ObservableMxClient } from '../api/client.js';
import type { MxClient } from '../api/types.js';
import type { ApiError } from '../errors/types.js';
import { DEFAULT_OUTAGE_BUDGET_MS, isOutage, nextPause, pauseOf, type OutagePause, type PausedHalt } from './outage.js';
import type { JobRecord, SnapshotStore } from './store.js';

export interface OutageWatchOptions {
  store: SnapshotStore;
  client: MxClient;
  jobId: string;
  /** The job as the run found it: a pause recorded by an earlier run goes on. */
  job: JobRecord;
  budgetMs: number | undefined;
  onPause: (pause: OutagePause, error: ApiError) => void;
}

export interface OutageWatch {
  /** Carries on a pause the job's record holds, or clears a halt of an earlier run. */
  start(): Promise<void>;
  /** True when `error` pauses the job (or it is paused already) rather than halting it. */
  waits(error: ApiError): boolean;
  /** Runs `resume` once, when a pause has ended. */
  resumeWhenDue(resume: () => void): void;
  paused(): boolean;
  /** Time left in the pause, at least 10 ms. */
  msLeft(): number;
  /** Follows a pause another worker recorded; false when `halt` is a real halt. */
  adopt(halt: ApiError): boolean;
  dispose(): void;
}

/**
 * Creates the outage watch of one run.
 *
 * @example
 * const outage = createOutageWatch({ store, client, jobId, job, budgetMs: 60_000, onPause: () => {} });
 * await outage.start();
 */
export function createOutageWatch(options: OutageWatchOptions): OutageWatch {
  const { store, jobId } = options;
  const budgetMs = options.budgetMs ?? DEFAULT_OUTAGE_BUDGET_MS;
  let outage: OutagePause | null = null;
  let pausedUntil = 0;
  let resumeDue = false;
  const record = (value: ApiError | null) => void store.setHalt(jobId, value).catch(() => undefined);

  // The outage is over once MX answers again after a pause: the next one starts a fresh budget.
  const events = (options.client as Partial<ObservableMxClient>).events;
  const subscription = events?.on('response', (event) => {
    if (outage === null || resumeDue || Date.now() < pausedUntil || event.status < 200 || event.status >= 300) return;
    outage = null;
    record(null);
  });

  return {
    async start() {
      const pause = pauseOf(options.job.halt);
      if (pause && Date.now() < pause.since + budgetMs) {
        outage = pause;
        pausedUntil = pause.until;
      } else if (options.job.halt) {
        await store.setHalt(jobId, null);
      }
    },
    waits(error) {
      if (!isOutage(error)) return false;
      const now = Date.now();
      if (now < pausedUntil || resumeDue) return true;
      const pause = nextPause(outage, now, budgetMs);
      if (!pause) return false;
      outage = pause;
      pausedUntil = pause.until;
      resumeDue = true;
      record({ ...error, outage: pause } as PausedHalt);
      options.onPause(pause, error);
      return true;
    },
    resumeWhenDue(resume) {
      if (!resumeDue || Date.now() < pausedUntil) return;
      resumeDue = false;
      resume();
    },
    paused: () => Date.now() < pausedUntil,
    msLeft: () => Math.max(10, pausedUntil - Date.now()),
    adopt(halt) {
      const pause = pauseOf(halt);
      if (!pause) return false;
      if (pause.until > pausedUntil) {
        outage = pause;
        pausedUntil = pause.until;
        resumeDue = true;
      }
      return true;
    },
    dispose: () => subscription?.dispose(),
  };
}
