/**
 * Credentials given to `submit` are held per customer and member: two customers of one job whose
 * members carry the same id each get their own password sent. (The CLI refuses such input as a
 * bad row, test/input/limits.test.ts, since MX member ids are unique within a client; a library
 * caller who submits it directly must still never have one customer's password sent for another.)
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createMxClient } from '../../src/api/index.js';
import { createRuntime } from '../../src/durable/runtime.js';
import { createSqliteStore } from '../../src/durable/store/index.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ aggregationMs: 50 });
});
afterAll(async () => {
  await sandbox.close();
});

it('sends each customer its own credentials when two customers share a member id', async () => {
  const store = createSqliteStore({ path: join(mkdtempSync(join(tmpdir(), 'mx-per-member-')), 'job.sqlite') });
  const client = createMxClient({ baseUrl: sandbox.url, clientId: 'sandbox-client', apiKey: 'sandbox-key' });
  const runtime = createRuntime({ store, client, concurrency: 1, options: { pollIntervalMs: 50, baseDelayMs: 20, maxDelayMs: 100 } });
  const member = (password: string) => ({ id: 'shared-m1', institution_code: 'mxbank', credentials: { username: 'mxuser', password } });
  await runtime.submit('shared', [
    { id: 'x-alice', members: [member('password')] },
    { id: 'x-bob', members: [member('denied')] },
  ]);
  const result = await runtime.run('shared');
  const alice = await store.getItem('shared', 'x-alice');
  const bob = await store.getItem('shared', 'x-bob');
  await runtime.close();
  await client.close();
  await store.close();
  expect(result.halted).toBeNull();
  // mxbank: "password" connects, "denied" is DENIED (docs.mx.com, Testing with MX Bank).
  expect(alice?.state).toBe('done');
  // One at a time, Alice first: Bob's create is refused, as MX refuses a member id used in the client.
  expect(bob?.state).toBe('failed');
  const truth = await sandbox.state();
  expect(truth.members.filter((m) => m.id === 'shared-m1')).toHaveLength(1);
});
