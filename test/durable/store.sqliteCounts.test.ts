/**
 * How the SQLite store answers `status` over a big job while the job runs: counts by state from a
 * table that triggers keep in the same transaction as each change (schema version 6), the
 * needs-action and failed lists through a partial index, and a file at the current version opened
 * without the write lock a running job holds. (Scanning a million customers' rows took 16 s beside
 * a running job; `npm run bench scale` measures the whole command.)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import type { SnapshotStore } from '../../src/durable/store/contract.js';
import { createSqliteStore, SQLITE_SCHEMA_VERSION } from '../../src/durable/store/index.js';
import { itemsFor, stateTest } from '../../src/durable/store/sqliteSchema.js';

const root = mkdtempSync(join(tmpdir(), 'mx-store-counts-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let fileCounter = 0;
const freshPath = () => join(root, `case-${++fileCounter}.sqlite`);

/** The counts a scan of the rows gives, without the zeros: the truth the kept counts must equal. */
function scanned(path: string, job: string): Record<string, number> {
  const peek = new Database(path, { readonly: true });
  try {
    const rows = peek.prepare('SELECT state, COUNT(*) AS n FROM items WHERE job_id = ? GROUP BY state').all(job) as Array<{ state: string; n: number }>;
    return Object.fromEntries(rows.map((row) => [row.state, row.n]));
  } finally {
    peek.close();
  }
}

async function kept(store: SnapshotStore, job: string): Promise<Record<string, number>> {
  return Object.fromEntries(Object.entries(await store.counts(job)).filter(([, n]) => (n as number) > 0)) as Record<string, number>;
}

/** A job of `n` customers in one file, with a second job beside it that must not be counted in. */
async function seeded(path: string, n: number): Promise<SnapshotStore> {
  const store = createSqliteStore({ path });
  for (const job of ['big', 'other']) {
    await store.ensureJob(job, 'onboard');
    await store.addItems(job, Array.from({ length: job === 'big' ? n : 3 }, (_, i) => ({ id: `c${i}`, input: { i } })));
  }
  return store;
}

describe('SQLite counts kept by triggers', () => {
  it('equal a scan of the rows through adds, claims, saves that keep or change a state, rows set apart and resets', async () => {
    const path = freshPath();
    const store = await seeded(path, 40);
    // Adding the same ids again inserts nothing, and counts nothing.
    await store.addItems('big', [{ id: 'c1', input: {} }, { id: 'c40', input: {} }]);
    expect(await kept(store, 'big')).toEqual(scanned(path, 'big'));
    expect(await kept(store, 'big')).toEqual({ pending: 41 });

    const claimed = await store.claimItems('big', { owner: 'w', limit: 30, leaseMs: 60_000 });
    const ids = claimed.map((item) => item.id);
    await store.saveItems('big', 'w', ids.map((id) => ({ id, state: 'active', snapshot: { at: 1 }, dueAt: null })));
    // A save that keeps the state moves no count.
    await store.saveItems('big', 'w', ids.slice(0, 10).map((id) => ({ id, state: 'active', snapshot: { at: 2 }, dueAt: null })));
    await store.saveItems('big', 'w', [
      ...ids.slice(0, 12).map((id) => ({ id, state: 'done' as const, snapshot: { at: 3 }, dueAt: null, outcome: { ok: true } })),
      ...ids.slice(12, 16).map((id) => ({ id, state: 'needsAction' as const, snapshot: { at: 3 }, dueAt: null, outcome: { reason: 'denied' } })),
      // Set apart: no snapshot written, the state changes all the same.
      ...ids.slice(16, 19).map((id) => ({ id, state: 'failed' as const, dueAt: null, outcome: { reason: 'unreadable_row' } })),
    ]);
    expect(await kept(store, 'big')).toEqual(scanned(path, 'big'));
    expect(await kept(store, 'big')).toEqual({ pending: 11, active: 11, done: 12, needsAction: 4, failed: 3 });

    // retry: the final ones back to pending, whoever holds them.
    const reopened = await store.resetItems('big', ids.slice(12, 19).map((id) => ({ id, state: 'pending', snapshot: null, outcome: null })), ['needsAction', 'failed']);
    expect(reopened).toHaveLength(7);
    expect(await kept(store, 'big')).toEqual(scanned(path, 'big'));
    expect(await kept(store, 'big')).toEqual({ pending: 18, active: 11, done: 12 });
    expect(await kept(store, 'other')).toEqual({ pending: 3 });
    await store.close();
  });

  it('are counted once from the rows when a file from version 5 is opened, and kept from then on', async () => {
    const path = freshPath();
    const store = await seeded(path, 20);
    await store.claimItems('big', { owner: 'w', limit: 5, leaseMs: 60_000 });
    await store.close();
    // The file as version 5 left it, and rows a version-5 process changed with no trigger to count them.
    const old = new Database(path);
    old.exec(`DROP TRIGGER items_counted_in; DROP TRIGGER items_counted_moved; DROP TRIGGER items_counted_out;
      DROP INDEX items_attention_by_seq; DROP INDEX items_end_user_by_seq; DROP TABLE item_counts; UPDATE meta SET value = '5';
      UPDATE items SET state = 'failed' WHERE job_id = 'big' AND seq <= 4;
      UPDATE items SET state = 'done' WHERE job_id = 'big' AND seq > 16;
      INSERT INTO items (job_id, id, seq, state, updated_at) VALUES ('big', 'late', 21, 'pending', 1);`);
    old.close();
    const upgraded = createSqliteStore({ path });
    expect(await kept(upgraded, 'big')).toEqual({ pending: 13, failed: 4, done: 4 });
    expect(await kept(upgraded, 'big')).toEqual(scanned(path, 'big'));
    await upgraded.addItems('big', [{ id: 'later', input: {} }]);
    expect(await kept(upgraded, 'big')).toEqual({ pending: 14, failed: 4, done: 4 });
    expect((await upgraded.listItems('big', { states: ['failed'] })).map((item) => item.id)).toEqual(['c0', 'c1', 'c2', 'c3']);
    await upgraded.close();
    const peek = new Database(path, { readonly: true });
    expect(peek.prepare(`SELECT value FROM meta WHERE key = 'schema_version'`).get()).toEqual({ value: String(SQLITE_SCHEMA_VERSION) });
    peek.close();
  });
});

