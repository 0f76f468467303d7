/**
 * A small seeded generator (mulberry32): the same seed gives the same numbers on every machine
 * and Node version, which `Math.random` cannot promise.
 */

/**
 * A function returning numbers in [0, 1), determined by `seed`.
 *
 * @example
 * const next = mulberry32(42);
 * next(); // always the same first number for seed 42
 */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
