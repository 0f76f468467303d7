/**
 * The embedded store: one SQLite file per job store through better-sqlite3, in WAL mode with
 * `synchronous=NORMAL` (a power cut may lose the last transactions, never corrupt the file; the
 * runtime re-runs what was not acknowledged). Every process claims as the
 * same owner, so a restart takes its items back at once; `lockRun` keeps a second process off a
 * job that one is running (./sqliteRunLock.ts).
 */
import { sqliteEndUserEvents } from './endUserEvents.js';
import { prepareSqliteJobs, sqliteJobs } from './jobs.js';
import { appendSqliteHistory, sqliteHistory } from './history.js';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { ItemState, ListOptions, NewItem, SnapshotStore } from './contract.js';
import {
  checkClaim,
  emptyCounts,
  encodeJson,
  isFinalState,
  lastUpdatePerItem,
  storeError,
  unknownJob,
} from './_internals/common.js';
import { itemsFor, prepareSqlite, SQLITE_END_USER_TEST, SQLITE_OPEN_STATE, stateTest } from './sqliteSchema.js';
import { createSharedRunLocks } from './sqliteRunLock.js';
import { ITEM_COLUMNS, toItem, type ItemRow } from './sqliteRows.js';

export interface SqliteStoreOptions {
  /** The database file; its folder is created when missing. `:memory:` gives a private in-memory database. */
  path: string;
  /**
   * How long a write waits for another process's transaction before it fails.
   * @default 5000
   */
  busyTimeoutMs: number;
}

export const defaultSqliteStoreOptions: Omit<SqliteStoreOptions, 'path'> = { busyTimeoutMs: 5_000 };

/** Creates the file owner-readable only: it holds customers' inputs. SQLite gives its WAL the same mode. */
function createPrivateFile(path: string): void {
  if (path === ':memory:' || path === '') return;
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  closeSync(openSync(path, 'a', 0o600));
}

function openDatabase(options: SqliteStoreOptions) {
  createPrivateFile(options.path);
  const db = new Database(options.path);
  try {
    prepareSqlite(db, options.path, options.busyTimeoutMs);
  } catch (error) {
    db.close();
    throw error;
  }
  const statements = {
    ...prepareSqliteJobs(db),
    maxSeq: db.prepare<[string], { seq: number }>('SELECT COALESCE(MAX(seq), 0) AS seq FROM items WHERE job_id = ?'),
    insertItem: db.prepare(`INSERT INTO items (job_id, id, seq, input, state, updated_at)
      VALUES (?, ?, ?, ?, 'pending', ?) ON CONFLICT (job_id, id) DO NOTHING`),
    claimable: db.prepare<[string, string, number], { id: string }>(`SELECT id FROM items
      WHERE job_id = ? AND ${SQLITE_OPEN_STATE} AND (lease_owner IS NULL OR lease_owner = ? OR lease_until <= ?)
      ORDER BY seq`),
    lease: db.prepare<[string, number, string, string], ItemRow>(
      `UPDATE items SET lease_owner = ?, lease_until = ? WHERE job_id = ? AND id = ? RETURNING ${ITEM_COLUMNS}`,
    ),
    renew: db.prepare<[number, string, string], { id: string }>(`UPDATE items SET lease_until = ?
      WHERE job_id = ? AND lease_owner = ? AND ${SQLITE_OPEN_STATE} RETURNING id`),
    release: db.prepare('UPDATE items SET lease_owner = NULL, lease_until = NULL WHERE job_id = ? AND id = ? AND lease_owner = ?'),
    // Most saves keep the item's state. Leaving `state` out of SET spares SQLite the upkeep of the
    // partial index on it (a third of the write cost); the WHERE makes it a no-op when the state differs.
    saveSameState: db.prepare(`UPDATE items SET snapshot = ?, machine_version = ?, due_at = ?,
      outcome = CASE WHEN ? THEN ? ELSE outcome END, updated_at = ?
      WHERE job_id = ? AND id = ? AND lease_owner = ? AND state = ?`),
    // The lease is cleared in the same statement that writes a final state, so a final item is never claimable.
    save: db.prepare(`UPDATE items SET state = ?, snapshot = ?, machine_version = ?, due_at = ?,
      outcome = CASE WHEN ? THEN ? ELSE outcome END, updated_at = ?,
      lease_owner = CASE WHEN ? THEN NULL ELSE lease_owner END,
      lease_until = CASE WHEN ? THEN NULL ELSE lease_until END
      WHERE job_id = ? AND id = ? AND lease_owner = ?`),
    // An update without a snapshot (a row set apart) keeps the stored one, unreadable as it may be.
    saveKeepSnapshot: db.prepare(`UPDATE items SET state = ?, due_at = ?,
      outcome = CASE WHEN ? THEN ? ELSE outcome END, updated_at = ?,
      lease_owner = CASE WHEN ? THEN NULL ELSE lease_owner END,
      lease_until = CASE WHEN ? THEN NULL ELSE lease_until END
      WHERE job_id = ? AND id = ? AND lease_owner = ?`),
    reset: db.prepare(`UPDATE items SET state = ?, input = COALESCE(?, input), snapshot = ?, machine_version = ?, outcome = ?, due_at = NULL,
      updated_at = ?, lease_owner = ?, lease_until = ? WHERE job_id = ? AND id = ? AND state = ?`),
    getItem: db.prepare<[string, string], ItemRow>(`SELECT ${ITEM_COLUMNS} FROM items WHERE job_id = ? AND id = ?`),
    // Kept by the schema's triggers: a status over a million customers reads a few rows, not the job.
    counts: db.prepare<[string], { state: ItemState; n: number }>('SELECT state, n FROM item_counts WHERE job_id = ? AND n > 0'),
  };
  return { db, statements };
}

