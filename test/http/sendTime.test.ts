import { describe, expect, it } from 'vitest';
import { createLimiter } from '../../src/http/limiter.js';
import { mostInWindow } from '../support/starts.js';

/**
 * A clock that runs with the real one and jumps ahead when the test says the event loop stalled:
 * what a process sees when a CPU-bound neighbour holds it for a while.
 */
function stallingClock(): { now: () => number; stall: (ms: number) => void; stalls: () => number } {
  let skew = 0;
  let count = 0;
  return {
    now: () => performance.now() + skew,
    stall: (ms) => {
      skew += ms;
      count += 1;
    },
    stalls: () => count,
  };
}

/** Busy for `ms` of real time: the caller's own work on each answer, which delays every timer. */
const busy = (ms: number): void => {
  const until = performance.now() + ms;
  while (performance.now() < until);
};

describe('a limiter that decides at send time', () => {
  it('never lets more than the rate go in any one-second window when the event loop stalls between answers', async () => {
    const perSecond = 40;
    const clock = stallingClock();
    const limiter = createLimiter({ perSecond, maxConcurrent: 20, clock: clock.now });
    const decided: number[] = [];
    const stallsAtDecision: number[] = [];
    const stallsAtWrite: number[] = [];
    limiter.onSend((at) => {
      decided.push(at);
      stallsAtDecision.push(clock.stalls());
    });
    let n = 0;
    try {
      await Promise.all(
        Array.from({ length: 300 }, () =>
          limiter.run(async (_attempt, slot) => {
            await slot();
            // The request is written here, in the same turn as the decision: no stall between.
            stallsAtWrite.push(clock.stalls());
            await new Promise((resolve) => setTimeout(resolve, 1));
            busy(1);
            // One answer in 25 holds the loop 50-450 ms (on the limiter's clock).
            n += 1;
            if (n % 25 === 0) clock.stall(50 + ((n * 37) % 400));
            return { type: 'done' as const, value: null };
          }),
        ),
      );
    } finally {
      await limiter.stop();
    }
    expect(decided).toHaveLength(300);
    expect(stallsAtWrite).toEqual(stallsAtDecision);
    console.log(`300 sends at ${perSecond}/s with stalls: at most ${mostInWindow(decided, 1_000)} in one second of the limiter's clock`);
    expect(mostInWindow(decided, 1_000)).toBeLessThanOrEqual(perSecond);
    expect(mostInWindow(decided, 1_020)).toBeLessThanOrEqual(perSecond);
  });

  it('lets a request that got ready late (its token, its body) go only when a slot is free at that moment', async () => {
    const perSecond = 20;
    const clock = stallingClock();
    const limiter = createLimiter({ perSecond, maxConcurrent: 40, clock: clock.now });
    const decided: number[] = [];
    limiter.onSend((at) => decided.push(at));
    try {
      await Promise.all(
        Array.from({ length: 60 }, (_, i) =>
          limiter.run(async (_attempt, slot) => {
            // Getting ready takes a while for some (a token refresh), and the loop stalls meanwhile:
            // a limiter that had decided at the queue would now send these together.
            if (i % 3 === 0) {
              await new Promise((resolve) => setTimeout(resolve, 5));
              clock.stall(300);
            }
            await slot();
            return { type: 'done' as const, value: null };
          }),
        ),
      );
    } finally {
      await limiter.stop();
    }
    expect(decided).toHaveLength(60);
    expect(mostInWindow(decided, 1_000)).toBeLessThanOrEqual(perSecond);
  });

  it('holds every request waiting at the gate during a 429 pause, then sends the refused one first', async () => {
    const clock = stallingClock();
    const limiter = createLimiter({ perSecond: 50, maxConcurrent: 5, clock: clock.now });
    const sends: Array<{ id: number; attempt: number; at: number }> = [];
    let pausedAt = 0;
    try {
      await Promise.all(
        Array.from({ length: 10 }, (_, id) =>
          limiter.run(async (attempt, slot) => {
            await slot();
            sends.push({ id, attempt, at: clock.now() });
            if (id === 2 && attempt === 1) {
              // The pause runs from when the limiter reads this answer, which is no earlier than
              // now (a callback after it would come later still, and make a loaded machine's
              // on-time send look 0.5 ms early).
              pausedAt = clock.now();
              return { type: 'throttled' as const, retryAfterMs: 300, value: null };
            }
            return { type: 'done' as const, value: null };
          }),
        ),
      );
    } finally {
      await limiter.stop();
    }
    const after = sends.filter((s) => s.at > pausedAt);
    expect(after[0]).toMatchObject({ id: 2, attempt: 2 });
    for (const s of after) expect(s.at - pausedAt).toBeGreaterThanOrEqual(300);
    expect(sends).toHaveLength(11);
  });
});