describe('SQLite status beside a running job', () => {
  it('opens a file at the current version, counts and lists it while another connection holds the write lock', async () => {
    const path = freshPath();
    const store = await seeded(path, 10);
    const [first] = await store.claimItems('big', { owner: 'w', limit: 1, leaseMs: 60_000 });
    await store.saveItems('big', 'w', [{ id: first!.id, state: 'failed', snapshot: null, dueAt: null, outcome: { reason: 'x' } }]);
    await store.close();
    // A running job's write transaction, held for as long as the reads take.
    const writer = new Database(path);
    writer.prepare('BEGIN IMMEDIATE').run();
    writer.prepare(`UPDATE items SET updated_at = 2 WHERE job_id = 'big'`).run();
    try {
      // No wait at all for the lock: a reader that asked for it would fail with SQLITE_BUSY at once.
      const reader = createSqliteStore({ path, busyTimeoutMs: 0 });
      expect(await kept(reader, 'big')).toEqual({ pending: 9, failed: 1 });
      expect((await reader.listItems('big', { states: ['failed'], limit: 20 })).map((item) => item.id)).toEqual([first!.id]);
      await reader.close();
    } finally {
      writer.prepare('ROLLBACK').run();
      writer.close();
    }
  });

  it('lists needs-action and failed customers through the partial index, in order, and other states by a bound list', async () => {
    const path = freshPath();
    const store = await seeded(path, 30);
    const claimed = await store.claimItems('big', { owner: 'w', limit: 30, leaseMs: 60_000 });
    await store.saveItems('big', 'w', claimed.map((item, i) => ({
      id: item.id, state: i % 3 === 0 ? 'failed' : i % 3 === 1 ? 'needsAction' : 'active', snapshot: null, dueAt: null,
      ...(i % 3 === 2 ? {} : { outcome: { i } }),
    })));
    const peek = new Database(path, { readonly: true });
    const plan = (states: Parameters<typeof stateTest>[0]) =>
      (peek.prepare(`EXPLAIN QUERY PLAN SELECT id FROM ${itemsFor({ states })} WHERE job_id = ? AND seq > ? AND ${stateTest(states).sql} ORDER BY seq LIMIT ?`)
        .all('big', 0, ...stateTest(states).params, 10) as Array<{ detail: string }>)
        .map((row) => row.detail).join('\n');
    expect(plan(['failed'])).toContain('items_attention_by_seq');
    expect(plan(['needsAction', 'failed'])).toContain('items_attention_by_seq');
    expect(plan(['active'])).not.toContain('items_attention_by_seq');
    peek.close();
    const failed = await store.listItems('big', { states: ['failed'] });
    expect(failed.map((item) => item.id)).toEqual(claimed.filter((_, i) => i % 3 === 0).map((item) => item.id));
    const attention = await store.listItems('big', { states: ['needsAction', 'failed'], afterSeq: 3, limit: 4 });
    expect(attention.map((item) => item.seq)).toEqual([4, 5, 7, 8]);
    expect(await store.listItems('big', { states: ['active'] })).toHaveLength(10);
    await store.close();
  });
});
