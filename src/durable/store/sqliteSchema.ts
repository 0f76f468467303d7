/**
 * The SQLite schema and its migrations. The version lives in `meta.schema_version`; a migration
 * runs once, inside the same immediate transaction that reads the version, so two processes opening
 * one file at once cannot both apply it.
 */
import type Database from 'better-sqlite3';
import { END_USER_CONNECT_MARKS, type ItemState, type ListOptions } from './contract.js';
import { storeError } from './storeError.js';

/** The `state NOT IN (...)` test, spelled identically in the partial index and the queries so SQLite uses the index. */
export const SQLITE_OPEN_STATE = `state NOT IN ('done', 'needsAction', 'failed', 'cancelled')`;

/**
 * The states a person looks through (`status`, `retry`, `export`): a partial index keeps each job's
 * items in them in order, spelled identically in the index and in the queries that use it.
 */
export const SQLITE_ATTENTION_STATES = ['needsAction', 'failed'] as const;
/** The partial index's condition, which a query must contain word for word to use it. */
export const SQLITE_ATTENTION_TEST = `state IN (${SQLITE_ATTENTION_STATES.map((state) => `'${state}'`).join(', ')})`;

/** The items whose input may hold an end-user connection (`ListOptions.endUser`), for their partial index and its queries. */
export const SQLITE_END_USER_TEST = `(${END_USER_CONNECT_MARKS.map((mark) => `instr(input, '${mark}') > 0`).join(' OR ')})`;

const ATTENTION: ReadonlySet<string> = new Set(SQLITE_ATTENTION_STATES);
const isAttentionList = (states: readonly ItemState[]): boolean => states.length > 0 && states.every((state) => ATTENTION.has(state));

/**
 * The table a listing reads. With no statistics SQLite's planner prefers the unique `(job_id, seq)`
 * index even for a list of failed customers, and walks the whole job to find them (2 s over a
 * million); a list of the items that may hold an end-user connection, or of the states a person
 * looks through, is told to take its partial index.
 */
export function itemsFor(options: Pick<ListOptions, 'states' | 'endUser'>): string {
  if (options.endUser) return 'items INDEXED BY items_end_user_by_seq';
  return options.states && isAttentionList(options.states) ? 'items INDEXED BY items_attention_by_seq' : 'items';
}

/**
 * The `state IN (...)` test of a listing. For the states a person looks through it repeats the
 * partial index's own condition word for word (SQLite uses a partial index only for a query that
 * contains its condition; a narrower list, or a bound parameter, does not count), then narrows it
 * with literals (the schema's own names, never the caller's text). Any other list is bound.
 */
export function stateTest(states: readonly ItemState[]): { sql: string; params: readonly ItemState[] } {
  if (isAttentionList(states)) return { sql: `${SQLITE_ATTENTION_TEST} AND state IN (${states.map((state) => `'${state}'`).join(', ')})`, params: [] };
  return { sql: `state IN (${states.map(() => '?').join(', ')})`, params: states };
}

/**
 * Each entry moves the schema from `version - 1` to `version`; entries are never edited once released.
 * `items` is a rowid table: snapshots of ~2 KB are too large for WITHOUT ROWID, which halved the
 * write rate when measured. No full index on `state`: every save sets it, and each index on it cost
 * ~15 % of the write rate. A job's counts by state are kept by triggers instead (version 6): a scan
 * of a million customers' rows (2 GB with their snapshots) took 16 s beside a running job.
 */
