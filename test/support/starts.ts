/**
 * What a limiter decided, read from the client itself: the moment of every `request` event (emitted
 * in the same turn as the limiter lets the attempt start, before anything is sent). A test asserts
 * the rate on these, not on a server's count of arrivals, which a loaded machine bunches.
 */
import type { ObservableMxClient } from '../../src/api/index.js';

/**
 * Records the start of every attempt of `client` (monotonic ms) into the returned array.
 * @example
 * const starts = recordStarts(client);
 * await client.createUser({ id: 'a' });
 * expect(mostInWindow(starts, 1_000)).toBeLessThanOrEqual(20);
 */
export function recordStarts(client: ObservableMxClient, into: number[] = []): number[] {
  client.events.on('request', () => void into.push(performance.now()));
  return into;
}

/**
 * The most starts in any window of `ms` (half-open: a start exactly `ms` after another is in the next).
 * @example
 * mostInWindow([0, 10, 1_000, 1_005], 1_000) // 3
 */
export function mostInWindow(times: readonly number[], ms: number): number {
  const sorted = times.toSorted((a, b) => a - b);
  let most = 0;
  let first = 0;
  for (let last = 0; last < sorted.length; last += 1) {
    while (sorted[last]! - sorted[first]! >= ms) first += 1;
    most = Math.max(most, last - first + 1);
  }
  return most;
}
