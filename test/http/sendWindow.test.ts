import { describe, expect, it } from 'vitest';
import { createSendWindow } from '../../src/http/sendWindow.js';
import { mostInWindow } from '../support/starts.js';

/** A small seeded generator, so a failing schedule can be replayed. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1_664_525 + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

/**
 * A sender on a simulated clock: it wakes when the window says, but each wake-up comes late by
 * what `stall` draws (an event loop busy elsewhere), and it sends whatever the window lets go then.
 */
function simulate(perSecond: number, sends: number, stall: () => number, windowMs = 1_020): number[] {
  const window = createSendWindow(windowMs);
  const log: number[] = [];
  let now = 0;
  while (log.length < sends) {
    const waitMs = window.waitMs(now, perSecond);
    if (waitMs === 0) {
      window.record(now, perSecond);
      log.push(now);
      continue;
    }
    now += Math.max(1, Math.ceil(waitMs)) + stall();
  }
  return log;
}

describe('the send window', () => {
  it('never lets more than the rate leave in any one-second window, however late the event loop wakes it', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const random = prng(seed);
      // Mostly on time; one wake-up in ten is held up 20-400 ms, as a CPU-bound neighbour does.
      const log = simulate(100, 3_000, () => (random() < 0.1 ? 20 + random() * 380 : random() * 2));
      expect(mostInWindow(log, 1_000)).toBeLessThanOrEqual(100);
      expect(mostInWindow(log, 1_020)).toBeLessThanOrEqual(100);
    }
  });

  it('makes up sends a late wake-up missed, so stalls cost little of the rate', () => {
    const random = prng(9);
    const log = simulate(100, 3_000, () => (random() < 0.1 ? 20 + random() * 80 : 0));
    const perSecond = (log.length - 1) / ((log.at(-1)! - log[0]!) / 1_000);
    // On time it would be 100 × 1000/1020 = 98/s; stalls of up to 100 ms in one wake-up of ten
    // lose only what the two intervals of catch-up cannot make up.
    expect(perSecond).toBeGreaterThan(90);
    expect(perSecond).toBeLessThanOrEqual(100);
  });

  it('spaces sends an interval apart after an idle spell, without a burst', () => {
    const window = createSendWindow(1_000);
    window.record(0, 10);
    expect(window.waitMs(60_000, 10)).toBe(0);
    window.record(60_000, 10);
    // The schedule starts again from the send after the idle spell: the next is 100 ms on.
    expect(window.waitMs(60_000, 10)).toBe(100);
    expect(window.waitMs(60_050, 10)).toBe(50);
  });

  it('holds a lower rate at once when it is lowered after a 429', () => {
    const window = createSendWindow(1_000);
    const log: number[] = [];
    let now = 0;
    for (let rate = 50; log.length < 200; ) {
      if (log.length === 60) rate = 20;
      const waitMs = window.waitMs(now, rate);
      if (waitMs === 0) {
        window.record(now, rate);
        log.push(now);
      } else now += waitMs;
    }
    expect(mostInWindow(log.slice(60), 1_000)).toBeLessThanOrEqual(20);
    expect(mostInWindow(log, 1_000)).toBeLessThanOrEqual(50);
  });

  it('lets everything go at once while unlimited', () => {
    const window = createSendWindow(1_020);
    for (let i = 0; i < 1_000; i += 1) {
      expect(window.waitMs(5, null)).toBe(0);
      window.record(5, null);
    }
  });
});
