/**
 * Sends `count` small POSTs through the library's limiter at `rate`/s (10 in flight, one undici
 * agent, as the transport does) and prints, as JSON, when each was let go (the system's monotonic
 * clock, in the same turn as it is written) and how late its own event loop ran.
 *
 * With REDIS_URL and KEY_ID, the limit is shared with every other sender of that key.
 *
 * Usage: node sender.js URL RATE COUNT LAG_MARGIN [REDIS_URL KEY_ID]
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Agent, request } from 'undici';
import { createLimiter } from '../../../src/http/limiter.js';

const [url, rate, count, margin, redis, id] = process.argv.slice(2);
const perSecond = Number(rate);
const total = Number(count);
const agent = new Agent({ keepAliveTimeout: 10_000 });
const limiter = createLimiter({
  perSecond, maxConcurrent: 10, lagMargin: Number(margin),
  ...(redis && id ? { cluster: { redis, id }, expirationMs: 60_000 } : {}),
});
const delay = monitorEventLoopDelay({ resolution: 10 });
delay.enable();
const sent: number[] = [];
await Promise.all(
  Array.from({ length: total }, () =>
    limiter.run(async (_attempt, slot) => {
      await slot();
      const n = sent.push(Number(process.hrtime.bigint()) / 1e6) - 1;
      const response = await request(`${url}/send`, {
        method: 'POST', body: '{}', headers: { 'x-send': String(n), 'content-type': 'application/json' }, dispatcher: agent,
      });
      await response.body.text();
      return { type: 'done' as const, value: null };
    }),
  ),
);
delay.disable();
await limiter.stop();
await agent.close();
console.log(JSON.stringify({ sent, lateP99Ms: delay.percentile(99) / 1e6, lateMaxMs: delay.max / 1e6 }));
