import { describe, expect, it } from 'vitest';
import { backoffDelay, jitterUnit } from '../../machines/backoff.js';
import { resolveLifecycleOptions, seedFrom } from '../../machines/options.js';
import { planRetry } from '../../machines/retry.js';
import { apiError } from './harness.js';

const base = { baseDelayMs: 1_000, maxDelayMs: 60_000 };

describe('backoff', () => {
  it('draws full jitter below an exponential ceiling that stops at maxDelayMs', () => {
    expect(backoffDelay({ ...base, attempt: 0, random: 0.999 })).toBe(999);
    expect(backoffDelay({ ...base, attempt: 3, random: 0.5 })).toBe(4_000);
    expect(backoffDelay({ ...base, attempt: 20, random: 0.5 })).toBe(30_000);
    expect(backoffDelay({ ...base, attempt: 2, random: 0 })).toBe(0);
  });

  it('never retries before the Retry-After the server gave', () => {
    expect(backoffDelay({ ...base, attempt: 0, random: 0.9, retryAfterMs: 5_000 })).toBe(5_000);
    expect(backoffDelay({ ...base, attempt: 5, random: 0.9, retryAfterMs: 5_000 })).toBe(28_800);
    // A Retry-After beyond the cap still wins: the server knows when it will answer.
    expect(backoffDelay({ ...base, attempt: 0, random: 0.5, retryAfterMs: 120_000 })).toBe(120_000);
  });

  it('is reproducible for one seed, spread out across seeds, and uniform enough', () => {
    // Pinned draws: a restored item must wait exactly as long as it would have, so the sequence may not change.
    expect(jitterUnit(7, 3)).toBeCloseTo(0.5523248496, 9);
    expect(jitterUnit(8, 3)).toBeCloseTo(0.7838010243, 9);
    expect(jitterUnit(7, 4)).toBeCloseTo(0.4459992282, 9);
    const draws = Array.from({ length: 10_000 }, (_, i) => jitterUnit(seedFrom(`cust-${i}`), 0));
    const buckets = Array.from({ length: 10 }, () => 0);
    for (const d of draws) buckets[Math.floor(d * 10)]! += 1;
    // 1,000 expected per decile; a clumped generator (all customers retrying together) fails this.
    for (const count of buckets) expect(count).toBeGreaterThan(850);
    for (const count of buckets) expect(count).toBeLessThan(1_150);
  });

  it('plans a retry as an absolute due time from the seed in context, one draw per retry', () => {
    const options = resolveLifecycleOptions({ seed: 42 }, 'cust-1');
    const first = planRetry({ attempts: 0, draws: 0, options }, apiError('server_error'), 'creating', 1_000_000);
    expect(first).toMatchObject({ attempts: 1, draws: 1, retryStep: 'creating', error: { kind: 'server_error' } });
    expect(first.retryAt).toBe(1_000_000 + Math.floor(jitterUnit(42, 0) * 1_000));
    const limited = planRetry({ attempts: 0, draws: 1, options }, apiError('rate_limited', { retryAfterMs: 7_000 }), 'creating', 0);
    expect(limited.retryAt).toBe(7_000);
  });

  it('fills left-out options and derives the seed from the external id', () => {
    const options = resolveLifecycleOptions({ pollIntervalMs: 5_000, maxAttempts: undefined }, 'cust-1');
    expect(options).toMatchObject({ pollIntervalMs: 5_000, maxAttempts: 5, answerWindowMs: 300_000, seed: seedFrom('cust-1') });
    expect(resolveLifecycleOptions(undefined, 'cust-2').seed).not.toBe(options.seed);
  });
});
