import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLoopLag, widenedWindow } from '../../src/http/loopLag.js';
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

interface Stall {
  /** When the API's side stops reading (a little before this process stalls). */
  serverFrom: number;
  from: number;
  to: number;
}

/**
 * A sender on a saturated machine, on a simulated clock. Now and then the CPU is taken for 30-300
 * ms: this process wakes only when it ends, and the API's side, starved too (from a little
 * earlier), reads every arrival of the stall at its end. The window widens by `margin` × the
 * lateness this process saw within the last 2 s, as `createLoopLag` reports it. Returns the
 * window's decisions and when the API read each.
 */
function saturated(perSecond: number, sends: number, seed: number, margin: number): { decided: number[]; read: number[] } {
  const random = prng(seed);
  const stalls: Stall[] = [];
  // What the ticker reports: stalls this process has come out of, for 2 s after each.
  const lateWithin = (now: number): number =>
    Math.max(0, ...stalls.filter((s) => s.to <= now && s.to > now - 2_000).map((s) => s.to - s.from));
  const window = createSendWindow(() => widenedWindow(1_020, margin, lateWithin(now)));
  const decided: number[] = [];
  const read: number[] = [];
  let now = 0;
  const stallAt = (at: number): Stall => {
    const length = 30 + random() * 270;
    // The API's side stops reading up to half the stall before this process does.
    return { serverFrom: at - random() * (length / 2), from: at, to: at + length };
  };
  let next = stallAt(500);
  stalls.push(next);
  while (decided.length < sends) {
    const waitMs = window.waitMs(now, perSecond);
    if (waitMs === 0) {
      window.record(now, perSecond);
      decided.push(now);
      const during = stalls.find((s) => now >= s.serverFrom && now < s.to);
      read.push(during ? during.to : now);
      continue;
    }
    let wake = now + Math.max(1, Math.ceil(waitMs));
    if (wake >= next.from) {
      wake = Math.max(wake, next.to);
      next = stallAt(wake + 200 + random() * 2_000);
      stalls.push(next);
    }
    now = wake;
  }
  return { decided, read };
}

describe('a send window that widens with the event loop’s lateness', () => {
  it('keeps every second at the API within the rate when the API reads a stall’s arrivals late', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const { decided, read } = saturated(200, 4_000, seed, 1.5);
      expect(mostInWindow(decided, 1_020)).toBeLessThanOrEqual(200);
      expect(mostInWindow(read, 1_000)).toBeLessThanOrEqual(200);
    }
  });

  it('is what makes the difference: a fixed 20-ms margin lets the late reads crowd a second', () => {
    const over = [1, 2, 3, 4, 5].map((seed) => mostInWindow(saturated(200, 4_000, seed, 0).read, 1_000));
    expect(Math.max(...over)).toBeGreaterThan(200);
  });

  it('gives the whole rate back once the loop runs on time again', () => {
    let now = 0;
    let late = 250;
    const window = createSendWindow(() => widenedWindow(1_020, 1.5, late));
    const sendFor = (ms: number): number[] => {
      const log: number[] = [];
      for (const end = now + ms; now < end; ) {
        const waitMs = window.waitMs(now, 100);
        if (waitMs === 0) {
          window.record(now, 100);
          log.push(now);
        } else now += waitMs;
      }
      return log;
    };
    const widened = sendFor(10_000);
    late = 0;
    sendFor(2_000);
    const quiet = sendFor(10_000);
    // 100 per 1.375 s while late, 100 per 1.02 s after.
    expect(widened.length).toBeLessThanOrEqual(Math.ceil((10_000 / 1_375) * 100) + 1);
    expect(quiet.length).toBeGreaterThanOrEqual(Math.floor((10_000 / 1_020) * 100) - 1);
  });
});

describe('the widened window', () => {
  it('takes no rate for the lateness its base margin covers, and widens past it', () => {
    // 1.5 × 13 ms fits in the 20 ms a 1.02-s window has over a second.
    for (const late of [0, 2, 8, 13]) expect(widenedWindow(1_020, 1.5, late)).toBe(1_020);
    expect(widenedWindow(1_020, 1.5, 14)).toBe(1_021);
    expect(widenedWindow(1_020, 1.5, 100)).toBe(1_150);
    // At most a second more than the base, however late.
    expect(widenedWindow(1_020, 1.5, 5_000)).toBe(2_020);
    expect(widenedWindow(1_020, 0, 5_000)).toBe(1_020);
  });
});

describe('the event loop’s lateness', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('reports a late tick for the hold, ignores timer jitter, and falls back to none', () => {
    vi.useFakeTimers();
    const lag = createLoopLag({ clock: () => Date.now(), cpuMs: () => 0, tickMs: 10, holdMs: 2_000, noiseMs: 2 });
    try {
      expect(lag.lateMs(Date.now())).toBe(0);
      vi.advanceTimersByTime(100);
      expect(lag.lateMs(Date.now())).toBe(0);
      // The loop is held for 150 ms: the clock moves, no timer runs.
      vi.setSystemTime(Date.now() + 150);
      // Overdue already, before the tick has run: it was due at 110 and it is 250.
      expect(lag.lateMs(Date.now())).toBe(140);
      vi.advanceTimersByTime(10);
      expect(lag.lateMs(Date.now())).toBe(150);
      // A smaller stall does not hide the larger one within the hold.
      vi.setSystemTime(Date.now() + 40);
      vi.advanceTimersByTime(10);
      expect(lag.lateMs(Date.now())).toBe(150);
      // Jitter under 2 ms counts as none.
      vi.setSystemTime(Date.now() + 1);
      vi.advanceTimersByTime(10);
      vi.advanceTimersByTime(1_960);
      expect(lag.lateMs(Date.now())).toBe(40);
      vi.advanceTimersByTime(100);
      expect(lag.lateMs(Date.now())).toBe(0);
    } finally {
      lag.stop();
    }
  });

  it('does not count the time the process spent on its own work, only the time it waited for a CPU', () => {
    vi.useFakeTimers();
    let cpu = 0;
    const lag = createLoopLag({ clock: () => Date.now(), cpuMs: () => cpu, tickMs: 10, holdMs: 2_000, noiseMs: 2 });
    try {
      lag.lateMs(Date.now());
      vi.advanceTimersByTime(10);
      // 120 ms late, all of it spent running this process's own code (a long store write).
      vi.setSystemTime(Date.now() + 120);
      cpu += 120;
      vi.advanceTimersByTime(10);
      expect(lag.lateMs(Date.now())).toBe(0);
      // 120 ms late, 30 of them its own work: 90 waiting for a CPU that others held.
      vi.setSystemTime(Date.now() + 120);
      cpu += 30;
      vi.advanceTimersByTime(10);
      expect(lag.lateMs(Date.now())).toBe(90);
    } finally {
      lag.stop();
    }
  });

  it('stops ticking when nobody asks, and starts again when asked', () => {
    vi.useFakeTimers();
    const lag = createLoopLag({ clock: () => Date.now(), cpuMs: () => 0, tickMs: 10, holdMs: 500 });
    try {
      lag.lateMs(Date.now());
      expect(vi.getTimerCount()).toBe(1);
      vi.advanceTimersByTime(600);
      expect(vi.getTimerCount()).toBe(0);
      lag.lateMs(Date.now());
      expect(vi.getTimerCount()).toBe(1);
    } finally {
      lag.stop();
    }
    expect(vi.getTimerCount()).toBe(0);
  });
});
