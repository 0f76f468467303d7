/**
 * The rate limit of one client. Every request runs as a job of its queue (a small in-process one,
 * or bottleneck shared through Redis) and then waits at the gate here for its start slot; a job
 * that gets a 429 pauses the whole
 * limiter (no new job starts, jobs already scheduled wait at a gate) until Retry-After, and is then
 * retried by the queue, keeping its slot.
 */
import { bottleneckQueue, type ClusterOptions } from './cluster.js';
import { createLocalQueue, type JobQueue, type RetrySignal } from './jobQueue.js';
import { createPacer, type Pacer } from './pacing.js';

export interface LimiterOptions {
  /** The known rate limit in requests per second; `null` to start unlimited and adapt to 429s. */
  perSecond: number | null;
  maxConcurrent: number;
  /** How many times one request is retried after a 429 before it returns `rate_limited`. */
  maxRetries: number;
  /** Backoff after a 429 without Retry-After: base × 2^(streak−1), capped, with jitter. */
  retryBaseMs: number;
  retryCapMs: number;
  /** A longer Retry-After is not waited for here: the request returns `rate_limited` at once. */
  maxRetryAfterMs: number;
  /** Shares the limit with other processes through Redis (see `cluster.ts`). */
  cluster: ClusterOptions | null;
  /** Per-attempt job expiration; clustered limiters need one so a dead process frees its slots. */
  expirationMs: number | null;
}

export const defaultLimiterOptions: LimiterOptions = {
  perSecond: null,
  maxConcurrent: 10,
  maxRetries: 5,
  retryBaseMs: 1000,
  retryCapMs: 30_000,
  maxRetryAfterMs: 120_000,
  cluster: null,
  expirationMs: null,
};

/** What one attempt of a job reports. `value` is what the job returns if it is not retried. */
export type AttemptVerdict<T> =
  | { type: 'done'; value: T }
  | { type: 'throttled'; retryAfterMs: number | undefined; value: T }
  | { type: 'replay'; value: T };

export interface ThrottleInfo {
  attempt: number;
  /** What the API asked for, if it did. */
  retryAfterMs: number | undefined;
  /** How long the whole limiter pauses from now. */
  pauseMs: number;
  /** Whether this request will be retried. */
  willRetry: boolean;
}

export interface RetryInfo {
  attempt: number;
  reason: 'rate_limited' | 'token_expired';
  delayMs: number;
}

export interface JobHooks {
  onThrottled?: (info: ThrottleInfo) => void;
  onRetry?: (info: RetryInfo) => void;
}

export interface LimiterState {
  perSecond: number | null;
  minTimeMs: number;
  /** When the current pause ends (epoch ms), or `null`. */
  pausedUntil: number | null;
  /** Requests waiting for their turn: in the queue, or let through by it and waiting for their start slot. */
  queued: number;
  /** Requests in flight at the API. */
  running: number;
}

export interface RequestLimiter {
  /** Runs `attempt` under the limit, again after a 429 or a replay, and resolves its final value. */
  run<T>(attempt: (attemptNumber: number) => Promise<AttemptVerdict<T>>, hooks?: JobHooks): Promise<T>;
  state(): LimiterState;
  stop(): Promise<void>;
}

/** Spacing and pauses are measured on the monotonic clock: wall-clock steps must not bunch requests. */
const clock = (): number => performance.now();

/**
 * The rate is enforced over real starts: never more than the rate's worth in any window this long,
 * a little over a second, so that requests which start a second apart but arrive a few ms closer
 * still count in different seconds. (It matches the pacer's 1 % margin.)
 */
const WINDOW_MS = 1_010;
/** How far (in spacings) the start slots may fall behind the clock before they are moved on. */
const CATCH_UP_SPACINGS = 2;

/** The rejection of jobs that were waiting when the limiter stopped. */
export const LIMITER_STOPPED = Object.freeze({ limiterStopped: true as const });

