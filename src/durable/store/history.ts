/**
 * Each customer's history (the steps its machines took) in each store backend, kept out of the
 * store files: one row per step, numbered per customer, the oldest pruned past the job's limit.
 * The backends append in the transaction (or statement) that saves the snapshot, so a step is on
 * disk exactly when the state it led to is.
 */
import type Database from 'better-sqlite3';
import type { Pool, PoolClient } from 'pg';
import { DEFAULT_HISTORY_LIMIT, type HistoryAppend, type HistoryStep, type SnapshotStore } from './contract.js';
import { storeError } from './storeError.js';

type HistoryReads = Pick<SnapshotStore, 'historyOf' | 'lastStepsOf' | 'historyLimitOf' | 'setHistoryLimit'>;

/** The most steps a job may keep per customer. */
const MAX_HISTORY_LIMIT = 100_000;

/** Refuses a limit that is not a whole number from 0 to 100,000. */
export function checkHistoryLimit(limit: number): void {
  if (!Number.isInteger(limit) || limit < 0 || limit > MAX_HISTORY_LIMIT) {
    throw storeError('MX_STORE_BAD_OPTIONS', `a history limit is a whole number of steps from 0 to ${MAX_HISTORY_LIMIT}, got ${limit}`);
  }
}

/** The steps of an append that the limit lets in (a batch longer than the limit keeps its end). */
const kept = (append: HistoryAppend): readonly HistoryStep[] =>
  append.keep <= 0 ? [] : append.steps.length > append.keep ? append.steps.slice(-append.keep) : append.steps;

function decodeStep(text: string): HistoryStep | null {
  try {
    return JSON.parse(text) as HistoryStep;
  } catch {
    // One unreadable row hides that step, never the customer's whole history.
    return null;
  }
}

const isStep = (step: HistoryStep | null): step is HistoryStep => step !== null;

/**
 * In memory, for tests.
 *
 * @example
 * ```ts
 * const history = memoryHistory((jobId) => jobs.has(jobId));
 * history.append('job', 'cust-1', { steps: [step], keep: 200 });
 * ```
 */
export function memoryHistory(hasJob: (jobId: string) => boolean): HistoryReads & { append(jobId: string, itemId: string, append: HistoryAppend): void } {
  const steps = new Map<string, string[]>();
  const limits = new Map<string, number>();
  const key = (jobId: string, itemId: string) => `${jobId}\u0000${itemId}`;
  return {
    append(jobId, itemId, append) {
      const add = kept(append);
      if (add.length === 0) return;
      // Kept as JSON text, as the other backends keep them: what goes in is what a reader gets back.
      const list = [...(steps.get(key(jobId, itemId)) ?? []), ...add.map((step) => JSON.stringify(step))];
      steps.set(key(jobId, itemId), list.slice(-append.keep));
    },
    async historyOf(jobId, itemId) {
      return (steps.get(key(jobId, itemId)) ?? []).map(decodeStep).filter(isStep);
    },
    async lastStepsOf(jobId, itemIds) {
      const last = new Map<string, HistoryStep>();
      for (const id of itemIds) {
        const text = steps.get(key(jobId, id))?.at(-1);
        const step = text === undefined ? null : decodeStep(text);
        if (step) last.set(id, step);
      }
      return last;
    },
    async historyLimitOf(jobId) {
      return limits.get(jobId) ?? DEFAULT_HISTORY_LIMIT;
    },
    async setHistoryLimit(jobId, limit) {
      checkHistoryLimit(limit);
      if (!hasJob(jobId)) throw storeError('MX_STORE_UNKNOWN_JOB', `job ${JSON.stringify(jobId)} does not exist in the store; call ensureJob first`);
      limits.set(jobId, limit);
    },
  };
}

const sqliteStatements = new WeakMap<Database.Database, ReturnType<typeof prepareSqliteHistory>>();

