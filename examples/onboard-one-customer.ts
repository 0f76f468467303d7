/**
 * Onboarding one customer with two bank connections, the way a job of thousands would run.
 *
 * Run: npx tsx examples/onboard-one-customer.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMxClient, createRuntime, createSqliteStore, type CustomerInput } from '../src/index.js';
import { startSandbox } from '../src/sandbox/index.js';

// A local MX Platform API on a free port. Aggregations take 200 ms here instead of seconds.
const sandbox = await startSandbox({ auth: 'token', aggregationMs: 200 });

// The client is the only thing that talks HTTP. The sandbox knows this test id and key.
const client = createMxClient({ baseUrl: sandbox.url, clientId: 'sandbox-client', apiKey: 'sandbox-key', auth: 'token' });

// The customer's state is written to this SQLite file as it changes, so a crash loses nothing
// and running the job again resumes it (see crash-and-resume.ts).
const dir = mkdtempSync(join(tmpdir(), 'mx-example-'));
const store = createSqliteStore({ path: join(dir, 'jobs.sqlite') });

// MX asks for at least 3 s between two status reads. The sandbox does not mind a faster pace.
const runtime = createRuntime({ store, client, concurrency: 4, options: { pollIntervalMs: 200 } });

// The external ids ("ada", "ada-checking") are what makes the lifecycle idempotent: a second create
// with the same id is recognised, never duplicated. The credentials are held in memory only.
const ada: CustomerInput = {
  id: 'ada',
  email: 'ada@example.com',
  members: [
    { id: 'ada-checking', institution_code: 'mxbank', credentials: { username: 'mxuser', password: 'password' } },
    { id: 'ada-savings', institution_code: 'mxbank', credentials: { username: 'mxuser', password: 'password' } },
  ],
};

// Say what happens as it happens: each change of the customer's state, then its final output,
// which says what was created and why each member ended where it did.
let output: unknown = null;
runtime.events.on('item.transition', (e) => console.log(`  ${e.itemId}: ${e.value}`));
runtime.events.on('item.final', (e) => {
  console.log(`  ${e.itemId} finished: ${e.state}`);
  output = e.outcome;
});

// submit() only records the job's items; run() works until every item is final.
await runtime.submit('first-job', [ada]);
console.log('Onboarding customer "ada" with two members...');
const result = await runtime.run('first-job');

console.log('Final output:', JSON.stringify(output, null, 2));
console.log(`Items by state: ${JSON.stringify(result.counts)}`);

// The sandbox's ground truth: what MX really holds now.
const truth = sandbox.state();
console.log(`MX now has ${truth.users.length} user and ${truth.members.length} members.`);

await runtime.close();
await client.close();
await store.close();
await sandbox.close();
rmSync(dir, { recursive: true, force: true });

const ok = result.counts.done === 1 && truth.users.length === 1 && truth.members.length === 2;
console.log(ok ? 'OK: the customer is onboarded.' : 'FAILED: the customer did not end done.');
process.exit(ok ? 0 : 1);
