/**
 * Letting MX's webhooks tell the job when a member is ready, with polling kept as the fallback.
 * The receiver is mounted in an HTTP server the application already runs; MX (here the sandbox)
 * posts MEMBER and CONNECTION_STATUS webhooks to it with HTTP Basic.
 *
 * Run: npx tsx examples/webhooks.ts
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createMemoryStore, createMxClient, createRuntime, createWebhookHandler, WEBHOOK_POLL_INTERVAL_MS, type CustomerInput, type Runtime } from '../src/index.js';
import { startSandbox } from '../src/sandbox/index.js';

// The Basic credentials you give MX for your webhook URL; in production read them from the
// environment (MX_WEBHOOK_AUTH) and never print them.
const WEBHOOK_AUTH = 'mx:example-webhook-password';

// The application's own HTTP server, with the handler mounted at the path MX was given.
let runtime: Runtime | undefined;
const handler = createWebhookHandler({ target: { wakeMember: (ref) => runtime?.wakeMember(ref) ?? null }, auth: WEBHOOK_AUTH });
const app = createServer((req, res) => (req.url === '/webhooks/mx' ? handler(req, res) : res.writeHead(404).end()));
await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
const webhookUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}/webhooks/mx`;

// The sandbox posts MX-shaped webhooks to that URL. Aggregations take 2 s here.
const sandbox = await startSandbox({ auth: 'basic', aggregationMs: 2_000, webhooks: { url: webhookUrl, auth: WEBHOOK_AUTH } });
const client = createMxClient({ baseUrl: sandbox.url, clientId: 'sandbox-client', apiKey: 'sandbox-key', auth: 'basic' });

// With webhooks, a member reads its status every 30 s only as the fallback: a lost webhook
// delays a customer, it never loses one. A webhook only wakes the wait early; the member reads its
// status itself before it acts, so a forged or stale webhook cannot change an outcome.
runtime = createRuntime({ store: createMemoryStore(), client, options: { pollIntervalMs: WEBHOOK_POLL_INTERVAL_MS, answerWindowMs: 0 } });

const customers: CustomerInput[] = ['password', 'password', 'denied'].map((password, i) => ({
  id: `cust-${i}`,
  email: `cust-${i}@example.com`,
  members: [{ id: `cust-${i}-bank`, institution_code: 'mxbank', credentials: { username: 'mxuser', password } }],
}));
const started = Date.now();
runtime.events.on('item.final', (e) => console.log(`  ${e.itemId}: ${e.state} after ${((Date.now() - started) / 1000).toFixed(1)} s`));

console.log(`Onboarding 3 customers; webhooks go to ${webhookUrl}, the fallback poll is every ${WEBHOOK_POLL_INTERVAL_MS / 1000} s`);
await runtime.submit('with-webhooks', customers);
const result = await runtime.run('with-webhooks');
const seconds = (Date.now() - started) / 1000;

const truth = sandbox.state();
const stats = handler.stats();
console.log(`Items by state: ${JSON.stringify(result.counts)}`);
console.log(`Webhooks: ${truth.webhooks?.messages} sent, ${stats.woke} woke a member, ${stats.noted} needed no wake-up`);
console.log(`Requests to MX: ${truth.stats.requests} for 3 customers (${(truth.stats.requests / 3).toFixed(1)} each)`);

await runtime.close();
await client.close();
await sandbox.close();
await new Promise((resolve) => app.close(resolve));

if (result.counts.done !== 2 || result.counts.needsAction !== 1 || seconds >= WEBHOOK_POLL_INTERVAL_MS / 1000) {
  console.error('Unexpected: every customer should have finished on a webhook, well before the fallback poll.');
  process.exit(1);
}
console.log(`OK: all 3 customers finished in ${seconds.toFixed(1)} s, told by webhooks rather than a ${WEBHOOK_POLL_INTERVAL_MS / 1000}-s poll.`);