const MIGRATIONS: readonly { version: number; sql: string }[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE jobs (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        halt TEXT
      );
      CREATE TABLE items (
        job_id TEXT NOT NULL REFERENCES jobs (id),
        id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        input TEXT,
        state TEXT NOT NULL,
        snapshot TEXT,
        due_at INTEGER,
        outcome TEXT,
        updated_at INTEGER NOT NULL,
        lease_owner TEXT,
        lease_until INTEGER,
        PRIMARY KEY (job_id, id)
      );
      CREATE UNIQUE INDEX items_by_seq ON items (job_id, seq);
      CREATE INDEX items_open_by_seq ON items (job_id, seq) WHERE ${SQLITE_OPEN_STATE};
    `,
  },
  {
    version: 2,
    // The machines version each snapshot was written by (machines/versions.ts); NULL for the rows
    // stored before it was kept, which were written by version 1. Adding a NULL column rewrites no row.
    sql: 'ALTER TABLE items ADD COLUMN machine_version INTEGER;',
  },
  {
    // What happened to an end user's link (the link server records it): one row per connection and kind.
    version: 3,
    sql: `
      CREATE TABLE end_user_events (
        job_id TEXT NOT NULL,
        item_id TEXT NOT NULL,
        connection_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        first_at INTEGER NOT NULL,
        times INTEGER NOT NULL,
        PRIMARY KEY (job_id, item_id, connection_id, kind)
      );
    `,
  },
  {
    // When an operator paused the job (mx-lifecycle pause), NULL while it may run: every worker
    // reads it, so a pause reaches processes that did not make it and outlives their restarts.
    version: 4,
    sql: 'ALTER TABLE jobs ADD COLUMN paused_at INTEGER;',
  },
  {
    // Each customer's steps (./history.ts): numbered per customer, pruned past the job's limit.
    version: 5,
    sql: `
      CREATE TABLE item_history (
        job_id TEXT NOT NULL,
        item_id TEXT NOT NULL,
        n INTEGER NOT NULL,
        at INTEGER NOT NULL,
        step TEXT NOT NULL,
        PRIMARY KEY (job_id, item_id, n)
      ) WITHOUT ROWID;
      ALTER TABLE jobs ADD COLUMN history_limit INTEGER;
    `,
  },
  {
    // Each job's items counted by state, kept by triggers in the transaction that changes a state (a
    // save that keeps the state does not fire them); the items that need a person, in order; and
    // those whose input may hold an end-user connection (their counts walked every customer).
    version: 6,
    sql: `
      CREATE TABLE item_counts (
        job_id TEXT NOT NULL,
        state TEXT NOT NULL,
        n INTEGER NOT NULL,
        PRIMARY KEY (job_id, state)
      ) WITHOUT ROWID;
      INSERT INTO item_counts (job_id, state, n) SELECT job_id, state, COUNT(*) FROM items GROUP BY job_id, state;
      CREATE TRIGGER items_counted_in AFTER INSERT ON items BEGIN
        INSERT INTO item_counts (job_id, state, n) VALUES (new.job_id, new.state, 1)
          ON CONFLICT (job_id, state) DO UPDATE SET n = n + 1;
      END;
      CREATE TRIGGER items_counted_moved AFTER UPDATE OF state ON items WHEN old.state IS NOT new.state BEGIN
        UPDATE item_counts SET n = n - 1 WHERE job_id = old.job_id AND state = old.state;
        INSERT INTO item_counts (job_id, state, n) VALUES (new.job_id, new.state, 1)
          ON CONFLICT (job_id, state) DO UPDATE SET n = n + 1;
      END;
      CREATE TRIGGER items_counted_out AFTER DELETE ON items BEGIN
        UPDATE item_counts SET n = n - 1 WHERE job_id = old.job_id AND state = old.state;
      END;
      CREATE INDEX items_attention_by_seq ON items (job_id, state, seq) WHERE ${SQLITE_ATTENTION_TEST};
      CREATE INDEX items_end_user_by_seq ON items (job_id, seq) WHERE ${SQLITE_END_USER_TEST};
    `,
  },
];

export const SQLITE_SCHEMA_VERSION = MIGRATIONS.length;

/** Applies the pragmas every connection needs, then any migration the file lacks. */
export function prepareSqlite(db: Database.Database, path: string, busyTimeoutMs: number): void {
  // busy_timeout first: the WAL switch and the migration may wait for another process.
  db.pragma(`busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  // 32 MiB of page cache (the default is 2 MiB): a job's snapshots are rewritten all over the table,
  // and cache misses were a tenth of the write cost.
  db.pragma('cache_size = -32768');
  // A file already at this version needs no write lock: a `status` beside a running job's writes
  // would otherwise queue for it. A file that needs a migration takes the lock and reads again.
  if (readVersion(db, path) === SQLITE_SCHEMA_VERSION) return;
  const migrate = db.transaction(() => {
    db.exec('CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)');
    const current = readVersion(db, path) ?? 0;
    if (current > SQLITE_SCHEMA_VERSION) {
      throw storeError(
        'MX_STORE_SCHEMA_TOO_NEW',
        `the store ${path} has schema version ${current}, newer than the ${SQLITE_SCHEMA_VERSION} this mx-lifecycle knows; upgrade mx-lifecycle to open it`,
      );
    }
    for (const migration of MIGRATIONS) {
      if (migration.version > current) db.exec(migration.sql);
    }
    if (current < SQLITE_SCHEMA_VERSION) {
      db.prepare(`INSERT INTO meta (key, value) VALUES ('schema_version', ?)
        ON CONFLICT (key) DO UPDATE SET value = excluded.value`).run(String(SQLITE_SCHEMA_VERSION));
    }
  });
  migrate.immediate();
}

/** The stored schema version (checked as the migration checks it), or null when the file has none yet. */
function readVersion(db: Database.Database, path: string): number | null {
  const meta = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'`).get();
  if (meta === undefined) return null;
  const row = db.prepare(`SELECT value FROM meta WHERE key = 'schema_version'`).get() as { value: string } | undefined;
  if (row === undefined) return null;
  const version = Number(row.value);
  if (!Number.isInteger(version) || version < 0) {
    throw storeError('MX_STORE_BAD_SCHEMA', `the store ${path} has an unreadable schema version ${JSON.stringify(row.value)}`);
  }
  return version;
}
