/**
 * The end-user link events of each store backend (`recordEndUserEvent`, `endUserCounts`), kept out
 * of the store files: one row per job, customer, connection and kind, with how often it happened.
 */
import type Database from 'better-sqlite3';
import type { Pool } from 'pg';
import type { EndUserEventCounts, EndUserEventKind, SnapshotStore } from '../store.js';
import { storeError } from './storeError.js';

type EndUserEvents = Pick<SnapshotStore, 'recordEndUserEvent' | 'endUserCounts'>;

const KINDS: readonly EndUserEventKind[] = ['invited', 'opened'];

function checkKind(kind: EndUserEventKind): void {
  if (!KINDS.includes(kind)) throw storeError('MX_STORE_BAD_OPTIONS', `an end-user event is "invited" or "opened", not ${JSON.stringify(kind)}`);
}

const countsOf = (rows: readonly { kind: string; n: number | string }[]): EndUserEventCounts => {
  const counts: EndUserEventCounts = { invited: 0, opened: 0 };
  for (const row of rows) if (row.kind === 'invited' || row.kind === 'opened') counts[row.kind] = Number(row.n);
  return counts;
};

/**
 * In memory, for tests.
 *
 * @example
 * ```ts
 * const events = memoryEndUserEvents();
 * await events.recordEndUserEvent('job', 'cust-1', 'cust-1-bank', 'opened');
 * ```
 */
export function memoryEndUserEvents(): EndUserEvents & { clear(): void } {
  const seen = new Map<string, Set<string>>();
  return {
    async recordEndUserEvent(jobId, customerId, connectionId, kind) {
      checkKind(kind);
      const key = `${jobId}\u0000${kind}`;
      if (!seen.has(key)) seen.set(key, new Set());
      seen.get(key)!.add(`${customerId}\u0000${connectionId}`);
    },
    async endUserCounts(jobId) {
      return { invited: seen.get(`${jobId}\u0000invited`)?.size ?? 0, opened: seen.get(`${jobId}\u0000opened`)?.size ?? 0 };
    },
    clear: () => seen.clear(),
  };
}

/**
 * On a SQLite database of schema version 2 or later.
 *
 * @example
 * ```ts
 * const events = sqliteEndUserEvents(() => db);
 * ```
 */
export function sqliteEndUserEvents(db: () => Database.Database): EndUserEvents {
  return {
    async recordEndUserEvent(jobId, customerId, connectionId, kind) {
      checkKind(kind);
      db().prepare(`INSERT INTO end_user_events (job_id, item_id, connection_id, kind, first_at, times) VALUES (?, ?, ?, ?, ?, 1)
        ON CONFLICT (job_id, item_id, connection_id, kind) DO UPDATE SET times = times + 1`).run(jobId, customerId, connectionId, kind, Date.now());
    },
    async endUserCounts(jobId) {
      return countsOf(db().prepare<[string], { kind: string; n: number }>('SELECT kind, COUNT(*) AS n FROM end_user_events WHERE job_id = ? GROUP BY kind').all(jobId));
    },
  };
}

/**
 * On a PostgreSQL schema of version 2 or later; `schema` is already quoted.
 *
 * @example
 * ```ts
 * const events = postgresEndUserEvents(use, '"mx_lifecycle"');
 * ```
 */
export function postgresEndUserEvents(pool: () => Promise<Pool>, schema: string): EndUserEvents {
  return {
    async recordEndUserEvent(jobId, customerId, connectionId, kind) {
      checkKind(kind);
      await (await pool()).query(
        `INSERT INTO ${schema}.end_user_events (job_id, item_id, connection_id, kind) VALUES ($1, $2, $3, $4)
         ON CONFLICT (job_id, item_id, connection_id, kind) DO UPDATE SET times = ${schema}.end_user_events.times + 1`,
        [jobId, customerId, connectionId, kind],
      );
    },
    async endUserCounts(jobId) {
      const { rows } = await (await pool()).query<{ kind: string; n: number }>(
        `SELECT kind, count(*)::int AS n FROM ${schema}.end_user_events WHERE job_id = $1 GROUP BY kind`,
        [jobId],
      );
      return countsOf(rows);
    },
  };
}
