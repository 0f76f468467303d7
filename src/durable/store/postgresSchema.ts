/**
 * The PostgreSQL schema and its migrations. Workers that start together all call `init()`; they
 * queue on one transaction-scoped advisory lock per schema, so exactly one of them creates or
 * migrates and the others find the work done.
 */
import type { PoolClient } from 'pg';
import { END_USER_CONNECT_MARKS } from './contract.js';
import { storeError } from './storeError.js';

/** Spelled identically in the partial index and in the claim so the planner uses the index. */
export const PG_OPEN_STATE = `state NOT IN ('done', 'needsAction', 'failed', 'cancelled')`;

/**
 * The items whose input may hold an end-user connection (`ListOptions.endUser`), spelled the same
 * in their partial index and in the listing (`alias` qualifies the column there).
 */
export const PG_END_USER_TEST = (alias = ''): string =>
  `(${END_USER_CONNECT_MARKS.map((mark) => `strpos(${alias ? `${alias}.` : ''}input, '${mark}') > 0`).join(' OR ')})`;

/** The first half of the advisory lock key: "mxlc", so our locks do not collide with an application's. */
const LOCK_NAMESPACE = 0x6d786c63;

const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** Returns the schema name quoted for SQL, refusing anything but a plain identifier. */
export function quoteSchema(schema: string): string {
  if (!SCHEMA_NAME.test(schema)) {
    throw storeError(
      'MX_STORE_BAD_OPTIONS',
      `schema must be a plain PostgreSQL identifier (letters, digits, _; at most 63), got ${JSON.stringify(schema)}`,
    );
  }
  return `"${schema}"`;
}

/** Each entry moves the schema from `version - 1` to `version`; entries are never edited once released. */
const MIGRATIONS: readonly { version: number; sql: (s: string) => string }[] = [
  {
    version: 1,
    // TEXT rather than JSONB: the values round-trip byte for byte, as in SQLite, and a stray \u0000
    // in an API's error body cannot make a final state unsavable. Cast to jsonb to query them.
    sql: (s) => `
      CREATE TABLE ${s}.jobs (
        id text PRIMARY KEY,
        kind text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        halt text
      );
      CREATE TABLE ${s}.items (
        job_id text NOT NULL REFERENCES ${s}.jobs (id),
        id text NOT NULL,
        seq bigint NOT NULL,
        input text,
        state text NOT NULL,
        snapshot text,
        due_at double precision,
        outcome text,
        updated_at timestamptz NOT NULL DEFAULT now(),
        lease_owner text,
        lease_until timestamptz,
        PRIMARY KEY (job_id, id),
        UNIQUE (job_id, seq)
      ) WITH (fillfactor = 80);
      CREATE INDEX items_open_by_seq ON ${s}.items (job_id, seq) WHERE ${PG_OPEN_STATE};
      CREATE INDEX items_by_state ON ${s}.items (job_id, state);
      CREATE INDEX items_by_owner ON ${s}.items (job_id, lease_owner) WHERE lease_owner IS NOT NULL;
    `,
  },
  {
    version: 2,
    // The machines version each snapshot was written by (machines/versions.ts); NULL for the rows
    // stored before it was kept, which were written by version 1. A NULL column rewrites no row.
    sql: (s) => `ALTER TABLE ${s}.items ADD COLUMN machine_version integer;`,
  },
  {
    // What happened to an end user's link (the link server records it): one row per connection and kind.
    version: 3,
    sql: (s) => `
      CREATE TABLE ${s}.end_user_events (
        job_id text NOT NULL,
        item_id text NOT NULL,
        connection_id text NOT NULL,
        kind text NOT NULL,
        first_at timestamptz NOT NULL DEFAULT now(),
        times integer NOT NULL DEFAULT 1,
        PRIMARY KEY (job_id, item_id, connection_id, kind)
      );
    `,
  },
  {
    // When an operator paused the job (mx-lifecycle pause), NULL while it may run: every worker
    // reads it, so a pause reaches every worker and outlives their restarts.
    version: 4,
    sql: (s) => `ALTER TABLE ${s}.jobs ADD COLUMN paused_at timestamptz;`,
  },
  {
    // Each customer's steps (./history.ts): numbered per customer, pruned past the job's limit.
    version: 5,
    sql: (s) => `
      CREATE TABLE ${s}.item_history (
        job_id text NOT NULL,
        item_id text NOT NULL,
        n bigint NOT NULL,
        at double precision NOT NULL,
        step text NOT NULL,
        PRIMARY KEY (job_id, item_id, n)
      );
      ALTER TABLE ${s}.jobs ADD COLUMN history_limit integer;
    `,
  },
  {
    // The items whose input may hold an end-user connection: their counts walked every customer.
    version: 4,
    sql: (s) => `CREATE INDEX items_end_user_by_seq ON ${s}.items (job_id, seq) WHERE ${PG_END_USER_TEST()};`,
  },
];

export const PG_SCHEMA_VERSION = MIGRATIONS.length;

/** Creates the schema or brings it up to date; the caller runs it inside a transaction. */
export async function migratePostgres(client: PoolClient, schema: string): Promise<void> {
  const s = quoteSchema(schema);
  await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [LOCK_NAMESPACE, schema]);
  await client.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
  await client.query(`CREATE TABLE IF NOT EXISTS ${s}.meta (key text PRIMARY KEY, value text NOT NULL)`);
  const { rows } = await client.query<{ value: string }>(`SELECT value FROM ${s}.meta WHERE key = 'schema_version'`);
  const stored = rows[0]?.value;
  const current = stored === undefined ? 0 : Number(stored);
  if (!Number.isInteger(current) || current < 0) {
    throw storeError('MX_STORE_BAD_SCHEMA', `the PostgreSQL schema ${s} has an unreadable schema version ${JSON.stringify(stored)}`);
  }
  if (current > PG_SCHEMA_VERSION) {
    throw storeError(
      'MX_STORE_SCHEMA_TOO_NEW',
      `the PostgreSQL schema ${s} has schema version ${current}, newer than the ${PG_SCHEMA_VERSION} this mx-lifecycle knows; upgrade mx-lifecycle on every worker`,
    );
  }
  if (current === PG_SCHEMA_VERSION) return;
  for (const migration of MIGRATIONS) {
    if (migration.version > current) await client.query(migration.sql(s));
  }
  await client.query(
    `INSERT INTO ${s}.meta (key, value) VALUES ('schema_version', $1)
     ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
    [String(PG_SCHEMA_VERSION)],
  );
}
