/**
 * The rate limit of one client. Every request runs as a job of its queue (a small in-process one,
 * or bottleneck shared through Redis: requests in flight, and the pause at admission) and, once
 * it is ready to be written, waits at the send gate for the moment the send window allows (in this
 * process, or decided in Redis for a shared key). A job that gets a 429 pauses the whole limiter
 * (no new job starts, jobs already let through wait at the gate) until Retry-After, and is then
 * retried by the queue, keeping its slot, first in line.
 */
import { createRequire } from 'node:module';
import type { Disposable } from '../_internals/index.js';
import { bottleneckQueue, type ClusterOptions } from './cluster.js';
import { createLocalQueue, type JobQueue, type RetrySignal } from './jobQueue.js';
import { createLoopLag, widenedWindow, type LoopLag } from './loopLag.js';
import { createPacer, type Pacer } from './pacing.js';
import { createSendGate, type SendGate, type Written } from './sendGate.js';
import { createSendWindow } from './sendWindow.js';
import { createSharedSendWindow, type SharedSendWindow } from './sharedSendWindow.js';

/** ioredis is loaded when a limiter is first shared (see `cluster.ts`). */
const load = createRequire(import.meta.url);

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
  /**
   * No window this long holds more sends than the rate allows in a second: a second, and a margin
   * for requests that reach the API a little later or sooner than they left.
   * @default 1020
   */
  sendWindowMs: number;
  /**
   * How much the event loop's recent lateness widens the send window: the window is a second plus
   * this many times the most this process's loop ran late in the last two seconds, but never less
   * than `sendWindowMs` (whose margin covers a little lateness) nor more than a second plus it. On
   * a saturated machine the API's side reads arrivals up to a stall late, so sends more than a
   * second apart here can land in one second there; 0 keeps the window fixed.
   * @default 1.5
   */
  lagMargin: number;
  /** The monotonic clock (ms) the limiter decides on; tests give one that jumps like a stalled event loop. */
  clock: () => number;
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
  sendWindowMs: 1_020,
  lagMargin: 1.5,
  // Monotonic: wall-clock steps must not bunch requests.
  clock: () => performance.now(),
};

/** What one attempt of a job reports. `value` is what the job returns if it is not retried. */
export type AttemptVerdict<T> =
  | { type: 'done'; value: T }
  | { type: 'throttled'; retryAfterMs: number | undefined; value: T }
  | { type: 'replay'; value: T };

/**
 * Waits until the attempt's request may be written; the attempt starts writing it in the same turn.
 * An attempt that sends nothing (its token could not be had, its caller gave up) does not call it.
 * It resolves to a function the attempt calls when the request's bytes really reach the
 * connection, if it can tell (see `Written`).
 */
export type SendSlot = () => Promise<Written>;

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
  /** Requests waiting for their turn: in the queue, or let through by it and waiting at the send gate. */
  queued: number;
  /** Requests in flight at the API. */
  running: number;
}

export interface RequestLimiter {
  /** Runs `attempt` under the limit, again after a 429 or a replay, and resolves its final value. */
  run<T>(attempt: (attemptNumber: number, slot: SendSlot) => Promise<AttemptVerdict<T>>, hooks?: JobHooks): Promise<T>;
  /** Every send the limiter let go, with its time: the decision log (Redis's clock when shared). */
  onSend(listener: (atMs: number) => void): Disposable;
  state(): LimiterState;
  stop(): Promise<void>;
}

/** The rejection of jobs that were waiting when the limiter stopped. */
export const LIMITER_STOPPED = Object.freeze({ limiterStopped: true as const });

/**
 * Builds the limiter for one client (one API key).
 *
 * @example
 * ```ts
 * const limiter = createLimiter({ perSecond: 20 });
 * const value = await limiter.run(async (_n, slot) => {
 *   await slot();
 *   return { type: 'done', value: await send() };
 * });
 * ```
 */
