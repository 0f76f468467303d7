/**
 * One run's view of the outage policy (./outage.ts): whether a halting error is waited out, when
 * the pause ends, when the outage is over (the first successful response after a pause), and when
 * it has outlasted its budget (counted from its first failed request), so the run halts then
 * rather than after another round of customers' retries.
 */
import type { ObservableMxClient } from '../api/index.js';
import type { MxClient } from '../api/index.js';
import type { ApiError } from '../errors/index.js';
import { isOutage, nextPause, pauseOf, type OutagePause, type PausedHalt, type SpentHalt } from './outage.js';
import type { JobRecord, SnapshotStore } from './store/contract.js';

export interface OutageWatchOptions {
  store: SnapshotStore;
  client: MxClient;
  jobId: string;
  /** The job as the run found it: a pause recorded by an earlier run goes on. */
  job: JobRecord;
  /** How long job-scope outages may pause the job before they halt it (`RuntimeOptions.outageBudgetMs`, default filled in). */
  budgetMs: number;
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
  /** The halt to take now when the outage being waited out has outlasted its budget, else `null`. */
  expired(): ApiError | null;
  /** The halt of `error` that `waits` refused: with how long MX failed, when it ended an outage. */
  haltOf(error: ApiError): ApiError;
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
  const { budgetMs } = options;
  let outage: OutagePause | null = null;
  let pausedUntil = 0;
  let resumeDue = false;
  // When the requests started failing as an outage does, and the last such error: the budget
  // counts from the first, and a budget spent in a pause halts the job with the second.
  let failingSince: number | null = null;
  let lastError: ApiError | null = null;
  const record = (value: ApiError | null) => void store.setHalt(jobId, value).catch(() => undefined);
  const follow = (pause: OutagePause, halt: ApiError) => {
    outage = pause;
    pausedUntil = pause.until;
    const { outage: _recorded, ...error } = halt as PausedHalt;
    lastError ??= error;
  };

  // The outage is over once MX answers again after a pause: the next one starts a fresh budget.
  const events = (options.client as Partial<ObservableMxClient>).events;
  const subscription = events?.on('response', (event) => {
    if (event.kind === 'unavailable') {
      failingSince ??= Date.now();
      return;
    }
    if (event.status < 200 || event.status >= 300) return;
    if (outage === null) {
      failingSince = null;
      return;
    }
    if (resumeDue || Date.now() < pausedUntil) return;
    outage = null;
    failingSince = null;
    lastError = null;
    record(null);
  });

  const spent = (error: ApiError, since: number): SpentHalt => {
    const { outage: _recorded, ...plain } = error as PausedHalt;
    return { ...plain, outageSpent: { since, lastedMs: Date.now() - since, budgetMs } };
  };

  return {
    async start() {
      const pause = pauseOf(options.job.halt);
      if (pause && Date.now() < pause.since + budgetMs) {
        follow(pause, options.job.halt!);
      } else if (options.job.halt) {
        await store.setHalt(jobId, null);
      }
    },
    waits(error) {
      if (!isOutage(error)) return false;
      const now = Date.now();
      lastError = error;
      if (now < pausedUntil || resumeDue) return true;
      const pause = nextPause(outage, now, budgetMs, failingSince ?? now);
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
        follow(pause, halt);
        resumeDue = true;
      }
      return true;
    },
    expired() {
      if (outage === null || lastError === null || budgetMs <= 0) return null;
      return Date.now() >= outage.since + budgetMs ? spent(lastError, outage.since) : null;
    },
    haltOf(error) {
      if (!isOutage(error) || budgetMs <= 0) return error;
      const since = outage?.since ?? failingSince;
      return since === null ? error : spent(error, since);
    },
    dispose: () => subscription?.dispose(),
  };
}
