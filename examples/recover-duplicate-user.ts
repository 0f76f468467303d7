/**
 * Recovering a user that already exists. A create can succeed at MX while its response is lost
 * (a timeout, a reset connection, a crash). Retrying it then gets "already exists": the lifecycle
 * treats that as a sign to look the user up by its external id, not as a failure.
 *
 * Run: npx tsx examples/recover-duplicate-user.ts
 */
import { createMemoryStore, createMxClient, createRuntime } from '../src/index.js';
import { startSandbox } from '../src/sandbox/index.js';

const sandbox = await startSandbox({ auth: 'token', aggregationMs: 200 });
const client = createMxClient({ baseUrl: sandbox.url, clientId: 'sandbox-client', apiKey: 'sandbox-key', auth: 'token' });

// The "lost response": create the user directly, as an earlier attempt did, and forget what MX said
// except for the guid we print to compare with. Every call returns a Result, never throws.
const earlier = await client.createUser({ id: 'grace', email: 'grace@example.com' });
if (earlier.isErr()) {
  console.log(`FAILED: could not create the user beforehand (${earlier.error.kind})`);
  process.exit(1);
}
console.log(`An earlier attempt created user "grace" as ${earlier.value.guid}, and its response was lost.`);

// Watch the HTTP traffic to see the recovery: a create refused as a duplicate, then a lookup by id.
client.events.on('response', (e) => console.log(`  ${e.method} ${e.path} -> ${e.status}${e.kind ? ` (${e.kind})` : ''}`));

// An in-memory store is enough here: this example is about idempotence, not durability.
const runtime = createRuntime({ store: createMemoryStore(), client, options: { pollIntervalMs: 200 } });
let userGuid: string | null = null;
runtime.events.on('item.final', (e) => {
  userGuid = (e.outcome as { userGuid: string | null }).userGuid;
  console.log(`Onboarding of "${e.itemId}" ended ${e.state}.`);
});

console.log('Onboarding "grace" again...');
await runtime.submit('retry-job', [
  { id: 'grace', email: 'grace@example.com', members: [{ id: 'grace-checking', institution_code: 'mxbank', credentials: { username: 'mxuser', password: 'password' } }] },
]);
const result = await runtime.run('retry-job');

// The guid the runtime recorded is the one MX created the first time: no second user exists.
const users = sandbox.state().users.filter((u) => u.id === 'grace');
console.log(`guid created earlier:  ${earlier.value.guid}`);
console.log(`guid after onboarding: ${userGuid}`);
console.log(`users with id "grace" at MX: ${users.length}`);

await runtime.close();
await client.close();
await sandbox.close();

const ok = result.counts.done === 1 && userGuid === earlier.value.guid && users.length === 1;
console.log(ok ? 'OK: the guids are equal; the existing user was recovered, not duplicated.' : 'FAILED: the user was not recovered.');
process.exit(ok ? 0 : 1);
