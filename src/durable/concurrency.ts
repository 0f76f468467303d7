/**
 * How many customers the runtime keeps in progress. `auto` sizes it so that the client's limiter,
 * not the number of customers, is what holds the job back: by Little's law a rate R at latency L
 * needs R × L requests in flight, which no fixed number fits for every API (16 customers at 1 s
 * of latency make 16 requests a second, whatever the key allows).
 *
 * The controller is a gradient one in the spirit of Netflix's concurrency-limits (its Gradient2),
 * driven by what each request reports (how long it waited at the limiter, how long the API took)
 * and by the limiter's queue as it stands. It aims at a short queue at the limiter: long enough
 * that the rate stays full while customers between two requests do their bookkeeping, short
 * enough that a customer's requests do not each wait behind hundreds of others. Each window it
 * - grows while the queue is shorter than that and every slot is taken with more customers
 *   waiting: ×2 a window until the first answer, ×1.5 a window after it (slow start) until the
 *   queue first builds, then by √limit;
 * - shrinks when the queue is more than twice that, to the number of customers that would leave
 *   the queue at its aim (customers in progress × (L + aim) ÷ (L + wait)), never below half of
 *   those in progress. The customers already in progress are the basis, not the limit: a limit
 *   that was lowered takes a latency or more to show (customers in progress finish their step
 *   first), and lowering it again each window in the meantime ran it down to the floor;
 * - holds while the limiter is paused by a 429 (no new customers) and shrinks once when the API's
 *   latency rises past twice its baseline;
 * - otherwise holds.
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
  /** The least wait at the limiter aimed at (default 50 ms). */
  queueAimMs: number;
  /** The wait aimed at as a share of the API's latency, when that is more (default 0.3). */
  queueAimShare: number;
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
  queueAimMs: 50,
  queueAimShare: 0.3,
  latencyTolerance: 2,
  now: () => performance.now(),
};

/** What the controller reads of the client's limiter. */
export interface LimiterView {
  /** Requests waiting for their turn. */
  queued: number;
  /** Requests in flight. */
  running: number;
  /** The spacing between starts a known (or learnt) rate sets; 0 when unlimited. */
  spacingMs: number;
  /** Whether a 429 paused it. */
  paused: boolean;
}

/** What the runtime tells the controller when it asks for the limit. */
export interface SlotUse {
  /** Customers in progress now (those waiting on a timer excluded). */
  inUse: number;
  /** Whether more customers wait for a slot (in the store or not yet claimed). */
  backlog: boolean;
  /**
   * The client's limiter as it stands, if the client says: its queue shows at once, not only when
   * its requests start.
   */
  limiter?: LimiterView;
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
  let waitSamples = 0;
  let waitSum = 0;
  let firstStartAt: number | null = null;

  const clamp = (n: number): number => Math.min(o.max, Math.max(min, n));

  /** How long a request queued now would wait: queued × the time the limiter takes per start. */
  const waitNow = (view: LimiterView | undefined, latency: number): number | null => {
    if (!view) return null;
    const perStart = Math.max(view.spacingMs, view.running > 0 ? latency / view.running : 0);
    return view.queued * perStart;
  };

  const decide = (use: SlotUse): void => {
    const latency = finishes > 0 ? latencySum / finishes : null;
    const before = baseline;
    if (latency !== null) {
      // The baseline follows a faster API at once and a slower one only slowly, so a slowdown shows.
      baseline = baseline === null || latency < baseline ? latency : baseline + (latency - baseline) * 0.05;
    }
    // Before the first answer the latency is at least as long as the first request has been out.
    const base = baseline ?? (firstStartAt === null ? 0 : o.now() - firstStartAt);
    const aim = Math.max(o.queueAimMs, o.queueAimShare * base);
    // The limiter's queue as it stood through the window, or else what the requests that started waited.
    const wait = waitSamples > 0 ? waitSum / waitSamples : starts > 0 ? queuedSum / starts : 0;
    const binding = backlogSeen && maxInUse >= limit - Math.max(1, Math.floor(limit / 8));
    if (use.limiter?.paused) {
      // Requests wait for the pause to end, not for too many customers: no new ones meanwhile.
      slowStart = false;
      limit = clamp(Math.min(limit, use.inUse));
    } else if (latency !== null && before !== null && latency > before * o.latencyTolerance && latency - before > 50) {
      slowStart = false;
      limit = clamp(Math.min(limit, Math.ceil(use.inUse * Math.max(0.5, before / latency))));
    } else if (baseline === null) {
      // No answer yet, so nothing to size by but the queue: the limit doubles while it stays short
      // (at 1.5 s of latency and 100 requests/s, 150 customers are needed before the first answer).
      if (wait < aim && binding) limit = clamp(limit * 2);
    } else if (wait > 2 * aim) {
      slowStart = false;
      const fits = Math.ceil((use.inUse * (base + aim)) / (base + wait));
      limit = clamp(Math.min(limit, Math.max(fits, Math.ceil(use.inUse / 2))));
    } else if (wait < aim && binding) {
      limit = clamp(slowStart ? Math.ceil(limit * 1.5) : limit + Math.max(1, Math.round(Math.sqrt(limit))));
    } else if (wait >= aim) {
      slowStart = false;
    }
  };

  return {
    get limit() {
      return limit;
    },
    adaptive: true,
    requestStarted(queuedMs) {
      firstStartAt ??= o.now();
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
      const wait = waitNow(use.limiter, baseline ?? 0);
      if (wait !== null) {
        waitSamples += 1;
        waitSum += wait;
      }
      const now = o.now();
      if (now - windowStart < o.windowMs) return limit;
      decide(use);
      windowStart = now;
      starts = 0;
      queuedSum = 0;
      finishes = 0;
      latencySum = 0;
      waitSamples = 0;
      waitSum = 0;
      maxInUse = use.inUse;
      backlogSeen = use.backlog;
      return limit;
    },
  };
}
