/**
 * The end-user link events of each store backend (`recordEndUserEvent`, `endUserCounts`), kept out
 * of the store files: one row per job, customer, connection and kind, with how often it happened.
 */
import type Database from 'better-sqlite3';
import type { Pool } from 'pg';
import type { EndUserEventCounts, EndUserEventKind, SnapshotStore } from './contract.js';
import { storeError } from './storeError.js';

type EndUserEvents = Pick<SnapshotStore, 'recordEndUserEvent' | 'endUserCounts' | 'endUserEventsOf'>;

/** The key `endUserEventsOf` answers by: a customer and one of its connections. */
export const endUserEventKey = (customerId: string, connectionId: string): string => `${customerId}\u0000${connectionId}`;

function eventsOf(rows: readonly { item_id: string; connection_id: string; kind: string }[]): Map<string, Set<EndUserEventKind>> {
  const events = new Map<string, Set<EndUserEventKind>>();
  for (const row of rows) {
    if (row.kind !== 'invited' && row.kind !== 'opened') continue;
    const key = endUserEventKey(row.item_id, row.connection_id);
    if (!events.has(key)) events.set(key, new Set());
    events.get(key)!.add(row.kind);
  }
  return events;
}

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
    async endUserEventsOf(jobId, customerIds) {
      const wanted = new Set(customerIds);
      const rows: { item_id: string; connection_id: string; kind: string }[] = [];
      for (const kind of KINDS) {
        for (const pair of seen.get(`${jobId}\u0000${kind}`) ?? []) {
          const [item_id = '', connection_id = ''] = pair.split('\u0000');
          if (wanted.has(item_id)) rows.push({ item_id, connection_id, kind });
        }
      }
      return eventsOf(rows);
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
    async endUserEventsOf(jobId, customerIds) {
      if (customerIds.length === 0) return new Map();
      const rows = db().prepare<[string, string], { item_id: string; connection_id: string; kind: string }>(
        'SELECT item_id, connection_id, kind FROM end_user_events WHERE job_id = ? AND item_id IN (SELECT value FROM json_each(?))',
      ).all(jobId, JSON.stringify(customerIds));
      return eventsOf(rows);
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
    async endUserEventsOf(jobId, customerIds) {
      if (customerIds.length === 0) return new Map();
      const { rows } = await (await pool()).query<{ item_id: string; connection_id: string; kind: string }>(
        `SELECT item_id, connection_id, kind FROM ${schema}.end_user_events WHERE job_id = $1 AND item_id = ANY ($2::text[])`,
        [jobId, [...customerIds]],
      );
      return eventsOf(rows);
    },
  };
}
