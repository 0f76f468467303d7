/**
 * How fast to send: a rate that backs off when the API says 429 and creeps back up while it does
 * not (additive increase, multiplicative decrease). With a known rate it never goes above it; with
 * none it starts unlimited and learns the limit from what the API accepted before it said 429.
 */
import { SlidingWindow } from '../_internals/index.js';

export interface PacingOptions {
  /** The known rate limit (requests per second), or `null` when the API's limit is unknown. */
  perSecond: number | null;
  /** Factor applied to the rate on a 429 (default 0.75). */
  decreaseFactor: number;
  /** Each quiet second the rate grows by this fraction of itself, at least `minIncrease` (default 0.02). */
  increaseFraction: number;
  minIncrease: number;
  /** Never slower than this (default 0.5 requests per second). */
  floorPerSecond: number;
}

export const defaultPacingOptions: PacingOptions = {
  perSecond: null,
  decreaseFactor: 0.75,
  increaseFraction: 0.02,
  minIncrease: 0.2,
  floorPerSecond: 0.5,
};

export interface Pacer {
  /** The current rate, `null` while unlimited. */
  readonly perSecond: number | null;
  /** The spacing between request starts that the rate implies. */
  minTimeMs(): number;
  /** A request that started at `startedAt` was not throttled; returns true when the rate changed. */
  accepted(startedAt: number, now: number): boolean;
  /** A request that started at `startedAt` got a 429; returns true when the rate changed. */
  throttled(startedAt: number, now: number): boolean;
}

/** A rate is changed at most once a second. */
const WINDOW_MS = 1000;
const FIRST_ESTIMATE_MARGIN = 0.9;
/**
 * Spacing is stretched by 1 %, so the rate stays just under the limit when arrivals jitter by a
 * few ms. (The limiter's window also counts real starts: a timer that fired late cannot squeeze
 * one request too many into a second. With that in place, the 2 % this once was cost a 2,000-
 * customer job at 1.5 s of latency a second and a half, a third of what it may lose.)
 */
const SPACING_MARGIN = 1.01;

/**
 * A rate that adapts to 429s.
 *
 * @example
 * ```ts
 * const pacer = createPacer({ perSecond: null });
 * if (pacer.throttled(startedAt, Date.now())) limiter.updateSettings({ minTime: pacer.minTimeMs() });
 * ```
 */
export function createPacer(options: Partial<PacingOptions> = {}): Pacer {
  const settings: PacingOptions = { ...defaultPacingOptions, ...options };
  const ceiling = settings.perSecond;
  let rate: number | null = ceiling;
  let lastDecreaseAt = Number.NEGATIVE_INFINITY;
  let lastChangeAt = 0;
  // When accepted requests were answered in the last second: what the API let through.
  const recent = new SlidingWindow();

  return {
    get perSecond() {
      return rate;
    },
    minTimeMs() {
      return rate === null ? 0 : (1000 / rate) * SPACING_MARGIN;
    },
    accepted(_startedAt, now) {
      recent.record(now);
      if (rate === null || (ceiling !== null && rate >= ceiling)) return false;
      if (lastChangeAt === 0) lastChangeAt = now;
      if (now - lastChangeAt < WINDOW_MS) return false;
      const grown = rate + Math.max(settings.minIncrease, rate * settings.increaseFraction);
      rate = ceiling === null ? grown : Math.min(ceiling, grown);
      lastChangeAt = now;
      return true;
    },
    throttled(startedAt, now) {
      // Requests already in flight when the rate went down say nothing new about the limit.
      if (startedAt < lastDecreaseAt) return false;
      const through = recent.count(now);
      // Nothing got through lately: no evidence of a rate yet, the pause and backoff must do.
      if (rate === null && through === 0) return false;
      // The first 429 of an unlimited client: what got through in the last second, with a margin.
      const next = rate === null ? through * FIRST_ESTIMATE_MARGIN : rate * settings.decreaseFactor;
      rate = Math.max(settings.floorPerSecond, next);
      lastDecreaseAt = now;
      lastChangeAt = now;
      return true;
    },
  };
}
