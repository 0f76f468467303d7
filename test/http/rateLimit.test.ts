import { afterEach, describe, expect, it } from 'vitest';
import { createMxClient, type ObservableMxClient } from '../../src/api/index.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';

const credentials = { clientId: 'sandbox-client', apiKey: 'sandbox-key' };

describe('rate limiting against the sandbox', () => {
  let sandbox: Sandbox | undefined;
  let client: ObservableMxClient | undefined;
  afterEach(async () => {
    await client?.close();
    await sandbox?.close();
  });

  it('keeps 300 creates under a known 20/s limit: never above 21 in any second, no 429', async () => {
    sandbox = await startSandbox({ auth: 'basic', rateLimit: 20 });
    client = createMxClient({ baseUrl: sandbox.url, ...credentials, rate: { perSecond: 20, maxConcurrent: 10 } });
    let throttled = 0;
    client.events.on('rate_limited', () => (throttled += 1));
    const started = Date.now();
    const results = await Promise.all(Array.from({ length: 300 }, (_, i) => client!.createUser({ id: `known-${i}` })));
    const elapsed = Date.now() - started;
    const { stats } = sandbox.state();
    console.log(`known 20/s: 300 creates in ${elapsed} ms, maxObservedRate ${stats.maxObservedRate}, 429s ${stats.rateLimited}`);
    expect(results.every((r) => r.isOk())).toBe(true);
    expect(stats.maxObservedRate).toBeLessThanOrEqual(21);
    expect(stats.rateLimited).toBe(0);
    expect(stats.byStatus['429']).toBeUndefined();
    expect(throttled).toBe(0);
    // Spaced, not serialised: 300 at 20/s take about 15 s.
    expect(elapsed).toBeGreaterThan(13_000);
    expect(elapsed).toBeLessThan(25_000);
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
