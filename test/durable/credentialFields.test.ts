/**
 * An institution's credential fields are read once per job run and institution, not once per
 * member (issue 25), and read again only when a create says they are stale: the member machine's
 * refresh path. Counted at the sandbox (`stats.byRoute`) and at a proxy in front of it, never timed.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { createMxClient } from '../../src/api/index.js';
import { createCredentialFieldCache } from '../../src/durable/credentialFields.js';
import { createRuntime, type Runtime } from '../../src/durable/runtime.js';
import { createPostgresStore, createSqliteStore } from '../../src/durable/store/index.js';
import type { CustomerInput } from '../../src/input/types.js';
import { startSandbox } from '../../src/sandbox/index.js';
import { PG_URL } from '../support/services/urls.js';
import { startRecordingProxy } from './fixtures/recordingProxy.js';

const FIELDS_READ = 'GET /institutions/{institution_identifier}/credentials';
const CREATE = 'POST /users/{user_identifier}/members';
const fast = { pollIntervalMs: 50, baseDelayMs: 20, maxDelayMs: 100 };

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).toReversed()) await cleanup();
});

const customers = (prefix: string, count: number): CustomerInput[] =>
  Array.from({ length: count }, (_, i) => ({
    id: `${prefix}-${i}`,
    members: [{ id: `${prefix}-${i}-m0`, institution_code: 'mxbank', credentials: { username: 'mxuser', password: 'password' } }],
  }));

async function sqliteRuntime(baseUrl: string, concurrency = 10): Promise<Runtime> {
  const store = createSqliteStore({ path: join(mkdtempSync(join(tmpdir(), 'mx-fields-')), 'job.sqlite') });
  const client = createMxClient({ baseUrl, clientId: 'sandbox-client', apiKey: 'sandbox-key' });
  const runtime = createRuntime({ store, client, concurrency, options: fast });
  cleanups.push(async () => {
    await runtime.close();
    await client.close();
    await store.close();
  });
  return runtime;
}

describe('credential fields per job run and institution', () => {
  it('reads them once for 30 members of one institution, and once more for the next run', async () => {
    const sandbox = await startSandbox({ aggregationMs: 20 });
    cleanups.push(() => sandbox.close());
    const runtime = await sqliteRuntime(sandbox.url);
    await runtime.submit('first', customers('a', 30));
    expect((await runtime.run('first')).counts).toMatchObject({ done: 30 });
    expect(sandbox.state().stats.byRoute[FIELDS_READ]).toBe(1);
    // A new run reads them afresh: fields MX retired meanwhile are not used for its creates.
    await runtime.submit('second', customers('b', 5));
    expect((await runtime.run('second')).counts).toMatchObject({ done: 5 });
    expect(sandbox.state().stats.byRoute[FIELDS_READ]).toBe(2);
    expect(runtime.held().credentialFields).toBe(0);
  }, 60_000);

  it('reads them again once when the creates say they are stale, and every member then connects', async () => {
    const sandbox = await startSandbox({ aggregationMs: 20 });
    cleanups.push(() => sandbox.close());
    // The first read answers with guids MX has since retired (as after MX changed the institution's
    // fields): every create made with them is refused with "The credential GUIDs submitted are no
    // longer valid" (credentials_stale), and the members go back for the fields.
    let intercepted = 0;
    const proxy = await startRecordingProxy(sandbox.url, ({ method, path }) => {
      if (method !== 'GET' || !path.startsWith('/institutions/mxbank/credentials') || intercepted > 0) return null;
      intercepted += 1;
      const retired = [
        { guid: 'CRD-retired-login', field_name: 'LOGIN', label: 'Username', type: 'LOGIN', display_order: 1 },
        { guid: 'CRD-retired-password', field_name: 'PASSWORD', label: 'Password', type: 'PASSWORD', display_order: 2 },
      ];
      return { status: 200, body: JSON.stringify({ credentials: retired, pagination: { current_page: 1, per_page: 25, total_entries: 2, total_pages: 1 } }) };
    });
    cleanups.push(() => proxy.close());
    const runtime = await sqliteRuntime(proxy.url);
    await runtime.submit('stale', customers('s', 10));
    expect((await runtime.run('stale')).counts).toMatchObject({ done: 10 });
    const { stats, members } = sandbox.state();
    // Two reads in all: the stale one, and the one the first refused member made; the other nine
    // took the fresh fields it read rather than read them again.
    expect(proxy.log.filter((r) => r.path.startsWith('/institutions/mxbank/credentials'))).toHaveLength(2);
    expect(stats.byRoute[FIELDS_READ]).toBe(1);
    expect(stats.byRoute[CREATE]).toBe(20);
    expect(stats.byStatus).toMatchObject({ 422: 10 });
    expect(members.map((m) => m.id).toSorted()).toEqual(customers('s', 10).map((c) => `${c.id}-m0`).toSorted());
  }, 60_000);

  it('with PostgreSQL workers, reads them once per worker that ran a member', async () => {
    const sandbox = await startSandbox({ aggregationMs: 20 });
    cleanups.push(() => sandbox.close());
    const schema = `mx_fields_${process.pid}_${Date.now().toString(36)}`;
    const admin = new pg.Pool({ connectionString: PG_URL, max: 1 });
    cleanups.push(async () => {
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await admin.end();
    });
    const workers = ['w1', 'w2'].map((owner) => {
      const store = createPostgresStore({ connectionString: PG_URL, schema, poolSize: 2 });
      const client = createMxClient({ baseUrl: sandbox.url, clientId: 'sandbox-client', apiKey: 'sandbox-key' });
      const runtime = createRuntime({ store, client, owner, concurrency: 4, options: fast });
      cleanups.push(async () => {
        await runtime.close();
        await client.close();
        await store.close();
      });
      const ran = new Set<string>();
      runtime.events.on('item.final', (event) => ran.add(event.itemId));
      return { runtime, ran };
    });
    // Credentials are never stored: each worker is given them, as each `onboard` process reads the input.
    for (const worker of workers) await worker.runtime.submit('shared', customers('p', 24));
    await Promise.all(workers.map((w) => w.runtime.run('shared')));
    const ranMembers = workers.filter((w) => w.ran.size > 0).length;
    expect(workers.reduce((n, w) => n + w.ran.size, 0)).toBe(24);
    expect(sandbox.state().stats.byRoute[FIELDS_READ]).toBe(ranMembers);
    expect(sandbox.state().stats.byRoute[CREATE]).toBe(24);
  }, 60_000);
});

describe('the cache itself, over the sandbox', () => {
  it('keeps one entry per institution, keeps no failed read, and holds metadata only', async () => {
    const sandbox = await startSandbox();
    cleanups.push(() => sandbox.close());
    const client = createMxClient({ baseUrl: sandbox.url, clientId: 'sandbox-client', apiKey: 'sandbox-key' });
    cleanups.push(() => client.close());
    const cache = createCredentialFieldCache((input, signal) => client.listInstitutionCredentials(input.institutionCode, { signal }));
    const signal = new AbortController().signal;
    const both = await Promise.all([cache.list({ institutionCode: 'mxbank' }, signal), cache.list({ institutionCode: 'mxbank' }, signal)]);
    expect(both.map((r) => r._unsafeUnwrap().map((f) => f.guid))).toEqual([['CRD-username', 'CRD-password'], ['CRD-username', 'CRD-password']]);
    expect((await cache.list({ institutionCode: 'manual' }, signal))._unsafeUnwrap()).toEqual([]);
    expect((await cache.list({ institutionCode: 'no-such-bank' }, signal))._unsafeUnwrapErr()).toMatchObject({ kind: 'not_found' });
    expect((await cache.list({ institutionCode: 'no-such-bank' }, signal)).isErr()).toBe(true);
    expect(cache.size).toBe(2);
    // Stale guids that are not the ones held take what is held; the ones held are read again.
    await cache.list({ institutionCode: 'mxbank', stale: ['CRD-elsewhere'] }, signal);
    await cache.list({ institutionCode: 'mxbank', stale: ['CRD-password', 'CRD-username'] }, signal);
    expect(sandbox.state().stats.byRoute).toMatchObject({
      'GET /institutions/{institution_identifier}/credentials': 2 + 1 + 2,
    });
    const keys = Object.keys((await cache.list({ institutionCode: 'mxbank' }, signal))._unsafeUnwrap()[0]!).toSorted();
    expect(keys.every((key) => ['guid', 'field_name', 'label', 'type', 'display_order', 'field_type'].includes(key))).toBe(true);
  });

  it('cancels a read only when every member waiting for it has left, and forgets it', async () => {
    // Each answer takes 5 s: the reads are still under way when the members leave.
    const sandbox = await startSandbox({ latencyMs: 5_000 });
    cleanups.push(() => sandbox.close());
    const client = createMxClient({ baseUrl: sandbox.url, clientId: 'sandbox-client', apiKey: 'sandbox-key' });
    cleanups.push(() => client.close());
    const cache = createCredentialFieldCache((input, signal) => client.listInstitutionCredentials(input.institutionCode, { signal }));
    const [a, b, c] = [new AbortController(), new AbortController(), new AbortController()];
    const first = cache.list({ institutionCode: 'mxbank' }, a.signal);
    const second = cache.list({ institutionCode: 'mxbank' }, b.signal);
    a.abort();
    expect(cache.size).toBe(1);
    b.abort();
    expect(cache.size).toBe(0);
    expect((await first).isErr()).toBe(true);
    expect((await second).isErr()).toBe(true);
    // One left of two: the read goes on for the one still waiting.
    const kept = cache.list({ institutionCode: 'mxbank' }, c.signal);
    const leaving = new AbortController();
    void cache.list({ institutionCode: 'mxbank' }, leaving.signal);
    leaving.abort();
    expect((await kept)._unsafeUnwrap()).toHaveLength(2);
    expect(cache.size).toBe(1);
  }, 30_000);
});
