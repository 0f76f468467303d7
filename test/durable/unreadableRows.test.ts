/**
 * The runtime sets an unrestorable row apart on the in-memory store too (its contract is the one
 * SQLite and PostgreSQL keep; test/cli/unreadableRows.test.ts drives those through the CLI): the
 * customer fails with its `unreadable_row` cause, `item.final` says so, and every other customer
 * of the job finishes in the same run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MACHINES_VERSION } from '../../machines/versions.js';
import { createMxClient } from '../../src/api/index.js';
import { createRuntime } from '../../src/durable/runtime.js';
import { createMemoryStore } from '../../src/durable/store/index.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import type { CustomerInput } from '../../src/input/types.js';

const customer = (id: string): CustomerInput => ({
  id, email: `${id}@example.com`, members: [{ id: `${id}-m0`, institution_code: 'mxbank', credentials: { username: 'mxuser', password: 'password' } }],
});

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ auth: 'token', aggregationMs: 100 });
});
afterAll(async () => {
  await sandbox.close();
});

describe('a run with unrestorable rows (memory store)', () => {
  it('fails each of them with its cause and finishes the others, writing the machines version with every snapshot', async () => {
    const store = createMemoryStore();
    const client = createMxClient({ baseUrl: sandbox.url, clientId: 'sandbox-client', apiKey: 'sandbox-key', auth: 'token' });
    const runtime = createRuntime({ store, client, concurrency: 4, options: { pollIntervalMs: 100, baseDelayMs: 50, maxDelayMs: 500 } });
    const finals = new Map<string, unknown>();
    runtime.events.on('item.final', (event) => finals.set(event.itemId, { state: event.state, outcome: event.outcome }));
    await runtime.submit('mem', ['mem-1', 'mem-2', 'mem-3', 'mem-4'].map(customer));
    // The runtime's own owner on a single-process store is 'local': these rows look like a stopped run's.
    await store.claimItems('mem', { owner: 'local', limit: 3, leaseMs: 60_000 });
    await store.saveItems('mem', 'local', [
      { id: 'mem-1', state: 'active', snapshot: { status: 'active', value: 'enrollingMembers', context: {}, children: {} }, machineVersion: 1, dueAt: null },
      { id: 'mem-2', state: 'active', snapshot: { status: 'active', value: 'members', context: {}, children: {} }, machineVersion: MACHINES_VERSION + 1, dueAt: null },
      { id: 'mem-3', state: 'active', snapshot: ['not', 'an', 'object'], machineVersion: 1, dueAt: null },
    ]);
    await store.releaseItems('mem', 'local', ['mem-1', 'mem-2', 'mem-3']);

    const result = await runtime.run('mem');
    expect(result.halted).toBeNull();
    expect(result.counts).toMatchObject({ done: 1, failed: 3, active: 0, pending: 0 });
    const causeOf = (id: string) => (finals.get(id) as { outcome: { error: { kind: string; cause: string; column: string } } }).outcome.error;
    expect(causeOf('mem-1')).toMatchObject({ kind: 'unreadable_row', cause: 'unknown_state', column: 'snapshot' });
    expect(causeOf('mem-2')).toMatchObject({ kind: 'unreadable_row', cause: 'newer_machines', column: 'snapshot' });
    expect(causeOf('mem-3')).toMatchObject({ kind: 'unreadable_row', cause: 'bad_shape', column: 'snapshot' });
    expect(finals.get('mem-4')).toMatchObject({ state: 'done' });
    // What a later release needs to migrate the finished customer's snapshot: the version that wrote it.
    expect(await store.getItem('mem', 'mem-4')).toMatchObject({ state: 'done', machineVersion: MACHINES_VERSION });
    // The rows set apart keep the snapshot they could not restore.
    expect(await store.getItem('mem', 'mem-1')).toMatchObject({ state: 'failed', machineVersion: 1, snapshot: { value: 'enrollingMembers' } });
    const status = await runtime.status('mem');
    expect(status.failed.map((item) => item.id)).toEqual(['mem-1', 'mem-2', 'mem-3']);
    await runtime.close();
    await client.close();
    await store.close();
  });
});
