/**
 * The queue in front of a client's requests: at most `maxConcurrent` jobs at once, in the order
 * they came, paused after a 429, and a job that asks to be retried keeps its slot for the retry.
 * Shared through Redis it is bottleneck (`cluster.ts`). In one process it is the small queue here:
 * bottleneck's promise chains and emitters per job were a tenth of an onboarding job's CPU against
 * a fast API. Neither spaces requests: the limiter's send gate does, when each request leaves
 * (`sendGate.ts`).
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
  /** No job starts for `ms` (until `resume`). */
  pause(ms: number): void;
  resume(): void;
  /** Rejects the jobs still waiting with `reason`; running ones finish. */
  stop(reason: unknown): Promise<void>;
}

/**
 * The in-process queue: admission only (concurrency, order, pause); the limiter spaces starts.
 *
 * @example
 * ```ts
 * const queue = createLocalQueue({ maxConcurrent: 10 });
 * const value = await queue.schedule(() => send());
 * ```
 */
export function createLocalQueue(settings: { maxConcurrent: number }): JobQueue {
  /** Waiting jobs from `head` on; the array is compacted now and then rather than shifted. */
  let waiting: Array<(() => void) | undefined> = [];
  const rejectors = new Map<() => void, (reason: unknown) => void>();
  let head = 0;
  let running = 0;
  let paused = false;
  let stopped = false;

  const pump = (): void => {
    while (running < settings.maxConcurrent && head < waiting.length) {
      // A job started here may pause or stop the queue before the next one would start.
      if (paused || stopped) return;
      const next = waiting[head]!;
      waiting[head] = undefined;
      head += 1;
      if (head > 1_024 && head * 2 > waiting.length) {
        waiting = waiting.slice(head);
        head = 0;
      }
      rejectors.delete(next);
      running += 1;
      next();
    }
  };

  return {
    schedule<T>(task: () => Promise<T>): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        if (stopped) {
          reject(new Error('the queue is stopped'));
          return;
        }
        const attempt = (): void => {
          task().then(
            (value) => {
              running -= 1;
              resolve(value);
              pump();
            },
            (error: unknown) => {
              // Retried in its slot, as bottleneck's `failed` handler does.
              if (isRetrySignal(error) && !stopped) {
                setTimeout(attempt, error.delayMs);
                return;
              }
              running -= 1;
              reject(error);
              pump();
            },
          );
        };
        waiting.push(attempt);
        rejectors.set(attempt, reject);
        pump();
      });
    },
    counts: () => ({ queued: waiting.length - head, running }),
    pause() {
      paused = true;
    },
    resume() {
      paused = false;
      pump();
    },
    async stop(reason) {
      stopped = true;
      for (const reject of rejectors.values()) reject(reason);
      rejectors.clear();
      waiting = [];
      head = 0;
    },
  };
}
