/**
 * A batch of 100 customers against an API that allows 20 requests a second. Told the limit, the
 * client spaces its requests and never gets a 429. Not told, it finds the limit the hard way: the
 * first 429 pauses every queued request until Retry-After, the refused call goes again, and the
 * pace it learns keeps later requests under the limit. Either way no customer fails.
 *
 * Run: npx tsx examples/rate-limited-batch.ts
 */
import { createMemoryStore, createMxClient, createRuntime, type CustomerInput } from '../src/index.js';
import { startSandbox } from '../src/sandbox/index.js';

// The sandbox allows 20 requests a second (a token bucket holding 20) and answers any more with a
// 429 and a Retry-After; it takes Basic auth (client id and API key on every request). Both as MX does.
const sandbox = await startSandbox({ rateLimit: 20, auth: 'basic' });

// Customers without bank connections: one request each (create the user), so the batch shows the
// rate limit and nothing else, and takes about 5 s.
const customers: CustomerInput[] = Array.from({ length: 100 }, (_, i) => ({ id: `customer-${i + 1}`, members: [] }));

async function onboardBatch(label: string, perSecond: number | undefined) {
  sandbox.reset(); // the same 100 ids again, on an empty MX, with fresh statistics
  const client = createMxClient({
    baseUrl: sandbox.url,
    clientId: 'sandbox-client',
    apiKey: 'sandbox-key',
    auth: 'basic',
    rate: perSecond === undefined ? { maxConcurrent: 10 } : { perSecond, maxConcurrent: 10 },
  });
  let requests = 0;
  let refused = 0;
  client.events.on('request', () => requests++);
  client.events.on('rate_limited', () => refused++);
  // 32 customers at once: far more than the API allows, so the client's limiter does the pacing.
  const runtime = createRuntime({ store: createMemoryStore(), client, concurrency: 32 });
  const started = Date.now();
  await runtime.submit('batch', customers);
  const { counts } = await runtime.run('batch');
  const seconds = (Date.now() - started) / 1000;
  const { stats } = sandbox.state();
  console.log(`${label}:`);
  console.log(`  ${counts.done} of ${customers.length} customers done in ${seconds.toFixed(1)} s`);
  console.log(`  requests sent: ${requests}, 429s received: ${refused} (the sandbox counted ${stats.rateLimited})`);
  console.log(`  highest rate the sandbox saw in any second: ${stats.maxObservedRate}/s (limit 20/s)`);
  if (perSecond === undefined) console.log(`  pace learnt by the client: ${Math.round(client.limiterState().perSecond ?? 0)}/s`);
  await runtime.close();
  await client.close();
  return { done: counts.done, refused: stats.rateLimited };
}

const aware = await onboardBatch('Client told the limit (rate: { perSecond: 20 })', 20);
const unaware = await onboardBatch('Client not told the limit', undefined);
await sandbox.close();

// What this shows: no 429 when the limit is known; when it is not, 429s that cost no customer.
const ok = aware.done === 100 && aware.refused === 0 && unaware.done === 100 && unaware.refused > 0;
console.log(ok ? 'OK: no 429 with the limit known; without it, the limiter absorbed the 429s and no customer failed.' : 'FAILED: see the figures above.');
process.exit(ok ? 0 : 1);