export function createLimiter(options: Partial<LimiterOptions> = {}): RequestLimiter {
  const settings: LimiterOptions = { ...defaultLimiterOptions, ...options };
  const { clock } = settings;
  const pacer: Pacer = createPacer({ perSecond: settings.perSecond });
  // Shared, bottleneck only queues (requests in flight across processes, job expiry, the pause at
  // admission): the spacing is the send window's, decided in Redis when each request leaves.
  const queue: JobQueue = settings.cluster
    ? bottleneckQueue({ maxConcurrent: settings.maxConcurrent, minTime: 0 }, settings.cluster, settings.expirationMs)
    : createLocalQueue({ maxConcurrent: settings.maxConcurrent });
  const lag: LoopLag | null = settings.lagMargin > 0 ? createLoopLag({ clock }) : null;
  const windowMs = (): number => (lag ? widenedWindow(settings.sendWindowMs, settings.lagMargin, lag.lateMs(clock())) : settings.sendWindowMs);
  const shared: SharedSendWindow | null = settings.cluster
    ? createSharedSendWindow((load('ioredis') as typeof import('ioredis')).Redis, settings.cluster.redis, settings.cluster.id, windowMs)
    : null;

  let pausedUntil = 0;
  let streak = 0;
  let lastThrottleAt = Number.NEGATIVE_INFINITY;
  let resumeTimer: NodeJS.Timeout | null = null;
  let stopped = false;
  /** Attempts past the gate and not yet answered: what is really in flight. */
  let executing = 0;

  const gate: SendGate = createSendGate({
    clock,
    perSecond: () => pacer.perSecond,
    pausedUntil: () => pausedUntil,
    local: shared ? null : createSendWindow(windowMs),
    shared,
  });

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
      void shared?.pause(until - now).catch(() => undefined);
      if (resumeTimer) clearTimeout(resumeTimer);
      resumeTimer = setTimeout(() => {
        resumeTimer = null;
        queue.resume();
      }, Math.max(0, until - clock()));
      gate.recheck();
    }
    return Math.max(0, Math.round(pausedUntil - now));
  };

  const run = <T>(attempt: (n: number, slot: SendSlot) => Promise<AttemptVerdict<T>>, hooks: JobHooks = {}): Promise<T> => {
    let attempts = 0;
    let rateRetries = 0;
    let first = false;
    const task = async (): Promise<T> => {
      if (stopped) throw LIMITER_STOPPED;
      attempts += 1;
      let startedAt: number | null = null;
      const slot: SendSlot = async () => {
        const takeFirst = first;
        first = false;
        const written = await gate.take(takeFirst);
        startedAt = clock();
        executing += 1;
        return written;
      };
      let verdict: AttemptVerdict<T>;
      try {
        verdict = await attempt(attempts, slot);
      } finally {
        if (startedAt !== null) executing -= 1;
      }
      const finishedAt = clock();
      const sentAt = startedAt ?? finishedAt;
      if (verdict.type === 'done') {
        streak = 0;
        if (startedAt !== null) pacer.accepted(sentAt, finishedAt);
        return verdict.value;
      }
      if (verdict.type === 'replay') {
        hooks.onRetry?.({ attempt: attempts, reason: 'token_expired', delayMs: 0 });
        throw { retrySignal: true, delayMs: 0 } satisfies RetrySignal;
      }
      pacer.throttled(sentAt, finishedAt);
      const tooLong = verdict.retryAfterMs !== undefined && verdict.retryAfterMs > settings.maxRetryAfterMs;
      const pauseMs = pause(verdict.retryAfterMs, sentAt, finishedAt);
      const willRetry = rateRetries < settings.maxRetries && !tooLong;
      hooks.onThrottled?.({ attempt: attempts, retryAfterMs: verdict.retryAfterMs, pauseMs, willRetry });
      if (!willRetry) return verdict.value;
      rateRetries += 1;
      // Retried at once in its slot: it waits out the pause at the head of the gate's line, so the
      // request that was refused goes first when the pause ends.
      first = true;
      hooks.onRetry?.({ attempt: attempts, reason: 'rate_limited', delayMs: pauseMs });
      throw { retrySignal: true, delayMs: 0 } satisfies RetrySignal;
    };
    return queue.schedule(task);
  };

  return {
    run,
    onSend: (listener) => gate.onSend(listener),
    state() {
      const counts = queue.counts();
      return {
        perSecond: pacer.perSecond,
        minTimeMs: pacer.minTimeMs(),
        pausedUntil: pausedUntil > clock() ? Date.now() + (pausedUntil - clock()) : null,
        // The queue's running jobs include those getting ready or waiting at the send gate.
        queued: counts.queued + Math.max(0, counts.running - executing),
        running: Math.min(executing, counts.running),
      };
    },
    async stop() {
      stopped = true;
      lag?.stop();
      gate.stop(LIMITER_STOPPED);
      if (resumeTimer) clearTimeout(resumeTimer);
      resumeTimer = null;
      await queue.stop(LIMITER_STOPPED);
      await shared?.close();
    },
  };
}
