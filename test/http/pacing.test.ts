import { describe, expect, it } from 'vitest';
import { createPacer } from '../../src/http/pacing.js';

describe('pacing', () => {
  it('spaces a known rate with a small margin and never exceeds it while recovering', () => {
    const pacer = createPacer({ perSecond: 20 });
    expect(pacer.minTimeMs()).toBeGreaterThanOrEqual(50);
    expect(pacer.minTimeMs()).toBeLessThan(52);
    expect(pacer.throttled(1000, 1010)).toBe(true);
    expect(pacer.perSecond).toBe(15);
    let now = 1010;
    for (let i = 0; i < 600; i += 1) pacer.accepted((now += 100), now + 5);
    expect(pacer.perSecond).toBe(20);
  });

  it('learns an unknown limit from what got through, and ignores 429s of requests sent before it slowed down', () => {
    const pacer = createPacer({ perSecond: null });
    expect(pacer.minTimeMs()).toBe(0);
    for (let t = 0; t < 10; t += 1) pacer.accepted(t * 10, t * 10 + 2);
    expect(pacer.throttled(100, 105)).toBe(true);
    expect(pacer.perSecond).toBeCloseTo(9);
    // Sent at 101, before the slowdown at 105: says nothing new.
    expect(pacer.throttled(101, 107)).toBe(false);
    expect(pacer.perSecond).toBeCloseTo(9);
    expect(pacer.throttled(2000, 2005)).toBe(true);
    expect(pacer.perSecond).toBeCloseTo(6.75);
  });

  it('stays unlimited when a 429 comes before anything got through', () => {
    const pacer = createPacer({ perSecond: null });
    expect(pacer.throttled(0, 5)).toBe(false);
    expect(pacer.perSecond).toBeNull();
  });
});

describe('the limiter as it reports itself', () => {
  it('counts requests waiting for their start slot as queued, and only those at the API as running', async () => {
    const { createLimiter } = await import('../../src/http/limiter.js');
    // 20/s with 10 allowed at once: the queue lets 10 through, but they start 50 ms apart.
    const limiter = createLimiter({ perSecond: 20, maxConcurrent: 10 });
    let atApi = 0;
    const seen: Array<{ queued: number; running: number; atApi: number }> = [];
    const jobs = Array.from({ length: 20 }, () =>
      limiter.run(async (_n, slot) => {
        await slot();
        atApi += 1;
        await new Promise((resolve) => setTimeout(resolve, 5));
        atApi -= 1;
        return { type: 'done' as const, value: null };
      }),
    );
    for (let i = 0; i < 8; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 60));
      const state = limiter.state();
      seen.push({ queued: state.queued, running: state.running, atApi });
    }
    await Promise.all(jobs);
    await limiter.stop();
    // Spaced 50 ms apart and answered in 5 ms: at most one is at the API at a time, the rest wait.
    for (const s of seen) expect(s.running).toBeLessThanOrEqual(1);
    expect(seen[0]!.queued).toBeGreaterThanOrEqual(15);
    expect(seen.every((s, i) => i === 0 || s.queued <= seen[i - 1]!.queued)).toBe(true);
  });
});
