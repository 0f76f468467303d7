/**
 * The runtime's `replaceCredentials` (what `mx-lifecycle retry` runs with): a customer re-opened
 * through `store.resetItems` starts over, finds the member MX already has instead of creating a
 * second one, and sends the new credentials through update member, which aggregates with them
 * (MX Platform API reference, "Update member": updating credentials starts an aggregation).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMxClient } from '../../src/api/index.js';
import { createRuntime } from '../../src/durable/runtime.js';
import { createSqliteStore } from '../../src/durable/store/index.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import type { CustomerInput } from '../../src/input/types.js';

const fast = { pollIntervalMs: 100, baseDelayMs: 50, maxDelayMs: 500, answerWindowMs: 0 };
const customer = (id: string, password: string): CustomerInput => ({
  id,
  members: [{ id: `${id}-m0`, institution_code: 'mxbank', credentials: { username: 'mxuser', password } }],
});

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ auth: 'basic', aggregationMs: 100 });
});
afterAll(async () => {
  await sandbox.close();
});

describe('runtime replaceCredentials', () => {
  it('re-opened customers get new credentials by update member: the same member connects, no second one', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'mx-replace-')), 'job.sqlite');
    const client = createMxClient({ baseUrl: sandbox.url, clientId: 'sandbox-client', apiKey: 'sandbox-key' });
    const first = createRuntime({ store: createSqliteStore({ path }), client, concurrency: 2, options: fast });
    await first.submit('denied', [customer('rc-1', 'INVALID'), customer('rc-2', 'INVALID')]);
    expect((await first.run('denied')).counts).toMatchObject({ needsAction: 2 });
    await first.close();
    const guids = sandbox.state().members.filter((m) => m.id?.startsWith('rc-')).map((m) => m.guid).toSorted();

    const store = createSqliteStore({ path });
    await store.init();
    const reset = await store.resetItems('denied', ['rc-1', 'rc-2'].map((id) => ({ id, state: 'pending' as const, snapshot: null, outcome: null })), ['needsAction']);
    expect(reset.toSorted()).toEqual(['rc-1', 'rc-2']);
    // rc-1 gets a corrected password; rc-2 none, so it is aggregated again as it is.
    const second = createRuntime({ store, client, concurrency: 2, options: fast, replaceCredentials: true });
    await second.submit('denied', [customer('rc-1', 'corrected')]);
    const result = await second.run('denied');
    await second.close();
    await client.close();

    expect(result.counts).toMatchObject({ done: 1, needsAction: 1 });
    const members = sandbox.state().members.filter((m) => m.id?.startsWith('rc-'));
    expect(members.map((m) => m.guid).toSorted()).toEqual(guids);
    expect(Object.fromEntries(members.map((m) => [m.id, m.connection_status]))).toEqual({ 'rc-1-m0': 'CONNECTED', 'rc-2-m0': 'DENIED' });
  }, 30_000);
});
