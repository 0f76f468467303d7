import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../src/sandbox/prng.js';
import { SlidingWindow } from '../../src/_internals/slidingWindow.js';
import { TokenBucket } from '../../src/sandbox/tokenBucket.js';

describe('sliding 1-s window', () => {
  it('counts the most requests in any window (t - 1 s, t]', () => {
    const w = new SlidingWindow();
    for (const t of [0, 100, 200, 999, 1000, 1100, 1999.5, 2500, 5000]) w.record(t);
    // (-1, 999] holds 0, 100, 200, 999; at 1000 the request at 0 has left, so no window holds 5.
    expect(w.max).toBe(4);
    w.record(5000.5);
    w.record(5001);
    w.record(5999);
    // (4999, 5999] holds 5000, 5000.5, 5001, 5999 — still 4; one more at 5999 makes 5.
    expect(w.max).toBe(4);
    w.record(5999);
    expect(w.max).toBe(5);
  });

  it('stays exact past its initial capacity', () => {
    const w = new SlidingWindow();
    for (let i = 0; i < 10_000; i++) w.record(i * 0.1);
    expect(w.max).toBe(10_000);
    const spaced = new SlidingWindow();
    for (let i = 0; i < 10_000; i++) spaced.record(i * 50);
    expect(spaced.max).toBe(20);
  });
});

describe('token bucket', () => {
  it('allows the burst, then one request per 1/rate seconds, and says how long to wait', () => {
    const bucket = new TokenBucket(10, 3, 0);
    expect([bucket.take(0), bucket.take(0), bucket.take(0)]).toEqual([0, 0, 0]);
    expect(bucket.take(0)).toBe(1);
    expect(bucket.take(100)).toBe(0);
    expect(bucket.take(100)).toBe(1);
    expect(new TokenBucket(0.25, 1, 0).take(0)).toBe(0);
  });

  it('rounds the wait up to whole seconds', () => {
    const slow = new TokenBucket(0.25, 1, 0);
    slow.take(0);
    expect(slow.take(0)).toBe(4);
    expect(slow.take(1_500)).toBe(3);
  });
});

describe('mulberry32', () => {
  it('is a pure function of its seed', () => {
    const a = mulberry32(7);
    const b = mulberry32(7);
    const c = mulberry32(8);
    const first = Array.from({ length: 5 }, a);
    expect(Array.from({ length: 5 }, b)).toEqual(first);
    expect(Array.from({ length: 5 }, c)).not.toEqual(first);
    expect(first.every((x) => x >= 0 && x < 1)).toBe(true);
  });
});
