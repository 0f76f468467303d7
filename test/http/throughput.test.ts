import { expect, it } from 'vitest';
import { createLimiter } from '../../src/http/limiter.js';

it('admits requests as fast as they finish when no rate is set, not one per timer tick', async () => {
  const limiter = createLimiter({ perSecond: null, maxConcurrent: 10 });
  try {
    const jobs = 3_000;
    const started = performance.now();
    const values = await Promise.all(
      Array.from({ length: jobs }, (_, i) => limiter.run(async () => ({ type: 'done' as const, value: i }))),
    );
    const elapsed = performance.now() - started;
    console.log(`${jobs} jobs through an unlimited limiter in ${Math.round(elapsed)} ms`);
    expect(values).toHaveLength(jobs);
    // bottleneck's own datastore waits a setTimeout(0) (≥ 1 ms) at each admission, one at a time:
    // 3,000 jobs took 3-6 s that way. Yielding with setImmediate, they take a few hundred ms.
    expect(elapsed).toBeLessThan(2_000);
  } finally {
    await limiter.stop();
  }
});

it('keeps a known rate while the event loop is busy: late starts are made up, never above the rate', async () => {
  const perSecond = 200;
  const limiter = createLimiter({ perSecond, maxConcurrent: 10 });
  try {
    const jobs = 600;
    const starts: number[] = [];
    const started = performance.now();
    await Promise.all(
      Array.from({ length: jobs }, () =>
        limiter.run(async () => {
          starts.push(performance.now());
          await new Promise((resolve) => setTimeout(resolve, 2));
          // What a busy caller does with each answer: work that delays every timer. Kept to 1 ms so
          // that the test's own work fits in what a loaded 2-core machine leaves it.
          const until = performance.now() + 1;
          while (performance.now() < until);
          return { type: 'done' as const, value: null };
        }),
      ),
    );
    const rate = jobs / ((performance.now() - started) / 1000);
    let most = 0;
    for (let i = 0, j = 0; i < starts.length; i += 1) {
      while (starts[i]! - starts[j]! >= 1000) j += 1;
      most = Math.max(most, i - j + 1);
    }
    console.log(`${jobs} jobs at a known ${perSecond}/s with a busy loop: ${rate.toFixed(1)}/s, at most ${most} in any second`);
    // Each late start used to push every later one back: 170/s here. The spacing's own margin is 1 %.
    expect(rate).toBeGreaterThan(perSecond * 0.9);
    expect(most).toBeLessThanOrEqual(perSecond);
  } finally {
    await limiter.stop();
  }
});
