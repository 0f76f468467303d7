/**
 * The queue in front of a client's requests: at most `maxConcurrent` jobs at once, starts spaced by
 * `minTime`, paused after a 429, and a job that asks to be retried keeps its slot for the retry.
 * bottleneck is the one implementation (`cluster.ts`, local or shared through Redis); this is the
 * interface the limiter sees.
 */

/** Thrown by a job so the queue runs it again after `delayMs`, in the same slot. */
export interface RetrySignal {
  readonly retrySignal: true;
  readonly delayMs: number;
}

export function isRetrySignal(value: unknown): value is RetrySignal {
  return typeof value === 'object' && value !== null && (value as RetrySignal).retrySignal === true;
}

export interface JobQueue {
  schedule<T>(task: () => Promise<T>): Promise<T>;
  counts(): { queued: number; running: number };
  setMinTime(ms: number): void;
  /** No job starts for `ms` (until `resume`). */
  pause(ms: number): void;
  resume(): void;
  /** Rejects the jobs still waiting with `reason`; running ones finish. */
  stop(reason: unknown): Promise<void>;
}
