/**
 * Retry delays: exponential backoff with full jitter, never shorter than the server's Retry-After.
 * The jitter comes from a counter-based hash of a seed kept in context, so the same machine history
 * gives the same delays (tests, replays) without any hidden random state.
 */

export interface BackoffOptions {
  baseDelayMs: number;
  maxDelayMs: number;
}

/**
 * The delay before retry number `attempt` (0 for the first retry): a uniform draw in
 * `[0, min(maxDelayMs, baseDelayMs * 2^attempt))`, raised to `retryAfterMs` when the server gave one.
 *
 * @example
 * ```ts
 * backoffDelay({ attempt: 2, random: 0.5, baseDelayMs: 1_000, maxDelayMs: 60_000 }); // 2000
 * backoffDelay({ attempt: 0, random: 0.1, baseDelayMs: 1_000, maxDelayMs: 60_000, retryAfterMs: 5_000 }); // 5000
 * ```
 */
export function backoffDelay(args: BackoffOptions & { attempt: number; random: number; retryAfterMs?: number | undefined }): number {
  const ceiling = Math.min(args.maxDelayMs, args.baseDelayMs * 2 ** Math.max(0, args.attempt));
  const jittered = Math.floor(clampUnit(args.random) * ceiling);
  return args.retryAfterMs === undefined ? jittered : Math.max(Math.ceil(args.retryAfterMs), jittered);
}

/**
 * A number in `[0, 1)` determined by `seed` and `draw`: the n-th jitter draw of one machine.
 *
 * @example
 * ```ts
 * jitterUnit(42, 0) === jitterUnit(42, 0); // true
 * ```
 */
export function jitterUnit(seed: number, draw: number): number {
  // The murmur3 finaliser over seed + draw * golden ratio: cheap, stateless, well mixed.
  let z = (seed + Math.imul(draw + 1, 0x9e3779b9)) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  z ^= z >>> 16;
  return (z >>> 0) / 2 ** 32;
}

function clampUnit(value: number): number {
  if (!Number.isFinite(value) || value < 0) return 0;
  return value >= 1 ? 1 - Number.EPSILON : value;
}
