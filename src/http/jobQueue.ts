/**
 * The queue in front of a client's requests: at most `maxConcurrent` jobs at once, starts spaced by
 * `minTime`, paused after a 429, and a job that asks to be retried keeps its slot for the retry.
 * Shared through Redis it is bottleneck (`cluster.ts`); in one process it is the small queue here,
 * which does the same without bottleneck's promise chains and event emitters per job (a tenth of
 * the CPU of an onboarding job against a fast API went to them).
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

interface Waiting {
  run: () => void;
}

/**
 * The in-process queue.
 *
 * @example
 * ```ts
 * const queue = createLocalQueue({ maxConcurrent: 10, minTime: 50 });
 * const value = await queue.schedule(() => send());
 * ```
 */
export function createLocalQueue(settings: { maxConcurrent: number; minTime: number }): JobQueue {
  const waiting: Waiting[] = [];
  const rejectors = new Map<Waiting, (reason: unknown) => void>();
  let head = 0;
  let running = 0;
  let minTime = settings.minTime;
  let lastStart = Number.NEGATIVE_INFINITY;
  let paused = false;
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;

  const arm = (ms: number): void => {
    if (timer) return;
    timer = setTimeout(() => {
      timer = null;
      pump();
    }, ms);
  };

  const pump = (): void => {
    if (paused || stopped) return;
    while (running < settings.maxConcurrent && head < waiting.length) {
      // Starts one spacing apart, as bottleneck spaces them: a late timer does not let a burst
      // through here (the limiter's gate makes up late starts, within its window).
      const now = performance.now();
      const slot = Math.max(lastStart + minTime, now);
      if (slot > now) {
        arm(slot - now);
        return;
      }
      lastStart = slot;
      const next = waiting[head]!;
      waiting[head] = undefined as never;
      head += 1;
      if (head > 1_024 && head * 2 > waiting.length) {
        waiting.splice(0, head);
        head = 0;
      }
      rejectors.delete(next);
      running += 1;
      next.run();
    }
  };

  return {
    schedule<T>(task: () => Promise<T>): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        const attempt = (): void => {
          task().then(
            (value) => {
              running -= 1;
              resolve(value);
              pump();
            },
            (error: unknown) => {
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
        if (stopped) {
          reject(new Error('the queue is stopped'));
          return;
        }
        const entry: Waiting = { run: attempt };
        waiting.push(entry);
        rejectors.set(entry, reject);
        pump();
      });
    },
    counts: () => ({ queued: waiting.length - head, running }),
    setMinTime(ms) {
      minTime = ms;
    },
    pause() {
      paused = true;
    },
    resume() {
      paused = false;
      pump();
    },
    async stop(reason) {
      stopped = true;
      if (timer) clearTimeout(timer);
      for (const reject of rejectors.values()) reject(reason);
      rejectors.clear();
      waiting.length = 0;
      head = 0;
    },
  };
}
