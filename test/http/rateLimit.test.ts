import { afterEach, describe, expect, it } from 'vitest';
import { createMxClient, type ObservableMxClient } from '../../src/api/index.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { mostInWindow, recordStarts } from '../support/starts.js';

const credentials = { clientId: 'sandbox-client', apiKey: 'sandbox-key' };

describe('rate limiting against the sandbox', () => {
  let sandbox: Sandbox | undefined;
  let client: ObservableMxClient | undefined;
  afterEach(async () => {
    await client?.close();
    await sandbox?.close();
  });

  it('keeps 300 creates under a known 20/s limit: never more than 20 starts in any second, no 429', async () => {
    sandbox = await startSandbox({ auth: 'basic', rateLimit: 20 });
    client = createMxClient({ baseUrl: sandbox.url, ...credentials, rate: { perSecond: 20, maxConcurrent: 10 } });
    let throttled = 0;
    client.events.on('rate_limited', () => (throttled += 1));
    const starts = recordStarts(client);
    const results = await Promise.all(Array.from({ length: 300 }, (_, i) => client!.createUser({ id: `known-${i}` })));
    const { stats } = sandbox.state();
    const span = starts.at(-1)! - starts[0]!;
    console.log(`known 20/s: 300 starts over ${Math.round(span)} ms, at most ${mostInWindow(starts, 1_000)} in one second; the sandbox saw at most ${stats.maxObservedRate}, 429s ${stats.rateLimited}`);
    expect(results.every((r) => r.isOk())).toBe(true);
    // What the limiter decided: its own starts, never more than the rate in any second. (The sandbox's
    // count of arrivals is not asserted: a loaded machine delivers requests started apart together.)
    expect(starts).toHaveLength(300);
    expect(mostInWindow(starts, 1_000)).toBeLessThanOrEqual(20);
    // The sandbox's bucket (20/s, a burst of 20) refused none, whatever the arrivals' jitter.
    expect(stats.rateLimited).toBe(0);
    expect(stats.byStatus['429']).toBeUndefined();
    expect(throttled).toBe(0);
    // Spaced up to the rate: 20 starts a second means 300 need at least 14 s from the first start.
    expect(span).toBeGreaterThanOrEqual(14_000);
  });

  it('learns an unknown 10/s limit: every call succeeds and few are refused', async () => {
    sandbox = await startSandbox({ auth: 'basic', rateLimit: 10 });
    client = createMxClient({ baseUrl: sandbox.url, ...credentials, rate: { maxConcurrent: 4 } });
    const calls = 120;
    const started = Date.now();
    const results = await Promise.all(Array.from({ length: calls }, (_, i) => client!.createUser({ id: `unaware-${i}` })));
    const elapsed = Date.now() - started;
    const { stats } = sandbox.state();
    const refused = stats.rateLimited;
    const fraction = refused / stats.requests;
    console.log(
      `unknown limit vs 10/s: ${calls} creates in ${elapsed} ms, ${refused} × 429 of ${stats.requests} requests ` +
        `(${(fraction * 100).toFixed(1)} %), learned ${client.limiterState().perSecond?.toFixed(1)}/s`,
    );
    expect(results.filter((r) => r.isErr())).toEqual([]);
    expect(refused).toBeGreaterThan(0);
    expect(fraction).toBeLessThan(0.1);
    // It did not crawl: within 1.6 × the best possible time (a burst of 10, then 10/s).
    expect(elapsed).toBeLessThan(((calls - 10) / 10) * 1000 * 1.6);
  });
});