function prepareSqliteHistory(db: Database.Database) {
  return {
    maxN: db.prepare<[string, string], { n: number }>('SELECT COALESCE(MAX(n), 0) AS n FROM item_history WHERE job_id = ? AND item_id = ?'),
    insert: db.prepare('INSERT OR IGNORE INTO item_history (job_id, item_id, n, at, step) VALUES (?, ?, ?, ?, ?)'),
    prune: db.prepare('DELETE FROM item_history WHERE job_id = ? AND item_id = ? AND n <= ?'),
    list: db.prepare<[string, string], { step: string }>('SELECT step FROM item_history WHERE job_id = ? AND item_id = ? ORDER BY n'),
    last: db.prepare<[string, string], { item_id: string; step: string }>(`SELECT h.item_id, h.step FROM item_history AS h
      WHERE h.job_id = ? AND h.item_id IN (SELECT value FROM json_each(?))
        AND h.n = (SELECT MAX(x.n) FROM item_history AS x WHERE x.job_id = h.job_id AND x.item_id = h.item_id)`),
    limit: db.prepare<[string], { history_limit: number | null }>('SELECT history_limit FROM jobs WHERE id = ?'),
    setLimit: db.prepare('UPDATE jobs SET history_limit = ? WHERE id = ?'),
  };
}

const statementsOf = (db: Database.Database) => {
  let statements = sqliteStatements.get(db);
  if (!statements) {
    statements = prepareSqliteHistory(db);
    sqliteStatements.set(db, statements);
  }
  return statements;
};

/**
 * Adds steps to a customer's history; call it inside the transaction that writes the customer.
 *
 * @example
 * ```ts
 * db.transaction(() => { save.run(...); appendSqliteHistory(db, 'job', 'cust-1', { steps, keep: 200 }); }).immediate();
 * ```
 */
export function appendSqliteHistory(db: Database.Database, jobId: string, itemId: string, append: HistoryAppend): void {
  const add = kept(append);
  if (add.length === 0) return;
  const s = statementsOf(db);
  const base = s.maxN.get(jobId, itemId)!.n;
  add.forEach((step, i) => s.insert.run(jobId, itemId, base + i + 1, step.at, JSON.stringify(step)));
  const last = base + add.length;
  if (last > append.keep) s.prune.run(jobId, itemId, last - append.keep);
}

/**
 * On a SQLite database of schema version 5 or later.
 *
 * @example
 * ```ts
 * const history = sqliteHistory(() => db);
 * await history.historyOf('job', 'cust-1');
 * ```
 */
export function sqliteHistory(db: () => Database.Database): HistoryReads {
  return {
    async historyOf(jobId, itemId) {
      return statementsOf(db()).list.all(jobId, itemId).map((row) => decodeStep(row.step)).filter(isStep);
    },
    async lastStepsOf(jobId, itemIds) {
      const last = new Map<string, HistoryStep>();
      if (itemIds.length === 0) return last;
      for (const row of statementsOf(db()).last.all(jobId, JSON.stringify(itemIds))) {
        const step = decodeStep(row.step);
        if (step) last.set(row.item_id, step);
      }
      return last;
    },
    async historyLimitOf(jobId) {
      return statementsOf(db()).limit.get(jobId)?.history_limit ?? DEFAULT_HISTORY_LIMIT;
    },
    async setHistoryLimit(jobId, limit) {
      checkHistoryLimit(limit);
      if (statementsOf(db()).setLimit.run(limit, jobId).changes === 0) {
        throw storeError('MX_STORE_UNKNOWN_JOB', `job ${JSON.stringify(jobId)} does not exist in the store; call ensureJob first`);
      }
    },
  };
}

/** The appends of a batch as the four parallel arrays the PostgreSQL statements unnest. */
export function postgresHistoryRows(entries: readonly { id: string; history?: HistoryAppend | undefined }[]) {
  const rows = { ids: [] as string[], steps: [] as string[], at: [] as number[], keep: [] as number[] };
  for (const entry of entries) {
    if (!entry.history) continue;
    for (const step of kept(entry.history)) {
      rows.ids.push(entry.id);
      rows.steps.push(JSON.stringify(step));
      rows.at.push(step.at);
      rows.keep.push(entry.history.keep);
    }
  }
  return rows;
}

/**
 * The common table expressions that append a batch's steps to the customers in `written` (a CTE
 * with an `id` column) and prune past each one's limit, inside the statement that writes them.
 * `$1` is the job; `p` is the number of the first of the four history parameters.
 *
 * @example
 * ```ts
 * const sql = `WITH saved AS (UPDATE … RETURNING i.id), ${postgresHistoryCtes('"mx"', 'saved', 11)} SELECT id FROM saved`;
 * ```
 */
