/**
 * The store for several workers: PostgreSQL through `pg`. Workers claim items in batches with
 * `FOR UPDATE SKIP LOCKED` and hold them with a lease they renew; a worker that dies stops renewing,
 * and once its lease has run out another worker claims the items and resumes them from their last
 * snapshot. Lease times come from the server's clock, so workers' clocks need not agree.
 */
import { postgresEndUserEvents } from './endUserEvents.js';
import { postgresJobs } from './jobs.js';
import { appendPostgresHistory, postgresHistory, postgresHistoryCtes, postgresHistoryRows } from './history.js';
import { createRequire } from 'node:module';
import type { Pool } from 'pg';
import type { ItemState, ListOptions, NewItem, SnapshotStore } from './contract.js';
import {
  checkClaim,
  emptyCounts,
  encodeJson,
  lastUpdatePerItem,
  storeError,
  unknownJob,
} from './_internals/common.js';
import { migratePostgres, PG_END_USER_TEST, PG_OPEN_STATE, quoteSchema } from './postgresSchema.js';
import {
  FINAL_LIST, inTransaction, itemColumns, leaseUntil, lockInOrder, toItem, type ItemRow,
} from './postgresSql.js';

export interface PostgresStoreOptions {
  /** Where to connect, e.g. `postgres://mx@db.internal:5432/lifecycle`; or give `pool`. */
  connectionString?: string;
  /** A pool the caller owns (the store does not end it on `close()`); or give `connectionString`. */
  pool?: Pool;
  /**
   * The PostgreSQL schema that holds the tables; created when missing.
   * @default 'mx_lifecycle'
   */
  schema: string;
  /**
   * Connections in the pool the store creates from `connectionString`.
   * @default 4
   */
  poolSize: number;
}

export const defaultPostgresStoreOptions: Pick<PostgresStoreOptions, 'schema' | 'poolSize'> = {
  schema: 'mx_lifecycle',
  poolSize: 4,
};

/**
 * `pg` is loaded when a PostgreSQL store is first made, not with the library: it takes 55 ms to
 * load, which every run paid, SQLite ones included.
 */
const require = createRequire(import.meta.url);
const loadPg = (): typeof import('pg') => require('pg') as typeof import('pg');

const EXAMPLE = `createPostgresStore({ connectionString: 'postgres://mx@127.0.0.1:5432/lifecycle' })`;

/**
 * Creates the PostgreSQL store. The schema is created or migrated on first use, safely when several
 * workers start at once.
 *
 * @example
 * ```ts
 * const store = createPostgresStore({ connectionString: process.env.DATABASE_URL!, schema: 'mx_lifecycle' });
 * await store.init();
 * const items = await store.claimItems('job-1', { owner: `worker-${process.pid}`, limit: 100, leaseMs: 30_000 });
 * ```
 */
