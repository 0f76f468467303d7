/**
 * Offboarding: customers leave, their members and users are deleted. Deletes are idempotent:
 * "not found" on a delete means an earlier attempt (or someone else) already did it, so running
 * the same offboarding twice is a success both times and deletes nothing the second time.
 *
 * Run: npx tsx examples/offboarding.ts
 */
import { createMemoryStore, createMxClient, createRuntime, type CustomerInput } from '../src/index.js';
import type { OffboardingOutput } from '../machines/index.js';
import { startSandbox } from '../src/sandbox/index.js';

const sandbox = await startSandbox({ auth: 'token', aggregationMs: 200 });
const client = createMxClient({ baseUrl: sandbox.url, clientId: 'sandbox-client', apiKey: 'sandbox-key', auth: 'token' });
const runtime = createRuntime({ store: createMemoryStore(), client, options: { pollIntervalMs: 200 } });

const customers: CustomerInput[] = ['ann', 'bob', 'cy'].map((id) => ({
  id,
  members: [{ id: `${id}-bank`, institution_code: 'mxbank', credentials: { username: 'mxuser', password: 'password' } }],
}));
const inMx = () => `MX holds ${sandbox.state().users.length} users and ${sandbox.state().members.length} members`;

// First, onboard them, so there is something to delete.
await runtime.submit('onboard', customers);
await runtime.run('onboard');
console.log(`After onboarding: ${inMx()}.`);

// Each item of an offboarding job says what happened to the user and to each member.
const outcomes: OffboardingOutput[] = [];
runtime.events.on('item.final', (e) => {
  if (e.jobId.startsWith('offboard')) outcomes.push(e.outcome as OffboardingOutput);
});
async function offboard(jobId: string) {
  outcomes.length = 0;
  // The same customer list, in a job of kind 'offboard'; a delete needs no credentials.
  await runtime.submit(jobId, customers, 'offboard');
  const { counts } = await runtime.run(jobId);
  for (const o of outcomes.toSorted((a, b) => a.externalId.localeCompare(b.externalId))) {
    console.log(`  ${o.externalId}: ${o.outcome}; user ${o.user}; members ${o.members.map((m) => `${m.externalId} ${m.outcome}`).join(', ')}`);
  }
  console.log(`  ${counts.done} of ${customers.length} done; ${inMx()}.`);
  return counts.done === customers.length;
}

console.log('Offboarding the three customers:');
const firstDone = await offboard('offboard-1');
const emptyAfterFirst = sandbox.state().users.length === 0 && sandbox.state().members.length === 0;

// A second offboarding of the same customers, e.g. a retried batch: every delete finds nothing.
console.log('Offboarding them again:');
const secondDone = await offboard('offboard-2');
const noOp = outcomes.every((o) => o.user === 'alreadyGone' && o.members.every((m) => m.outcome === 'alreadyGone'));

await runtime.close();
await client.close();
await sandbox.close();

const ok = firstDone && emptyAfterFirst && secondDone && noOp && outcomes.length === customers.length;
console.log(ok ? 'OK: MX is empty, and offboarding again was a success that deleted nothing.' : 'FAILED: see above.');
process.exit(ok ? 0 : 1);
