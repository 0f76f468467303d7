/**
 * How many customers the runtime keeps in progress. `auto` sizes it so that the client's limiter,
 * not the number of customers, is what holds the job back: by Little's law a rate R at latency L
 * needs R × L requests in flight, which no fixed number fits for every API (16 customers at 1 s
 * of latency make 16 requests a second, whatever the key allows).
 *
 * The controller is AIMD in the spirit of Netflix's concurrency-limits, driven by what each request
 * reports: how long it waited at the limiter before it started, and how long the API took. Each
 * window it
 * - shrinks (multiplicatively) when the API's latency rose well past its baseline (the API slows
 *   down), when requests waited at the limiter longer than the tolerance (the rate is the
 *   bottleneck and more customers only make a longer queue), or when the limiter is paused by a 429;
 * - grows when requests barely wait and every slot is taken while more customers wait for one:
 *   doubling-like at first (slow start, ×1.5 a window) until it first has to shrink, then by
 *   √limit a window;
 * - otherwise holds.
 * Some queueing is wanted: requests waiting at the limiter keep the rate full while customers
 * between two requests do their bookkeeping, and at the end of a job while the last ones drain.
 * The npm ports of concurrency-limits guard a server's handlers (they reject or queue calls); here
 * the limit decides how many items to claim, so the few lines of the rule are kept here.
 */

export interface ConcurrencyOptions {
  /** The limit at the start (default 16). */
  initial: number;
  /** Never fewer customers in progress than this (default 4). */
  min: number;
  /** Never more (the memory ceiling; default {@link DEFAULT_MAX_CONCURRENCY}). */
  max: number;
  /** How often the limit is decided (default 250 ms). */
  windowMs: number;
  /**
   * Requests that waited at the limiter longer than this on average (or than the API's baseline
   * latency, if longer) count as queueing (default 250 ms).
   */
  queueToleranceMs: number;
  /** A window whose latency is this many times the baseline (and 50 ms over it) means the API slowed down (default 2). */
  latencyTolerance: number;
  /** The clock (default `performance.now`); tests inject one. */
  now: () => number;
}

/** 2 s of latency at 500 requests/s is 1,000 requests in flight, one per customer, and a little room. */
export const DEFAULT_MAX_CONCURRENCY = 1_200;

export const defaultConcurrencyOptions: ConcurrencyOptions = {
  initial: 16,
  min: 4,
  max: DEFAULT_MAX_CONCURRENCY,
  windowMs: 250,
  queueToleranceMs: 250,
  latencyTolerance: 2,
  now: () => performance.now(),
};

/** What the runtime tells the controller when it asks for the limit. */
export interface SlotUse {
  /** Customers in progress now (those waiting on a timer excluded). */
  inUse: number;
  /** Whether more customers wait for a slot (in the store or not yet claimed). */
  backlog: boolean;
  /**
   * How long a request sent now would wait at the limiter (requests queued there × the spacing of
   * a known rate), if the client says: the queue shows at once, not only when its requests start.
   */
  limiterWaitMs?: number;
  /** Whether the limiter is paused after a 429, if the client says. */
  limiterPaused?: boolean;
}

export interface ConcurrencyController {
  /** The current limit. */
  readonly limit: number;
  /** Whether the limit moves by itself (`auto`) or is pinned. */
  readonly adaptive: boolean;
  /** A request started after waiting `queuedMs` at the limiter. */
  requestStarted(queuedMs: number): void;
  /** A request got its response after `latencyMs` at the API (queueing excluded). */
  requestFinished(latencyMs: number): void;
  /** Notes the slots in use and, once a window has passed, decides; returns the limit. */
  update(use: SlotUse): number;
}

/**
 * A limit that does not move: `--concurrency N`.
 *
 * @example
 * fixedConcurrency(32).update({ inUse: 32, backlog: true }) // 32
 */
export function fixedConcurrency(limit: number): ConcurrencyController {
  const pinned = Math.max(1, Math.floor(limit));
  return { limit: pinned, adaptive: false, requestStarted() {}, requestFinished() {}, update: () => pinned };
}

/**
 * The `auto` limit.
 *
 * @example
 * ```ts
 * const controller = createConcurrencyController({ max: 500 });
 * client.events.on('request', (e) => controller.requestStarted(e.queuedMs ?? 0));
 * client.events.on('response', (e) => controller.requestFinished(e.durationMs));
 * const limit = controller.update({ inUse: live.size, backlog: true });
 * ```
 */
export function createConcurrencyController(options: Partial<ConcurrencyOptions> = {}): ConcurrencyController {
  const o: ConcurrencyOptions = { ...defaultConcurrencyOptions, ...options };
  const min = Math.max(1, Math.min(o.min, o.max));
  let limit = Math.min(o.max, Math.max(min, o.initial));
  let slowStart = true;
  let baseline: number | null = null;
  let windowStart = o.now();
  let starts = 0;
  let queuedSum = 0;
  let finishes = 0;
  let latencySum = 0;
  let maxInUse = 0;
  let backlogSeen = false;

  const shrinkTo = (factor: number): void => {
    slowStart = false;
    limit = Math.max(min, Math.floor(limit * factor));
  };

  const decide = (use: SlotUse): void => {
    const latency = finishes > 0 ? latencySum / finishes : null;
    if (latency !== null) {
      // The baseline follows a faster API at once and a slower one only slowly, so a slowdown shows.
      baseline = baseline === null || latency < baseline ? latency : baseline + (latency - baseline) * 0.05;
    }
    const base = baseline ?? 0;
    const tolerance = Math.max(o.queueToleranceMs, base);
    const queued = Math.max(starts > 0 ? queuedSum / starts : 0, use.limiterWaitMs ?? 0);
    const binding = backlogSeen && maxInUse >= limit - Math.max(1, Math.floor(limit / 8));
    if (latency !== null && latency > base * o.latencyTolerance && latency - base > 50) {
      shrinkTo(Math.max(0.5, base / latency));
    } else if (use.limiterPaused || queued > tolerance) {
      shrinkTo(use.limiterPaused ? 0.5 : Math.max(0.5, Math.min(0.9, tolerance / queued)));
    } else if (queued < tolerance / 2 && binding) {
      limit = Math.min(o.max, slowStart ? Math.ceil(limit * 1.5) : limit + Math.max(1, Math.round(Math.sqrt(limit))));
    }
  };

  return {
    get limit() {
      return limit;
    },
    adaptive: true,
    requestStarted(queuedMs) {
      starts += 1;
      queuedSum += Math.max(0, queuedMs);
    },
    requestFinished(latencyMs) {
      finishes += 1;
      latencySum += Math.max(0, latencyMs);
    },
    update(use) {
      maxInUse = Math.max(maxInUse, use.inUse);
      backlogSeen ||= use.backlog;
      const now = o.now();
      if (now - windowStart < o.windowMs) return limit;
      decide(use);
      windowStart = now;
      starts = 0;
      queuedSum = 0;
      finishes = 0;
      latencySum = 0;
      maxInUse = use.inUse;
      backlogSeen = use.backlog;
      return limit;
    },
  };
}