export function postgresHistoryCtes(s: string, written: string, p: number): string {
  return `h_steps AS (
      SELECT h.item_id, h.step, h.at, h.keep, h.ord
      FROM unnest($${p}::text[], $${p + 1}::text[], $${p + 2}::float8[], $${p + 3}::int[]) WITH ORDINALITY AS h (item_id, step, at, keep, ord)
      WHERE h.item_id IN (SELECT id FROM ${written})
    ),
    h_base AS (
      SELECT k.item_id, max(k.keep) AS keep, count(*) AS added,
        COALESCE((SELECT max(x.n) FROM ${s}.item_history AS x WHERE x.job_id = $1 AND x.item_id = k.item_id), 0) AS n0
      FROM h_steps AS k GROUP BY k.item_id
    ),
    h_added AS (
      INSERT INTO ${s}.item_history (job_id, item_id, n, at, step)
      SELECT $1, t.item_id, b.n0 + row_number() OVER (PARTITION BY t.item_id ORDER BY t.ord), t.at, t.step
      FROM h_steps AS t JOIN h_base AS b ON b.item_id = t.item_id
      ON CONFLICT DO NOTHING
    ),
    h_pruned AS (
      DELETE FROM ${s}.item_history AS x USING h_base AS b
      WHERE x.job_id = $1 AND x.item_id = b.item_id AND x.n <= b.n0 + b.added - b.keep
    )`;
}

/**
 * Appends steps to the customers in `ids` in an open transaction (a reset's own step).
 *
 * @example
 * ```ts
 * await appendPostgresHistory(client, '"mx"', 'job', written, resets);
 * ```
 */
export async function appendPostgresHistory(
  client: PoolClient, s: string, jobId: string, entries: readonly { id: string; history?: HistoryAppend | undefined }[],
): Promise<void> {
  const rows = postgresHistoryRows(entries);
  if (rows.ids.length === 0) return;
  await client.query(
    `WITH h_written AS (SELECT DISTINCT unnest($2::text[]) AS id), ${postgresHistoryCtes(s, 'h_written', 2)} SELECT 1`,
    [jobId, rows.ids, rows.steps, rows.at, rows.keep],
  );
}

/**
 * On a PostgreSQL schema of version 5 or later; `schema` is already quoted.
 *
 * @example
 * ```ts
 * const history = postgresHistory(use, '"mx_lifecycle"');
 * ```
 */
export function postgresHistory(pool: () => Promise<Pool>, s: string): HistoryReads {
  return {
    async historyOf(jobId, itemId) {
      const { rows } = await (await pool()).query<{ step: string }>(
        `SELECT step FROM ${s}.item_history WHERE job_id = $1 AND item_id = $2 ORDER BY n`,
        [jobId, itemId],
      );
      return rows.map((row) => decodeStep(row.step)).filter(isStep);
    },
    async lastStepsOf(jobId, itemIds) {
      const last = new Map<string, HistoryStep>();
      if (itemIds.length === 0) return last;
      const { rows } = await (await pool()).query<{ item_id: string; step: string }>(
        `SELECT DISTINCT ON (item_id) item_id, step FROM ${s}.item_history
         WHERE job_id = $1 AND item_id = ANY ($2::text[]) ORDER BY item_id, n DESC`,
        [jobId, [...itemIds]],
      );
      for (const row of rows) {
        const step = decodeStep(row.step);
        if (step) last.set(row.item_id, step);
      }
      return last;
    },
    async historyLimitOf(jobId) {
      const { rows } = await (await pool()).query<{ history_limit: number | null }>(`SELECT history_limit FROM ${s}.jobs WHERE id = $1`, [jobId]);
      return rows[0]?.history_limit ?? DEFAULT_HISTORY_LIMIT;
    },
    async setHistoryLimit(jobId, limit) {
      checkHistoryLimit(limit);
      const result = await (await pool()).query(`UPDATE ${s}.jobs SET history_limit = $2 WHERE id = $1`, [jobId, limit]);
      if (result.rowCount === 0) throw storeError('MX_STORE_UNKNOWN_JOB', `job ${JSON.stringify(jobId)} does not exist in the store; call ensureJob first`);
    },
  };
}