/**
 * Creates the SQLite store. The file (and its folder) is created and migrated on first use.
 *
 * @example
 * ```ts
 * const store = createSqliteStore({ path: './jobs/customers.sqlite' });
 * await store.ensureJob('2024-06-onboarding', 'onboard');
 * await store.addItems('2024-06-onboarding', [{ id: 'cust-1', input: { id: 'cust-1', email: 'a@example.com' } }]);
 * console.log(await store.counts('2024-06-onboarding')); // { pending: 1, active: 0, ... }
 * await store.close();
 * ```
 */
export function createSqliteStore(options: Pick<SqliteStoreOptions, 'path'> & Partial<SqliteStoreOptions>): SnapshotStore {
  const settings: SqliteStoreOptions = { ...defaultSqliteStoreOptions, ...options };
  let opened: ReturnType<typeof openDatabase> | null = null;
  let closed = false;
  const runLocks = createSharedRunLocks(settings.path);

  const use = (): ReturnType<typeof openDatabase> => {
    if (closed) throw storeError('MX_STORE_CLOSED', `the store ${settings.path} is closed`);
    opened ??= openDatabase(settings);
    return opened;
  };

  return {
    kind: 'sqlite',

    async init() {
      use();
    },

    async lockRun(jobId) {
      use();
      if (settings.path === ':memory:' || settings.path === '') return { release: () => undefined };
      return runLocks.take(jobId);
    },

    ...sqliteJobs(() => use().statements),

    async addItems(jobId, items: readonly NewItem[]) {
      const { db, statements: s } = use();
      const rows = items.map((item) => [item.id, encodeJson(item.input)] as const);
      const add = db.transaction(() => {
        if (!s.getJob.get(jobId)) throw unknownJob(jobId);
        let seq = s.maxSeq.get(jobId)!.seq;
        const now = Date.now();
        let added = 0;
        for (const [id, input] of rows) {
          if (s.insertItem.run(jobId, id, seq + 1, input, now).changes === 1) {
            seq += 1;
            added += 1;
          }
        }
        return added;
      });
      return add.immediate();
    },

    async claimItems(jobId, { owner, limit, leaseMs, exclude }) {
      checkClaim(limit, leaseMs);
      const { db, statements: s } = use();
      const claim = db.transaction(() => {
        const now = Date.now();
        const ids: string[] = [];
        if (limit > 0) {
          for (const { id } of s.claimable.iterate(jobId, owner, now)) {
            if (exclude?.has(id)) continue;
            ids.push(id);
            if (ids.length >= limit) break;
          }
        }
        return ids.map((id) => toItem(s.lease.get(owner, now + leaseMs, jobId, id)!));
      });
      return claim.immediate();
    },

    async renewLeases(jobId, owner, leaseMs) {
      checkClaim(0, leaseMs);
      return use().statements.renew.all(Date.now() + leaseMs, jobId, owner).map((row) => row.id);
    },

    async releaseItems(jobId, owner, ids) {
      const { db, statements: s } = use();
      db.transaction(() => {
        for (const id of ids) s.release.run(jobId, id, owner);
      }).immediate();
    },

    async saveItems(jobId, owner, updates) {
      const { db, statements: s } = use();
      const rows = lastUpdatePerItem(updates).map((u) => ({
        id: u.id,
        state: u.state,
        final: isFinalState(u.state) ? 1 : 0,
        keepSnapshot: u.snapshot === undefined,
        snapshot: encodeJson(u.snapshot),
        machineVersion: u.snapshot === undefined ? null : (u.machineVersion ?? null),
        dueAt: u.dueAt,
        setOutcome: u.outcome === undefined ? 0 : 1,
        outcome: encodeJson(u.outcome),
        history: u.history,
      }));
      const save = db.transaction(() => {
        const now = Date.now();
        const written: string[] = [];
        for (const r of rows) {
          let saved: boolean;
          if (r.keepSnapshot) {
            saved = s.saveKeepSnapshot.run(r.state, r.dueAt, r.setOutcome, r.outcome, now, r.final, r.final, jobId, r.id, owner).changes === 1;
          } else {
            const kept = r.final === 0
              && s.saveSameState.run(r.snapshot, r.machineVersion, r.dueAt, r.setOutcome, r.outcome, now, jobId, r.id, owner, r.state).changes === 1;
            saved = kept || s.save.run(r.state, r.snapshot, r.machineVersion, r.dueAt, r.setOutcome, r.outcome, now, r.final, r.final, jobId, r.id, owner).changes === 1;
          }
          if (!saved) continue;
          if (r.history) appendSqliteHistory(db, jobId, r.id, r.history);
          written.push(r.id);
        }
        return written;
      });
      return save.immediate();
    },

    async resetItems(jobId, resets, from, lease) {
      const { db, statements: s } = use();
      const reset = db.transaction(() => {
        const now = Date.now();
        const written: string[] = [];
        for (const r of resets) {
          const row = s.getItem.get(jobId, r.id);
          if (!row || !from.includes(row.state)) continue;
          const input = r.input === undefined ? null : encodeJson(r.input);
          const leaseUntil = lease ? now + lease.leaseMs : null;
          s.reset.run(r.state, input, encodeJson(r.snapshot), r.machineVersion ?? null, encodeJson(r.outcome), now, lease?.owner ?? null, leaseUntil, jobId, r.id, row.state);
          if (r.history) appendSqliteHistory(db, jobId, r.id, r.history);
          written.push(r.id);
        }
        return written;
      });
      return reset.immediate();
    },

    async getItem(jobId, id) {
      const row = use().statements.getItem.get(jobId, id);
      return row ? toItem(row) : null;
    },

    async listItems(jobId, options: ListOptions = {}) {
      const { db } = use();
      const params: (string | number)[] = [jobId, options.afterSeq ?? 0];
      let sql = `SELECT ${ITEM_COLUMNS} FROM ${itemsFor(options)} WHERE job_id = ? AND seq > ?`;
      if (options.endUser) sql += ` AND ${SQLITE_END_USER_TEST}`;
      if (options.states) {
        const test = stateTest(options.states);
        sql += ` AND ${test.sql}`;
        params.push(...test.params);
      }
      sql += ' ORDER BY seq';
      if (options.limit !== undefined) {
        sql += ' LIMIT ?';
        params.push(options.limit);
      }
      return db.prepare<(string | number)[], ItemRow>(sql).all(...params).map(toItem);
    },

    ...sqliteEndUserEvents(() => use().db),
    ...sqliteHistory(() => use().db),

    async counts(jobId) {
      const counts = emptyCounts();
      for (const row of use().statements.counts.all(jobId)) counts[row.state] = row.n;
      return counts;
    },

    async close() {
      closed = true;
      runLocks.releaseAll();
      opened?.db.close();
      opened = null;
    },
  };
}
