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