/**
 * Builds the limiter for one client (one API key).
 *
 * @example
 * ```ts
 * const limiter = createLimiter({ perSecond: 20 });
 * const value = await limiter.run(async () => ({ type: 'done', value: await send() }));
 * ```
 */
export function createLimiter(options: Partial<LimiterOptions> = {}): RequestLimiter {
  const settings: LimiterOptions = { ...defaultLimiterOptions, ...options };
  const pacer: Pacer = createPacer({ perSecond: settings.perSecond });
  /**
   * The spacing bottleneck enforces. A clustered limiter keeps its state in Redis with an idle
   * expiry, and its scripts `PEXPIRE` by a time derived from minTime: a fractional minTime (100/s
   * with the pacer's margin is 10.1 ms) makes every script fail, and no request ever starts. Rounded
   * up, the shared rate stays at or under the limit.
   */
  const clustered = settings.cluster !== null;
  const sharedMinTime = (): number => (clustered ? Math.ceil(pacer.minTimeMs()) : pacer.minTimeMs());
  const queueSettings = { maxConcurrent: settings.maxConcurrent, minTime: sharedMinTime() };
  const queue: JobQueue = clustered
    ? bottleneckQueue(queueSettings, settings.cluster, settings.expirationMs)
    : createLocalQueue({ maxConcurrent: settings.maxConcurrent });

  let pausedUntil = 0;
  let lastStart = Number.NEGATIVE_INFINITY;
  /** When the latest starts happened (monotonic ms), oldest first: at most a window's worth are read. */
  const starts: number[] = [];
  let streak = 0;
  let lastThrottleAt = Number.NEGATIVE_INFINITY;
  let resumeTimer: NodeJS.Timeout | null = null;
  let stopped = false;
  /** Attempts past the gate and not yet answered: what is really in flight. */
  let executing = 0;
  const sleepers = new Set<() => void>();

  /** A wait that `stop()` cuts short, so closing a client never waits out a pause. */
  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      sleepers.add(wake);
    });

  const applyPace = (): void => {
    queue.setMinTime(sharedMinTime());
  };

  /**
   * The next start slot: after any pause, and one spacing after the previous slot. The slots may
   * fall behind the clock by up to CATCH_UP_SPACINGS: a start that a busy event loop made late is
   * made up by the next ones instead of pushing every later start back (which lost a tenth of a
   * known rate). The window in `windowOpensAt` keeps the catching up under the rate. Slots that
   * fell further behind than that mean the limiter was idle: the next slot is now, not in the past,
   * or the first requests after a quiet spell would leave in a burst (and, the window then opening
   * for them together a window later, again).
   */
  const reserveStart = (now: number): number => {
    const spacing = pacer.minTimeMs();
    const next = lastStart + spacing;
    const at = Math.max(next < now - CATCH_UP_SPACINGS * spacing ? now : next, pausedUntil);
    lastStart = at;
    return at;
  };

  /** When one more start fits: never more than the rate's worth of starts in one window. */
  const windowOpensAt = (now: number): number => {
    const rate = pacer.perSecond;
    if (rate === null) return now;
    const cap = Math.max(1, Math.floor(rate));
    return starts.length < cap ? now : starts[starts.length - cap]! + WINDOW_MS;
  };

  const noteStart = (now: number): void => {
    starts.push(now);
    if (starts.length > 4_096) starts.splice(0, starts.length - 2_048);
  };

  const scheduleResume = (): void => {
    if (resumeTimer) clearTimeout(resumeTimer);
    const resumeAt = Math.max(pausedUntil, lastStart + pacer.minTimeMs());
    resumeTimer = setTimeout(() => {
      resumeTimer = null;
      if (clock() < Math.max(pausedUntil, lastStart + pacer.minTimeMs()) - 1) {
        scheduleResume();
        return;
      }
      queue.resume();
    }, Math.max(0, resumeAt - clock()));
  };

  const pause = (retryAfterMs: number | undefined, startedAt: number, now: number): number => {
    // 429s of requests that were already in flight when the last one came are the same episode.
    if (startedAt >= lastThrottleAt || streak === 0) streak += 1;
    lastThrottleAt = now;
    const backoff = Math.min(settings.retryCapMs, settings.retryBaseMs * 2 ** (streak - 1));
    const waitMs = retryAfterMs ?? Math.round(backoff * (0.5 + Math.random() * 0.5));
    const until = now + Math.min(waitMs, settings.maxRetryAfterMs);
    if (until > pausedUntil) {
      pausedUntil = until;
      queue.pause(until - now);
      scheduleResume();
    }
    return Math.max(0, Math.round(pausedUntil - now));
  };

  /**
   * Waits for the job's start slot. Jobs bottleneck had already let through when a 429 paused the
   * limiter wait here; a slot taken before a pause grew is taken again after it. Whatever the
   * timers do, no window of WINDOW_MS holds more real starts than the rate allows.
   */
  const gate = async (reserved: number): Promise<void> => {
    let at = reserved;
    for (;;) {
      if (stopped) return;
      const now = clock();
      if (at === 0 || at < pausedUntil) at = reserveStart(now);
      const earliest = Math.max(at, windowOpensAt(now));
      if (earliest <= now) {
        noteStart(now);
        return;
      }
      await sleep(earliest - now);
    }
  };

  const run = <T>(attempt: (n: number) => Promise<AttemptVerdict<T>>, hooks: JobHooks = {}): Promise<T> => {
    let attempts = 0;
    let rateRetries = 0;
    let reservedStart = 0;
    const task = async (): Promise<T> => {
      await gate(reservedStart);
      reservedStart = 0;
      if (stopped) throw LIMITER_STOPPED;
      attempts += 1;
      const startedAt = clock();
      executing += 1;
      let verdict: AttemptVerdict<T>;
      try {
        verdict = await attempt(attempts);
      } finally {
        executing -= 1;
      }
      const finishedAt = clock();
      if (verdict.type === 'done') {
        streak = 0;
        if (pacer.accepted(startedAt, finishedAt)) applyPace();
        return verdict.value;
      }
      if (verdict.type === 'replay') {
        hooks.onRetry?.({ attempt: attempts, reason: 'token_expired', delayMs: 0 });
        throw { retrySignal: true, delayMs: 0 } satisfies RetrySignal;
      }
      if (pacer.throttled(startedAt, finishedAt)) applyPace();
      const tooLong = verdict.retryAfterMs !== undefined && verdict.retryAfterMs > settings.maxRetryAfterMs;
      const pauseMs = pause(verdict.retryAfterMs, startedAt, finishedAt);
      const willRetry = rateRetries < settings.maxRetries && !tooLong;
      hooks.onThrottled?.({ attempt: attempts, retryAfterMs: verdict.retryAfterMs, pauseMs, willRetry });
      if (!willRetry) return verdict.value;
      rateRetries += 1;
      // The job that was refused goes first when the pause ends.
      reservedStart = reserveStart(finishedAt);
      const delayMs = Math.max(0, Math.round(reservedStart - finishedAt));
      hooks.onRetry?.({ attempt: attempts, reason: 'rate_limited', delayMs });
      throw { retrySignal: true, delayMs } satisfies RetrySignal;
    };
    return queue.schedule(task);
  };

  return {
    run,
    state() {
      const counts = queue.counts();
      return {
        perSecond: pacer.perSecond,
        minTimeMs: pacer.minTimeMs(),
        pausedUntil: pausedUntil > clock() ? Date.now() + (pausedUntil - clock()) : null,
        // The queue's running jobs include those waiting for their start slot (minTime, the gate).
        queued: counts.queued + Math.max(0, counts.running - executing),
        running: Math.min(executing, counts.running),
      };
    },
    async stop() {
      stopped = true;
      for (const wake of sleepers) wake();
      if (resumeTimer) clearTimeout(resumeTimer);
      resumeTimer = null;
      await queue.stop(LIMITER_STOPPED);
    },
  };
}
