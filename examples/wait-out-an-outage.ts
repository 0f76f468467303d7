/**
 * MX becomes unreachable in the middle of a job: a small TCP proxy between the client and the
 * sandbox refuses every connection for 8 s. Customers retry, then the whole job pauses (2 s, 4 s,
 * 8 s …) within its outage budget instead of halting, and carries on once MX answers again: no
 * customer fails and each exists exactly once. A wrong API key, which no wait can fix, still
 * halts the job at once.
 *
 * Run: npx tsx examples/wait-out-an-outage.ts
 */
import { connect, createServer, type Server, type Socket } from 'node:net';
import { createMemoryStore, createMxClient, createRuntime, type CustomerInput } from '../src/index.js';
import { startSandbox } from '../src/sandbox/index.js';

const CUSTOMERS: CustomerInput[] = Array.from({ length: 12 }, (_, i) => ({
  id: `night-${i + 1}`,
  members: [{ id: `night-${i + 1}-bank`, institution_code: 'mxbank', credentials: { username: 'mxuser', password: 'password' } }],
}));

const sandbox = await startSandbox({ aggregationMs: 50, auth: 'basic' });
const target = new URL(sandbox.url);

// The proxy: forwards bytes, and can stop listening (refused) and reset what is open.
const open = new Set<Socket>();
let server: Server | null = null;
let port = 0;
const listen = () =>
  new Promise<void>((resolve) => {
    server = createServer((client) => {
      const upstream = connect(Number(target.port), target.hostname);
      for (const socket of [client, upstream]) {
        open.add(socket);
        socket.on('error', () => undefined).on('close', () => open.delete(socket));
      }
      client.pipe(upstream).pipe(client);
    }).listen(port, '127.0.0.1', () => {
      port = (server!.address() as { port: number }).port;
      resolve();
    });
  });
await listen();

async function onboard(jobId: string, apiKey: string) {
  const client = createMxClient({ baseUrl: `http://127.0.0.1:${port}`, clientId: 'sandbox-client', apiKey, rate: { perSecond: 10 } });
  const store = createMemoryStore();
  // Short retries and a 2-minute budget, so the example is quick; the CLI's default budget is 15 min.
  const runtime = createRuntime({ store, client, concurrency: 4, outageBudgetMs: 120_000, options: { pollIntervalMs: 100, baseDelayMs: 100, maxDelayMs: 400, maxAttempts: 3 } });
  runtime.events.on('job.paused', (e) => console.log(`  paused (pause ${e.pauses}): ${e.error.kind}; next try in ${Math.round((e.until - Date.now()) / 100) / 10} s, budget ${e.budgetMs / 1000} s`));
  await runtime.submit(jobId, CUSTOMERS.map((c) => ({ ...c, id: `${c.id}-${jobId}`, members: c.members.map((m) => ({ ...m, id: `${m.id}-${jobId}` })) })));
  const result = await runtime.run(jobId);
  await runtime.close();
  await client.close();
  return result;
}

console.log('Onboarding 12 customers; MX refuses connections for 8 s after the third user:');
const running = onboard('outage', 'sandbox-key');
while (sandbox.state().users.length < 3) await new Promise((resolve) => setTimeout(resolve, 20));
const closed = new Promise((resolve) => server?.close(resolve)); // waits for open connections: reset them
for (const socket of open) socket.resetAndDestroy();
await closed;
console.log('  -- MX unreachable --');
await new Promise((resolve) => setTimeout(resolve, 8_000));
await listen();
console.log('  -- MX back --');
const outage = await running;
const truth = sandbox.state();
console.log(`  ${outage.counts.done} done, ${outage.counts.failed} failed, halted: ${outage.halted?.kind ?? 'no'}; MX holds ${truth.users.length} users and ${truth.members.length} members`);

console.log('The same job with a wrong API key:');
const started = Date.now();
const badKey = await onboard('badkey', 'not-the-key');
console.log(`  halted on ${badKey.halted?.kind ?? 'nothing'} after ${((Date.now() - started) / 1000).toFixed(1)} s, without a pause`);

for (const socket of open) socket.destroy();
await new Promise((resolve) => server?.close(resolve));
await sandbox.close();
const ok = outage.halted === null && outage.counts.done === 12 && truth.users.length === 12 && truth.members.length === 12 && badKey.halted?.kind === 'unauthorized';
console.log(ok ? 'OK: the outage was waited out with every customer done once; the wrong key halted at once.' : 'FAILED: see above.');
process.exitCode = ok ? 0 : 1;
