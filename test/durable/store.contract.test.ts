/**
 * One contract, three backends: the runtime is written against SnapshotStore, so memory, SQLite (a
 * real file) and PostgreSQL (a real server, in a schema of its own) must behave the same.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiError } from '../../src/errors/types.js';
import type { ItemUpdate, SnapshotStore, StoredItem } from '../../src/durable/store/contract.js';
import { createMemoryStore, createPostgresStore, createSqliteStore } from '../../src/durable/store/index.js';
import { PG_URL } from '../support/services/urls.js';

interface Backend {
  name: string;
  /** A handle on the backend's data; every call opens another connection (pool, file handle) where there is one. */
  open(): SnapshotStore;
  cleanup(): Promise<void>;
  /** Writes a column's text behind the store's back, as a disk fault or a hand edit would (durable backends only). */
  writeRaw?(jobId: string, id: string, column: 'input' | 'snapshot' | 'outcome', text: string): Promise<void>;
}

function memoryBackend(): Backend {
  const store = createMemoryStore();
  return { name: 'memory', open: () => store, cleanup: () => store.close() };
}

function sqliteBackend(): Backend {
  const dir = mkdtempSync(join(tmpdir(), 'mx-store-contract-'));
  const path = join(dir, 'nested', 'jobs.sqlite');
  const opened: SnapshotStore[] = [];
  return {
    name: 'sqlite',
    open: () => {
      const store = createSqliteStore({ path });
      opened.push(store);
      return store;
    },
    cleanup: async () => {
      for (const store of opened) await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
    writeRaw: async (jobId, id, column, text) => {
      const db = new Database(path);
      db.prepare(`UPDATE items SET ${column} = ? WHERE job_id = ? AND id = ?`).run(text, jobId, id);
      db.close();
    },
  };
}

function postgresBackend(): Backend {
  const schema = `mx_contract_${process.pid}_${Date.now().toString(36)}`;
  const opened: SnapshotStore[] = [];
  return {
    name: 'postgres',
    open: () => {
      const store = createPostgresStore({ connectionString: PG_URL, schema, poolSize: 3 });
      opened.push(store);
      return store;
    },
    cleanup: async () => {
      for (const store of opened) await store.close();
      const client = new pg.Client({ connectionString: PG_URL });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await client.end();
    },
    writeRaw: async (jobId, id, column, text) => {
      const client = new pg.Client({ connectionString: PG_URL });
      await client.connect();
      await client.query(`UPDATE "${schema}".items SET ${column} = $3 WHERE job_id = $1 AND id = $2`, [jobId, id, text]);
      await client.end();
    },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const ids = (items: readonly StoredItem[]) => items.map((item) => item.id);
const range = (n: number, prefix = 'c') => Array.from({ length: n }, (_, i) => ({ id: `${prefix}${i + 1}`, input: { n: i + 1 } }));
const halt: ApiError = {
  kind: 'unauthorized', status: 401, retryable: false, scope: 'job', dialect: 'mx-sso', message: 'Unauthorized',
};

describe.each([
  ['memory', memoryBackend],
  ['sqlite', sqliteBackend],
  ['postgres', postgresBackend],
] as const)('SnapshotStore contract: %s', (_name, makeBackend) => {
  let backend: Backend;
  let store: SnapshotStore;
  let other: SnapshotStore;
  let jobCounter = 0;
  const newJob = async (items = 0): Promise<string> => {
    jobCounter += 1;
    const jobId = `job-${jobCounter}`;
    await store.ensureJob(jobId, 'onboard');
    if (items > 0) await store.addItems(jobId, range(items));
    return jobId;
  };
  const update = (id: string, patch: Partial<ItemUpdate> = {}): ItemUpdate => ({
    id, state: 'active', snapshot: { value: 'creating', id }, dueAt: null, ...patch,
  });

  beforeAll(async () => {
    backend = makeBackend();
    store = backend.open();
    other = backend.open();
    await store.init();
    await other.init();
  });
  afterAll(async () => {
    await backend.cleanup();
  });

  it('creates a job once and returns the same record on every ensureJob', async () => {
    const first = await store.ensureJob('ensure-1', 'offboard');
    const again = await other.ensureJob('ensure-1', 'onboard');
    expect(again).toEqual(first);
    expect(first).toMatchObject({ id: 'ensure-1', kind: 'offboard', halt: null });
    expect(Math.abs(first.createdAt - Date.now())).toBeLessThan(60_000);
    expect((await store.listJobs()).filter((job) => job.id === 'ensure-1')).toHaveLength(1);
    expect(await store.getJob('no-such-job')).toBeNull();
  });

  it('adds only ids the job has not seen, numbering them in insertion order', async () => {
    const jobId = await newJob();
    expect(await store.addItems(jobId, [{ id: 'a', input: { name: 'Zoë', tags: ['x'] } }, { id: 'b', input: null }, { id: 'c', input: 3 }])).toBe(3);
    expect(await other.addItems(jobId, [{ id: 'b', input: 'again' }, { id: 'd', input: 'd1' }, { id: 'c', input: 0 }, { id: 'd', input: 'd2' }, { id: 'e', input: {} }])).toBe(2);
    const items = await store.listItems(jobId);
    expect(items.map((item) => [item.id, item.seq, item.state])).toEqual([
      ['a', 1, 'pending'], ['b', 2, 'pending'], ['c', 3, 'pending'], ['d', 4, 'pending'], ['e', 5, 'pending'],
    ]);
    expect(items.map((item) => item.input)).toEqual([{ name: 'Zoë', tags: ['x'] }, null, 3, 'd1', {}]);
    expect(items[0]).toMatchObject({ jobId, snapshot: null, dueAt: null, outcome: null });
    await expect(store.addItems('missing-job', range(1))).rejects.toMatchObject({ code: 'MX_STORE_UNKNOWN_JOB' });
  });

  it('claims oldest first, skips excluded ids, and hands an owner back its own leases', async () => {
    const jobId = await newJob(6);
    const first = await store.claimItems(jobId, { owner: 'w1', limit: 2, leaseMs: 30_000 });
    expect(ids(first)).toEqual(['c1', 'c2']);
    const next = await store.claimItems(jobId, { owner: 'w1', limit: 2, leaseMs: 30_000, exclude: new Set(['c1', 'c2']) });
    expect(ids(next)).toEqual(['c3', 'c4']);
    // After a restart the worker knows nothing: with an empty exclude it gets its own items back.
    expect(ids(await store.claimItems(jobId, { owner: 'w1', limit: 10, leaseMs: 30_000 }))).toEqual(['c1', 'c2', 'c3', 'c4', 'c5', 'c6']);
    expect(await other.claimItems(jobId, { owner: 'w2', limit: 10, leaseMs: 30_000 })).toEqual([]);
    expect(await store.claimItems(jobId, { owner: 'w1', limit: 0, leaseMs: 30_000 })).toEqual([]);
  });

  it('never gives one item to two owners claiming at the same time', async () => {
    const jobId = await newJob();
    for (let i = 0; i < 1_000; i += 250) await store.addItems(jobId, range(1_000).slice(i, i + 250));
    const claimAll = async (handle: SnapshotStore, owner: string) => {
      const mine: string[] = [];
      for (;;) {
        const batch = await handle.claimItems(jobId, { owner, limit: 37, leaseMs: 60_000, exclude: new Set(mine) });
        if (batch.length === 0) return mine;
        mine.push(...ids(batch));
      }
    };
    const results = await Promise.all([claimAll(store, 'w1'), claimAll(other, 'w2'), claimAll(store, 'w3'), claimAll(other, 'w4')]);
    const all = results.flat();
    expect(all).toHaveLength(1_000);
    expect(new Set(all).size).toBe(1_000);
    // Each owner can renew exactly what it claimed: the leases really are theirs.
    for (const [i, owner] of ['w1', 'w2', 'w3', 'w4'].entries()) {
      expect((await store.renewLeases(jobId, owner, 60_000)).toSorted()).toEqual(results[i]!.toSorted());
    }
  });

  it('lets another owner take items whose lease ran out, and then refuses the old owner\'s writes', async () => {
    const jobId = await newJob(3);
    expect(ids(await store.claimItems(jobId, { owner: 'dead', limit: 2, leaseMs: 150 }))).toEqual(['c1', 'c2']);
    expect(ids(await other.claimItems(jobId, { owner: 'alive', limit: 10, leaseMs: 30_000 }))).toEqual(['c3']);
    await sleep(400);
    expect(ids(await other.claimItems(jobId, { owner: 'alive', limit: 10, leaseMs: 30_000, exclude: new Set(['c3']) }))).toEqual(['c1', 'c2']);
    expect(await store.saveItems(jobId, 'dead', [update('c1')])).toEqual([]);
    expect(await store.renewLeases(jobId, 'dead', 30_000)).toEqual([]);
    expect((await store.getItem(jobId, 'c1'))?.snapshot).toBeNull();
  });

  it('renews only the caller\'s leases, which keeps them from expiring', async () => {
    const jobId = await newJob(4);
    await store.claimItems(jobId, { owner: 'w1', limit: 2, leaseMs: 300 });
    await other.claimItems(jobId, { owner: 'w2', limit: 1, leaseMs: 30_000 });
    for (let i = 0; i < 4; i += 1) {
      await sleep(120);
      expect((await store.renewLeases(jobId, 'w1', 300)).toSorted()).toEqual(['c1', 'c2']);
    }
    // 480 ms after a 300 ms claim: only the renewals keep w2 out.
    expect(ids(await other.claimItems(jobId, { owner: 'w2', limit: 10, leaseMs: 30_000, exclude: new Set(['c3']) }))).toEqual(['c4']);
    expect(await store.renewLeases(jobId, 'nobody', 300)).toEqual([]);
  });

  it('releases items so that another owner can claim them at once', async () => {
    const jobId = await newJob(3);
    await store.claimItems(jobId, { owner: 'w1', limit: 3, leaseMs: 60_000 });
    await other.releaseItems(jobId, 'w2', ['c1']);
    expect(await other.claimItems(jobId, { owner: 'w2', limit: 3, leaseMs: 60_000 })).toEqual([]);
    await store.releaseItems(jobId, 'w1', ['c1', 'c3']);
    await store.releaseItems(jobId, 'w1', []);
    expect(ids(await other.claimItems(jobId, { owner: 'w2', limit: 3, leaseMs: 60_000 }))).toEqual(['c1', 'c3']);
    expect((await store.renewLeases(jobId, 'w1', 60_000)).toSorted()).toEqual(['c2']);
  });

  it('writes only the items the owner holds, last update winning, and keeps the outcome unless given', async () => {
    const jobId = await newJob(3);
    await store.claimItems(jobId, { owner: 'w1', limit: 2, leaseMs: 60_000 });
    await other.claimItems(jobId, { owner: 'w2', limit: 1, leaseMs: 60_000 });
    const written = await store.saveItems(jobId, 'w1', [
      update('c1', { snapshot: { step: 1 } }),
      update('c2', { state: 'halted', snapshot: { step: 'waiting' }, dueAt: 1_900_000_000_123, outcome: { note: 'kept' } }),
      update('c3', { snapshot: { stolen: true } }),
      update('c1', { snapshot: { step: 2, text: 'quote " backslash \\ and {braces}' } }),
      update('missing', { snapshot: {} }),
    ]);
    expect(written.toSorted()).toEqual(['c1', 'c2']);
    expect(await store.getItem(jobId, 'c1')).toMatchObject({
      state: 'active', snapshot: { step: 2, text: 'quote " backslash \\ and {braces}' }, dueAt: null, outcome: null,
    });
    expect(await store.getItem(jobId, 'c3')).toMatchObject({ state: 'pending', snapshot: null });
    const before = (await store.getItem(jobId, 'c2'))!;
    expect(before).toMatchObject({ state: 'halted', dueAt: 1_900_000_000_123, outcome: { note: 'kept' } });
    expect(Math.abs(before.updatedAt - Date.now())).toBeLessThan(60_000);
    await store.saveItems(jobId, 'w1', [update('c2', { snapshot: { step: 'resumed' } })]);
    expect(await store.getItem(jobId, 'c2')).toMatchObject({ state: 'active', outcome: { note: 'kept' }, snapshot: { step: 'resumed' } });
    expect(await store.saveItems(jobId, 'w1', [])).toEqual([]);
  });

  it('keeps the machines version beside the snapshot, keeps both when an update gives no snapshot, and resets them', async () => {
    const jobId = await newJob(3);
    expect(await store.getItem(jobId, 'c1')).toMatchObject({ snapshot: null, machineVersion: null, unreadable: null });
    await store.claimItems(jobId, { owner: 'w1', limit: 3, leaseMs: 60_000 });
    await store.saveItems(jobId, 'w1', [
      update('c1', { snapshot: { value: 'members' }, machineVersion: 4 }),
      update('c2', { snapshot: { value: 'creating' } }),
      update('c3', { snapshot: { value: 'polling' }, machineVersion: 2 }),
    ]);
    expect(await other.getItem(jobId, 'c1')).toMatchObject({ snapshot: { value: 'members' }, machineVersion: 4 });
    expect(await other.getItem(jobId, 'c2')).toMatchObject({ snapshot: { value: 'creating' }, machineVersion: null });
    // A row set apart keeps the snapshot it could not restore, and the version that wrote it.
    expect(await store.saveItems(jobId, 'w1', [{ id: 'c1', state: 'failed', dueAt: null, outcome: { outcome: 'failed' } }])).toEqual(['c1']);
    expect(await other.getItem(jobId, 'c1')).toMatchObject({ state: 'failed', snapshot: { value: 'members' }, machineVersion: 4, outcome: { outcome: 'failed' } });
    expect(await store.saveItems(jobId, 'w1', [{ id: 'c3', state: 'active', dueAt: 5 }])).toEqual(['c3']);
    expect(await other.getItem(jobId, 'c3')).toMatchObject({ state: 'active', snapshot: { value: 'polling' }, machineVersion: 2, dueAt: 5 });
    await other.resetItems(jobId, [{ id: 'c1', state: 'pending', snapshot: null, outcome: null }, { id: 'c3', state: 'active', snapshot: { value: 'x' }, machineVersion: 7, outcome: null }], ['failed', 'active']);
    expect(await store.getItem(jobId, 'c1')).toMatchObject({ state: 'pending', snapshot: null, machineVersion: null });
    expect(await store.getItem(jobId, 'c3')).toMatchObject({ snapshot: { value: 'x' }, machineVersion: 7 });
  });

  it('clears the lease when an item becomes final and never hands it out again', async () => {
    const jobId = await newJob(3);
    await store.claimItems(jobId, { owner: 'w1', limit: 3, leaseMs: 200 });
    const written = await store.saveItems(jobId, 'w1', [
      update('c1', { state: 'done', snapshot: { value: 'done' }, outcome: { userGuid: 'USR-1' } }),
      update('c2', { state: 'needsAction', snapshot: { value: 'needsAction' }, outcome: { connectionStatus: 'DENIED' } }),
    ]);
    expect(written.toSorted()).toEqual(['c1', 'c2']);
    expect((await store.renewLeases(jobId, 'w1', 200)).toSorted()).toEqual(['c3']);
    expect(await store.saveItems(jobId, 'w1', [update('c1', { state: 'active' })])).toEqual([]);
    await sleep(400);
    expect(ids(await other.claimItems(jobId, { owner: 'w2', limit: 10, leaseMs: 60_000 }))).toEqual(['c3']);
    expect(await store.claimItems(jobId, { owner: 'w1', limit: 10, leaseMs: 60_000 })).toEqual([]);
    expect(await store.getItem(jobId, 'c1')).toMatchObject({ state: 'done', outcome: { userGuid: 'USR-1' } });
  });

  it('resets items from the given states whoever holds them, and the holder loses them', async () => {
    const jobId = await newJob(4);
    await store.claimItems(jobId, { owner: 'w1', limit: 3, leaseMs: 60_000 });
    await store.saveItems(jobId, 'w1', [update('c3', { state: 'failed', snapshot: { value: 'failed' }, outcome: { why: 'x' } })]);
    const cancelled = await other.resetItems(
      jobId,
      ['c1', 'c3', 'c4', 'missing'].map((id) => ({ id, state: 'cancelled' as const, snapshot: { value: 'kept' }, outcome: { cancelled: true } })),
      ['pending', 'active', 'halted'],
    );
    expect(cancelled.toSorted()).toEqual(['c1', 'c4']);
    expect(await store.renewLeases(jobId, 'w1', 60_000)).toEqual(['c2']);
    expect(await store.saveItems(jobId, 'w1', [update('c1')])).toEqual([]);
    expect(await store.getItem(jobId, 'c1')).toMatchObject({ state: 'cancelled', outcome: { cancelled: true }, input: { n: 1 } });
    expect(await other.resetItems(jobId, [{ id: 'c3', state: 'pending', input: { n: 33 }, snapshot: null, outcome: null }], ['failed']))
      .toEqual(['c3']);
    expect(await store.getItem(jobId, 'c3')).toMatchObject({ state: 'pending', input: { n: 33 }, snapshot: null, outcome: null });
    expect(ids(await other.claimItems(jobId, { owner: 'w2', limit: 10, leaseMs: 60_000 }))).toEqual(['c3']);
  });

  it('leases what a reset re-opens to the owner it names, in the same write (retry): no other owner can claim it first', async () => {
    const jobId = await newJob(2);
    await store.claimItems(jobId, { owner: 'w1', limit: 2, leaseMs: 60_000 });
    await store.saveItems(jobId, 'w1', [update('c1', { state: 'needsAction', snapshot: { value: 'needsAction' }, outcome: { why: 'DENIED' } })]);
    const reopened = await other.resetItems(
      jobId, [{ id: 'c1', state: 'pending', snapshot: null, outcome: null }], ['needsAction'], { owner: 'retry-1', leaseMs: 60_000 },
    );
    expect(reopened).toEqual(['c1']);
    // The worker still running the job, claiming as it always does, does not get it.
    expect(ids(await store.claimItems(jobId, { owner: 'w1', limit: 10, leaseMs: 60_000 }))).toEqual(['c2']);
    expect(ids(await other.claimItems(jobId, { owner: 'retry-1', limit: 10, leaseMs: 60_000 }))).toEqual(['c1']);
    expect(await other.renewLeases(jobId, 'retry-1', 60_000)).toEqual(['c1']);
  });

  it('counts every state, zeros included', async () => {
    const zeros = { pending: 0, active: 0, halted: 0, done: 0, needsAction: 0, failed: 0, cancelled: 0 };
    expect(await store.counts('no-such-job')).toEqual(zeros);
    const jobId = await newJob(5);
    await store.claimItems(jobId, { owner: 'w1', limit: 4, leaseMs: 60_000 });
    await store.saveItems(jobId, 'w1', [
      update('c1', { state: 'done' }), update('c2', { state: 'failed' }), update('c3', { state: 'active' }), update('c4', { state: 'cancelled' }),
    ]);
    expect(await other.counts(jobId)).toEqual({ ...zeros, pending: 1, active: 1, done: 1, failed: 1, cancelled: 1 });
  });

  it('lists items by state, page by page', async () => {
    const jobId = await newJob(7);
    await store.claimItems(jobId, { owner: 'w1', limit: 7, leaseMs: 60_000 });
    await store.saveItems(jobId, 'w1', ['c2', 'c4', 'c5', 'c7'].map((id) => update(id, { state: 'needsAction' })));
    expect(ids(await store.listItems(jobId, { states: ['needsAction'] }))).toEqual(['c2', 'c4', 'c5', 'c7']);
    expect(ids(await store.listItems(jobId, { states: ['needsAction', 'pending'], afterSeq: 3, limit: 3 }))).toEqual(['c4', 'c5', 'c6']);
    const pages: string[][] = [];
    for (let afterSeq = 0; ;) {
      const page = await store.listItems(jobId, { limit: 3, afterSeq });
      if (page.length === 0) break;
      pages.push(ids(page));
      afterSeq = page.at(-1)!.seq;
    }
    expect(pages).toEqual([['c1', 'c2', 'c3'], ['c4', 'c5', 'c6'], ['c7']]);
    expect(await store.listItems(jobId, { states: [] })).toEqual([]);
    expect(await store.listItems('no-such-job')).toEqual([]);
  });

  it('records a halt and clears it', async () => {
    const jobId = await newJob();
    await store.setHalt(jobId, halt);
    expect((await other.getJob(jobId))?.halt).toEqual(halt);
    expect((await other.listJobs()).find((job) => job.id === jobId)?.halt).toEqual(halt);
    await other.setHalt(jobId, null);
    expect((await store.getJob(jobId))?.halt).toBeNull();
    await expect(store.setHalt('no-such-job', halt)).rejects.toMatchObject({ code: 'MX_STORE_UNKNOWN_JOB' });
  });

  it('records a pause that every handle reads, keeps the first pause\'s time, and clears it (mx-lifecycle pause/resume)', async () => {
    const jobId = await newJob();
    expect((await store.getJob(jobId))?.pausedAt).toBeNull();
    const before = Date.now();
    const paused = await store.setPaused(jobId, true);
    // PostgreSQL stamps it with the server's clock: allow for a little skew on one machine.
    expect(paused.pausedAt).toBeGreaterThanOrEqual(before - 1_000);
    expect((await other.getJob(jobId))?.pausedAt).toBe(paused.pausedAt);
    expect((await other.listJobs()).find((job) => job.id === jobId)?.pausedAt).toBe(paused.pausedAt);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect((await other.setPaused(jobId, true)).pausedAt).toBe(paused.pausedAt);
    const resumed = await other.setPaused(jobId, false);
    expect(resumed).toMatchObject({ id: jobId, pausedAt: null, halt: null });
    expect((await store.getJob(jobId))?.pausedAt).toBeNull();
    await expect(store.setPaused('no-such-job', true)).rejects.toMatchObject({ code: 'MX_STORE_UNKNOWN_JOB' });
  });

  it('initialises an existing schema again, also several at once, without touching the data', async () => {
    const jobId = await newJob(2);
    await store.init();
    const fresh = [backend.open(), backend.open(), backend.open()];
    await Promise.all(fresh.map((handle) => handle.init()));
    for (const handle of fresh) expect(ids(await handle.listItems(jobId))).toEqual(['c1', 'c2']);
  });
});

describe.each([
  ['sqlite', sqliteBackend],
  ['postgres', postgresBackend],
] as const)('SnapshotStore durability: %s', (_name, makeBackend) => {
  const update = (id: string, patch: Partial<ItemUpdate> = {}): ItemUpdate => ({
    id, state: 'active', snapshot: { value: 'creating', id }, dueAt: null, ...patch,
  });
  let backend: Backend;
  beforeAll(() => {
    backend = makeBackend();
  });
  afterAll(async () => {
    await backend.cleanup();
  });

  it('keeps what was written after the store is closed and opened again', async () => {
    let store = backend.open();
    const jobId = 'reopened';
    await store.ensureJob(jobId, 'onboard');
    await store.addItems(jobId, range(2));
    await store.claimItems(jobId, { owner: 'w1', limit: 2, leaseMs: 60_000 });
    await store.saveItems(jobId, 'w1', [update('c1', { state: 'done', outcome: { ok: true } }), update('c2', { dueAt: 1_800_000_000_000 })]);
    await store.setHalt(jobId, halt);
    await store.close();
    await expect(store.counts(jobId)).rejects.toMatchObject({ code: 'MX_STORE_CLOSED' });
    store = backend.open();
    expect((await store.getJob(jobId))?.halt).toEqual(halt);
    expect(await store.listItems(jobId)).toMatchObject([
      { id: 'c1', state: 'done', outcome: { ok: true } },
      { id: 'c2', state: 'active', dueAt: 1_800_000_000_000, snapshot: { value: 'creating', id: 'c2' } },
    ]);
    // The lease outlived the process that held it, so w1 (restarted) gets c2 back and w2 does not.
    expect(await store.claimItems(jobId, { owner: 'w2', limit: 5, leaseMs: 60_000 })).toEqual([]);
    expect(ids(await store.claimItems(jobId, { owner: 'w1', limit: 5, leaseMs: 60_000 }))).toEqual(['c2']);
  });

  it('reads a row whose columns are not JSON as unreadable, in every read, instead of throwing', async () => {
    const store = backend.open();
    const jobId = 'corrupt';
    await store.ensureJob(jobId, 'onboard');
    await store.addItems(jobId, range(4));
    await store.claimItems(jobId, { owner: 'w1', limit: 3, leaseMs: 60_000 });
    await store.saveItems(jobId, 'w1', [update('c1', { machineVersion: 1 }), update('c2', { state: 'done', outcome: { outcome: 'done' } })]);
    await backend.writeRaw!(jobId, 'c1', 'snapshot', '{"status":"active","value":');
    // The parser quotes the text it could not read: that text (customer data) stays out of the message.
    await backend.writeRaw!(jobId, 'c2', 'outcome', 'sk_live_planted_4242 and the rest of the row');
    await backend.writeRaw!(jobId, 'c3', 'input', '{"externalId":');
    const c1 = await store.getItem(jobId, 'c1');
    expect(c1).toMatchObject({ state: 'active', snapshot: null, machineVersion: 1, unreadable: { column: 'snapshot', message: expect.any(String) } });
    expect(await store.getItem(jobId, 'c2')).toMatchObject({ state: 'done', outcome: null, unreadable: { column: 'outcome', message: "Unexpected token 's', not valid JSON" } });
    expect((await store.listItems(jobId)).map((item) => [item.id, item.unreadable?.column ?? null])).toEqual([
      ['c1', 'snapshot'], ['c2', 'outcome'], ['c3', 'input'], ['c4', null],
    ]);
    // A restarted worker claims its rows back, the unreadable ones too, so it can set them apart.
    expect((await store.claimItems(jobId, { owner: 'w1', limit: 5, leaseMs: 60_000 })).map((item) => [item.id, item.unreadable?.column ?? null])).toEqual([
      ['c1', 'snapshot'], ['c3', 'input'], ['c4', null],
    ]);
    expect(await store.saveItems(jobId, 'w1', [{ id: 'c1', state: 'failed', dueAt: null, outcome: { outcome: 'failed' } }])).toEqual(['c1']);
    // Its unreadable snapshot is kept as it was, for a person (or a later release) to read.
    expect(await store.getItem(jobId, 'c1')).toMatchObject({ state: 'failed', outcome: { outcome: 'failed' }, unreadable: { column: 'snapshot' } });
    await store.close();
  });
});
