/**
 * The Redis-shared limit at rates whose spacing is not a whole number of milliseconds: what the
 * command line's `--rate 100` gives (10.2 ms with the pacer's margin). Redis keeps time in whole
 * milliseconds, and a fractional spacing once made every clustered request wait for ever.
 */
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { createMxClient, type ObservableMxClient } from '../../src/api/index.js';
import { clusterId } from '../../src/http/cluster.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { REDIS_URL, uniqueName } from './workers.js';

let sandbox: Sandbox | undefined;
const clients: ObservableMxClient[] = [];
let cleanup: string | null = null;

afterEach(async () => {
  await Promise.all(clients.map((c) => c.close()));
  clients.length = 0;
  await sandbox?.close();
  sandbox = undefined;
  if (cleanup) {
    const redis = new Redis(REDIS_URL);
    try {
      const keys = await redis.keys(`b_${cleanup}*`);
      if (keys.length > 0) await redis.del(...keys);
    } finally {
      redis.disconnect();
    }
    cleanup = null;
  }
});

describe('a limit shared through Redis', () => {
  it('lets two clients send together at 100/s, a spacing of 10.2 ms with the margin, and no faster', async () => {
    const perSecond = 100;
    const clientId = uniqueName('frac');
    const apiKey = `sk_PLANTED_${uniqueName('frac_key')}`;
    cleanup = clusterId(clientId, apiKey);
    // A tenth of a second's burst, as in the worker tests.
    sandbox = await startSandbox({ auth: 'basic', rateLimit: perSecond, burst: perSecond / 10, clients: [{ id: clientId, key: apiKey }] });
    for (let i = 0; i < 2; i += 1) {
      clients.push(createMxClient({ baseUrl: sandbox.url, clientId, apiKey, auth: 'basic', rate: { perSecond, redis: REDIS_URL } }));
    }
    const started = Date.now();
    let timer: NodeJS.Timeout | undefined;
    const stalled = new Promise<'stalled'>((resolve) => (timer = setTimeout(() => resolve('stalled'), 15_000)));
    const outcome = await Promise.race([
      Promise.all(clients.flatMap((client, c) => Array.from({ length: perSecond }, (_, i) => client.createUser({ id: `f${c}-${i}` })))),
      stalled,
    ]);
    clearTimeout(timer);
    const elapsed = Date.now() - started;
    const { stats } = sandbox.state();
    console.log(`shared ${perSecond}/s: ${perSecond * 2} creates from 2 clients in ${elapsed} ms, maxObservedRate ${stats.maxObservedRate}, 429s ${stats.rateLimited}`);
    expect(outcome).not.toBe('stalled');
    expect(outcome !== 'stalled' && outcome.every((r) => r.isOk())).toBe(true);
    // A process that the machine's load stalls runs the starts it had reserved late, beside others'
    // on-time ones: a few over the rate in some second, never a multiple of it.
    expect(stats.maxObservedRate).toBeLessThanOrEqual(perSecond + 5);
    // Two seconds' worth of requests at the shared rate cannot take much less than two seconds.
    expect(elapsed).toBeGreaterThan(1_700);
  });
});