export function createPostgresStore(
  options: ({ connectionString: string } | { pool: Pool }) & Partial<PostgresStoreOptions>,
): SnapshotStore {
  const settings = { ...defaultPostgresStoreOptions, ...options };
  const s = quoteSchema(settings.schema);
  if (!settings.pool && !settings.connectionString) {
    throw storeError('MX_STORE_BAD_OPTIONS', `createPostgresStore needs a connectionString or a pool, e.g. ${EXAMPLE}`);
  }
  const ownsPool = !settings.pool;
  const pool: Pool = settings.pool ?? new (loadPg().Pool)({ connectionString: settings.connectionString, max: settings.poolSize });
  // An idle connection the server drops emits 'error' on the pool, which would end the process;
  // the next query reports the outage instead.
  if (ownsPool) pool.on('error', () => {});

  let ready: Promise<void> | null = null;
  let closed = false;
  const use = async (): Promise<Pool> => {
    if (closed) throw storeError('MX_STORE_CLOSED', `the PostgreSQL store (schema ${s}) is closed`);
    ready ??= inTransaction(pool, (client) => migratePostgres(client, settings.schema)).catch((error: unknown) => {
      ready = null;
      throw error;
    });
    await ready;
    return pool;
  };

  return {
    kind: 'postgres',

    async init() {
      await use();
    },

    ...postgresJobs(use, s),

    async addItems(jobId, items: readonly NewItem[]) {
      const ids = items.map((item) => item.id);
      const inputs = items.map((item) => encodeJson(item.input));
      return inTransaction(await use(), async (client) => {
          // Locking the job row serialises adders on one job, which keeps `seq` dense and in insertion order.
          const job = await client.query(`SELECT 1 FROM ${s}.jobs WHERE id = $1 FOR NO KEY UPDATE`, [jobId]);
          if (job.rowCount === 0) throw unknownJob(jobId);
          const inserted = await client.query(
            `INSERT INTO ${s}.items (job_id, id, seq, input, state)
             SELECT $1, f.id, base.seq + row_number() OVER (ORDER BY f.ord), f.input, 'pending'
             FROM (
               SELECT DISTINCT ON (t.id) t.id, t.input, t.ord
               FROM unnest($2::text[], $3::text[]) WITH ORDINALITY AS t (id, input, ord)
               WHERE NOT EXISTS (SELECT 1 FROM ${s}.items x WHERE x.job_id = $1 AND x.id = t.id)
               ORDER BY t.id, t.ord
             ) f,
             (SELECT COALESCE(max(seq), 0) AS seq FROM ${s}.items WHERE job_id = $1) base
             ON CONFLICT (job_id, id) DO NOTHING`,
            [jobId, ids, inputs],
          );
          return inserted.rowCount ?? 0;
      });
    },

    async claimItems(jobId, { owner, limit, leaseMs, exclude }) {
      checkClaim(limit, leaseMs);
      const db = await use();
      if (limit === 0) return [];
      const { rows } = await db.query<ItemRow>(
        `WITH picked AS (
           SELECT job_id, id FROM ${s}.items
           WHERE job_id = $1 AND ${PG_OPEN_STATE}
             AND (lease_owner IS NULL OR lease_owner = $2 OR lease_until <= now())
             AND NOT (id = ANY ($4::text[]))
           ORDER BY seq
           LIMIT $3
           FOR UPDATE SKIP LOCKED
         )
         UPDATE ${s}.items AS i SET lease_owner = $2, lease_until = ${leaseUntil('$5')}
         FROM picked WHERE i.job_id = picked.job_id AND i.id = picked.id
         RETURNING ${itemColumns('i')}`,
        [jobId, owner, limit, [...(exclude ?? [])], leaseMs],
      );
      return rows.map(toItem).toSorted((a, b) => a.seq - b.seq);
    },

    async renewLeases(jobId, owner, leaseMs) {
      checkClaim(0, leaseMs);
      const { rows } = await (await use()).query<{ id: string }>(
        `WITH held AS MATERIALIZED (${lockInOrder(s, PG_OPEN_STATE)})
         UPDATE ${s}.items AS i SET lease_until = ${leaseUntil('$3')}
         FROM held WHERE i.job_id = $1 AND i.id = held.id
         RETURNING i.id`,
        [jobId, owner, leaseMs],
      );
      return rows.map((row) => row.id);
    },

    async releaseItems(jobId, owner, ids) {
      const db = await use();
      if (ids.length === 0) return;
      await db.query(
        `WITH held AS MATERIALIZED (${lockInOrder(s, 'id = ANY ($3::text[])')})
         UPDATE ${s}.items AS i SET lease_owner = NULL, lease_until = NULL
         FROM held WHERE i.job_id = $1 AND i.id = held.id`,
        [jobId, owner, [...ids]],
      );
    },

    async saveItems(jobId, owner, updates) {
      const db = await use();
      const batch = lastUpdatePerItem(updates);
      if (batch.length === 0) return [];
      // One statement for the whole batch: a row is written only while this owner holds it, and a
      // final state clears the lease in the same write; the steps of the rows written go with it.
      const history = postgresHistoryRows(batch);
      const withHistory = history.ids.length > 0;
      const { rows } = await db.query<{ id: string }>(
        `WITH held AS MATERIALIZED (${lockInOrder(s, 'id = ANY ($3::text[])')}),
         saved AS (UPDATE ${s}.items AS i SET
           state = u.state,
           -- An update without a snapshot (a row set apart) keeps the stored one, unreadable as it may be.
           snapshot = CASE WHEN u.keep_snapshot THEN i.snapshot ELSE u.snapshot END,
           machine_version = CASE WHEN u.keep_snapshot THEN i.machine_version ELSE u.machine_version END,
           due_at = u.due_at,
           outcome = CASE WHEN u.set_outcome THEN u.outcome ELSE i.outcome END,
           updated_at = now(),
           lease_owner = CASE WHEN u.state IN ${FINAL_LIST} THEN NULL ELSE i.lease_owner END,
           lease_until = CASE WHEN u.state IN ${FINAL_LIST} THEN NULL ELSE i.lease_until END
         FROM unnest($3::text[], $4::text[], $5::text[], $6::float8[], $7::bool[], $8::text[], $9::bool[], $10::int[])
           AS u (id, state, snapshot, due_at, set_outcome, outcome, keep_snapshot, machine_version)
         JOIN held ON held.id = u.id
         WHERE i.job_id = $1 AND i.id = u.id AND i.lease_owner = $2
         RETURNING i.id)${withHistory ? `, ${postgresHistoryCtes(s, 'saved', 11)}` : ''}
         SELECT id FROM saved`,
        [
          jobId,
          owner,
          batch.map((u) => u.id),
          batch.map((u) => u.state),
          batch.map((u) => encodeJson(u.snapshot)),
          batch.map((u) => u.dueAt),
          batch.map((u) => u.outcome !== undefined),
          batch.map((u) => encodeJson(u.outcome)),
          batch.map((u) => u.snapshot === undefined),
          batch.map((u) => (u.snapshot === undefined ? null : (u.machineVersion ?? null))),
          ...(withHistory ? [history.ids, history.steps, history.at, history.keep] : []),
        ],
      );
      const written = new Set(rows.map((row) => row.id));
      return batch.filter((u) => written.has(u.id)).map((u) => u.id);
    },

    async resetItems(jobId, resets, from, lease) {
      if (resets.length === 0) return [];
      if (lease) checkClaim(0, lease.leaseMs);
      // Rows locked in id order, as a worker's renewals and saves lock them, so neither deadlocks.
      return inTransaction(await use(), async (client) => {
        const { rows } = await client.query<{ id: string }>(
          `WITH locked AS MATERIALIZED (SELECT id FROM ${s}.items WHERE job_id = $1 AND id = ANY ($2::text[])
             AND state = ANY ($3::text[]) ORDER BY id FOR UPDATE)
           UPDATE ${s}.items AS i SET state = u.state, input = COALESCE(u.input, i.input), snapshot = u.snapshot,
             machine_version = u.machine_version, outcome = u.outcome, due_at = NULL, updated_at = now(),
             lease_owner = $9, lease_until = CASE WHEN $9::text IS NULL THEN NULL ELSE ${leaseUntil('$10')} END
           FROM unnest($2::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::int[]) AS u (id, state, input, snapshot, outcome, machine_version)
           JOIN locked ON locked.id = u.id
           WHERE i.job_id = $1 AND i.id = u.id RETURNING i.id`,
          [jobId, resets.map((r) => r.id), [...from], resets.map((r) => r.state),
            resets.map((r) => (r.input === undefined ? null : encodeJson(r.input))),
            resets.map((r) => encodeJson(r.snapshot)), resets.map((r) => encodeJson(r.outcome)), resets.map((r) => r.machineVersion ?? null),
            lease?.owner ?? null, lease?.leaseMs ?? 0],
        );
        const written = new Set(rows.map((row) => row.id));
        await appendPostgresHistory(client, s, jobId, resets.filter((r) => written.has(r.id)));
        return rows.map((row) => row.id);
      });
    },

    async getItem(jobId, id) {
      const { rows } = await (await use()).query<ItemRow>(
        `SELECT ${itemColumns('i')} FROM ${s}.items AS i WHERE i.job_id = $1 AND i.id = $2`,
        [jobId, id],
      );
      return rows[0] ? toItem(rows[0]) : null;
    },

    async listItems(jobId, options: ListOptions = {}) {
      const params: unknown[] = [jobId, options.afterSeq ?? 0];
      let sql = `SELECT ${itemColumns('i')} FROM ${s}.items AS i WHERE i.job_id = $1 AND i.seq > $2`;
      if (options.endUser) sql += ` AND ${PG_END_USER_TEST('i')}`;
      if (options.states) {
        params.push([...options.states]);
        sql += ` AND i.state = ANY ($${params.length}::text[])`;
      }
      sql += ' ORDER BY i.seq';
      if (options.limit !== undefined) {
        params.push(options.limit);
        sql += ` LIMIT $${params.length}`;
      }
      const { rows } = await (await use()).query<ItemRow>(sql, params);
      return rows.map(toItem);
    },

    ...postgresEndUserEvents(use, s),
    ...postgresHistory(use, s),

    async counts(jobId) {
      const { rows } = await (await use()).query<{ state: ItemState; n: number }>(
        `SELECT state, count(*)::int AS n FROM ${s}.items WHERE job_id = $1 GROUP BY state`,
        [jobId],
      );
      const counts = emptyCounts();
      for (const row of rows) counts[row.state] = row.n;
      return counts;
    },

    async close() {
      if (closed) return;
      closed = true;
      if (ownsPool) await pool.end();
    },
  };
}
