/**
 * A worker killed halfway through a job, then started again. The runtime writes each customer's
 * state to the SQLite file as it changes, so the second worker picks up where the first stood.
 * Calls that were in flight at the kill run again; the external ids turn a second create into
 * "already exists", which is recovered, so MX still ends with each customer exactly once.
 *
 * Run: npx tsx examples/crash-and-resume.ts
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createMxClient, createRuntime, createSqliteStore, type CustomerInput } from '../src/index.js';
import { startSandbox } from '../src/sandbox/index.js';

const CUSTOMERS: CustomerInput[] = Array.from({ length: 30 }, (_, i) => ({
  id: `customer-${i + 1}`,
  members: [{ id: `customer-${i + 1}-bank`, institution_code: 'mxbank', credentials: { username: 'mxuser', password: 'password' } }],
}));

/** The worker: what a real job process does. Submitting again is harmless and gives it the credentials. */
async function worker(baseUrl: string, storePath: string) {
  const client = createMxClient({ baseUrl, clientId: 'sandbox-client', apiKey: 'sandbox-key', auth: 'token' });
  const store = createSqliteStore({ path: storePath });
  const runtime = createRuntime({ store, client, concurrency: 4, options: { pollIntervalMs: 200 } });
  await runtime.submit('crash-job', CUSTOMERS);
  const before = await store.counts('crash-job');
  console.log(`  [worker ${process.pid}] ${before.done} done already, ${before.active} to resume, ${before.pending} not started`);
  runtime.events.on('item.final', (e) => {
    console.log(`  [worker ${process.pid}] finished ${e.itemId}: ${e.state}`);
    process.send?.('finished'); // tells the parent, which decides when to kill
  });
  const { counts } = await runtime.run('crash-job');
  console.log(`  [worker ${process.pid}] job complete, ${counts.done} done`);
  await runtime.close();
  await client.close();
  await store.close();
}

/** Runs this same file as a worker process; `onFinished` hears of each finished customer and may kill it. */
function startWorker(baseUrl: string, storePath: string, onFinished: (kill: () => void) => void) {
  const child = fork(fileURLToPath(import.meta.url), ['worker', baseUrl, storePath], {
    execArgv: ['--import', 'tsx'],
    cwd: fileURLToPath(new URL('..', import.meta.url)), // where tsx is installed
  });
  child.on('message', () => onFinished(() => child.kill('SIGKILL')));
  return new Promise<NodeJS.Signals | number | null>((resolve) => child.on('exit', (code, signal) => resolve(signal ?? code)));
}

if (process.argv[2] === 'worker') {
  process.on('disconnect', () => process.exit(1)); // no orphan left running if the parent dies
  await worker(process.argv[3] ?? '', process.argv[4] ?? '');
  process.exit(0);
}

// The sandbox lives in this (parent) process, so what MX holds survives the worker's death.
const sandbox = await startSandbox({ auth: 'token', aggregationMs: 200 });
const dir = mkdtempSync(join(tmpdir(), 'mx-crash-'));
const storePath = join(dir, 'jobs.sqlite');

console.log('Starting a worker on 30 customers; it will be killed once 10 have finished.');
let finished = 0;
const first = await startWorker(sandbox.url, storePath, (kill) => {
  if (++finished === 10) kill();
});
console.log(`The first worker ended by ${first}. Starting it again...`);
const second = await startWorker(sandbox.url, storePath, () => undefined);
console.log(`The second worker exited with code ${second}.`);

// Ground truth: one user per customer and one member per connection, none missing, none twice.
const { users, members } = sandbox.state();
const timesEach = (records: ReadonlyArray<{ id: string | null }>, ids: string[]) => ids.map((id) => records.filter((r) => r.id === id).length);
const userCounts = timesEach(users, CUSTOMERS.map((c) => c.id));
const memberCounts = timesEach(members, CUSTOMERS.flatMap((c) => c.members.map((m) => m.id)));
console.log(`MX holds ${users.length} users and ${members.length} members for ${CUSTOMERS.length} customers.`);
await sandbox.close();
rmSync(dir, { recursive: true, force: true });

const ok = first === 'SIGKILL' && second === 0 && [...userCounts, ...memberCounts].every((n) => n === 1) && users.length === 30;
console.log(ok ? 'OK: after the crash and the resume, each customer is in MX exactly once.' : 'FAILED: see above.');
process.exit(ok ? 0 : 1);
