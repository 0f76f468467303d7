/**
 * The jobs table of the SQLite and PostgreSQL stores: a job's kind, its halt and an operator's
 * pause. Beside it each backend keeps its items (sqlite.ts, postgres.ts), their end-user events
 * (endUserEvents.ts) and their steps (history.ts).
 */
import type Database from 'better-sqlite3';
import type { Pool } from 'pg';
import type { SnapshotStore } from './contract.js';
import { encodeJson, unknownJob } from './_internals/common.js';
import * as pg from './postgresSql.js';
import * as lite from './sqliteRows.js';

type Jobs = Pick<SnapshotStore, 'ensureJob' | 'getJob' | 'listJobs' | 'setHalt' | 'setPaused'>;

/** The SQLite statements on the jobs table. */
export interface SqliteJobStatements {
  insertJob: Database.Statement<unknown[]>;
  getJob: Database.Statement<[string], lite.JobRow>;
  listJobs: Database.Statement<[], lite.JobRow>;
  setHalt: Database.Statement<unknown[]>;
  setPaused: Database.Statement<[number | null, number | null, string], lite.JobRow>;
}

/**
 * The SQLite statements on the jobs table, prepared once with the store's others.
 *
 * @example
 * const statements = { ...prepareSqliteJobs(db), counts: db.prepare('…') };
 */
export function prepareSqliteJobs(db: Database.Database): SqliteJobStatements {
  return {
    insertJob: db.prepare('INSERT INTO jobs (id, kind, created_at) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING'),
    getJob: db.prepare<[string], lite.JobRow>(`SELECT ${lite.JOB_COLUMNS} FROM jobs WHERE id = ?`),
    listJobs: db.prepare<[], lite.JobRow>(`SELECT ${lite.JOB_COLUMNS} FROM jobs ORDER BY created_at, id`),
    setHalt: db.prepare('UPDATE jobs SET halt = ? WHERE id = ?'),
    // A second pause keeps the first one's time: how long the job has been paused is what a person asks.
    setPaused: db.prepare<[number | null, number | null, string], lite.JobRow>(`UPDATE jobs SET paused_at = CASE WHEN ? IS NULL THEN NULL ELSE COALESCE(paused_at, ?) END
      WHERE id = ? RETURNING ${lite.JOB_COLUMNS}`),
  };
}

/**
 * The jobs of a SQLite store, through the statements `prepareSqliteJobs` made.
 *
 * @example
 * ```ts
 * const jobs = sqliteJobs(() => use().statements);
 * ```
 */
export function sqliteJobs(statements: () => SqliteJobStatements): Jobs {
  return {
    async ensureJob(jobId, kind) {
      const s = statements();
      s.insertJob.run(jobId, kind, Date.now());
      return lite.toJob(s.getJob.get(jobId)!);
    },
    async getJob(jobId) {
      const row = statements().getJob.get(jobId);
      return row ? lite.toJob(row) : null;
    },
    async listJobs() {
      return statements().listJobs.all().map(lite.toJob);
    },
    async setHalt(jobId, halt) {
      if (statements().setHalt.run(encodeJson(halt), jobId).changes === 0) throw unknownJob(jobId);
    },
    async setPaused(jobId, paused) {
      const at = paused ? Date.now() : null;
      const row = statements().setPaused.get(at, at, jobId);
      if (!row) throw unknownJob(jobId);
      return lite.toJob(row);
    },
  };
}

/**
 * The jobs of a PostgreSQL store; `schema` is already quoted.
 *
 * @example
 * ```ts
 * const jobs = postgresJobs(use, '"mx_lifecycle"');
 * ```
 */
export function postgresJobs(pool: () => Promise<Pool>, schema: string): Jobs {
  const s = schema;
  return {
    async ensureJob(jobId, kind) {
      const db = await pool();
      await db.query(`INSERT INTO ${s}.jobs (id, kind) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING`, [jobId, kind]);
      // A separate statement, so it sees a row another worker inserted while ours waited on it.
      const { rows } = await db.query<pg.JobRow>(`SELECT ${pg.JOB_COLUMNS} FROM ${s}.jobs WHERE id = $1`, [jobId]);
      return pg.toJob(rows[0]!);
    },
    async getJob(jobId) {
      const { rows } = await (await pool()).query<pg.JobRow>(`SELECT ${pg.JOB_COLUMNS} FROM ${s}.jobs WHERE id = $1`, [jobId]);
      return rows[0] ? pg.toJob(rows[0]) : null;
    },
    async listJobs() {
      const { rows } = await (await pool()).query<pg.JobRow>(`SELECT ${pg.JOB_COLUMNS} FROM ${s}.jobs ORDER BY created_at, id`);
      return rows.map(pg.toJob);
    },
    async setHalt(jobId, halt) {
      const result = await (await pool()).query(`UPDATE ${s}.jobs SET halt = $2 WHERE id = $1`, [jobId, encodeJson(halt)]);
      if (result.rowCount === 0) throw unknownJob(jobId);
    },
    async setPaused(jobId, paused) {
      // The server's clock, as for leases; a second pause keeps the first one's time.
      const { rows } = await (await pool()).query<pg.JobRow>(
        `UPDATE ${s}.jobs SET paused_at = ${paused ? 'COALESCE(paused_at, now())' : 'NULL'} WHERE id = $1 RETURNING ${pg.JOB_COLUMNS}`,
        [jobId],
      );
      if (!rows[0]) throw unknownJob(jobId);
      return pg.toJob(rows[0]);
    },
  };
}
