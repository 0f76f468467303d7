/**
 * The SQL pieces the PostgreSQL store is built from: its columns, row shapes and conversions, the
 * lease arithmetic, the ordered locking that keeps workers from deadlocking, and one transaction.
 */
import type { Pool, PoolClient } from 'pg';
import type { ApiError } from '../../errors/index.js';
import type { JobKind, JobRecord, ItemState, StoredItem } from './contract.js';
import { decodeItemColumns, decodeJson } from './_internals/common.js';

export interface JobRow { id: string; kind: JobKind; created_at: number; halt: string | null; paused_at: number | null }
export interface ItemRow {
  job_id: string; id: string; seq: number; input: string | null; state: ItemState;
  snapshot: string | null; machine_version: number | null; due_at: number | null; outcome: string | null; updated_at: number;
}

export const epochMs = (column: string): string => `floor(extract(epoch FROM ${column}) * 1000)::float8`;
export const JOB_COLUMNS = `id, kind, ${epochMs('created_at')} AS created_at, halt, ${epochMs('paused_at')} AS paused_at`;
export const itemColumns = (t: string): string =>
  `${t}.job_id, ${t}.id, ${t}.seq::float8 AS seq, ${t}.input, ${t}.state, ${t}.snapshot, ${t}.machine_version, ${t}.due_at, ${t}.outcome, ${epochMs(`${t}.updated_at`)} AS updated_at`;
export const leaseUntil = (param: string): string => `now() + ${param}::float8 * interval '1 millisecond'`;
export const FINAL_LIST = `('done', 'needsAction', 'failed', 'cancelled')`;

/**
 * Locks the rows `$2` holds on job `$1` that match `where`, in id order. Renewals and saves of one
 * worker run at the same time on overlapping rows; taking their locks in one order is what keeps
 * them from deadlocking each other (they did, in a test, when each went its own way).
 */
export const lockInOrder = (s: string, where: string): string =>
  `SELECT id FROM ${s}.items WHERE job_id = $1 AND lease_owner = $2 AND ${where} ORDER BY id FOR UPDATE`;

export const toJob = (row: JobRow): JobRecord => ({
  id: row.id, kind: row.kind, createdAt: row.created_at, halt: decodeJson(row.halt) as ApiError | null, pausedAt: row.paused_at,
});
export const toItem = (row: ItemRow): StoredItem => ({
  jobId: row.job_id, id: row.id, seq: row.seq, state: row.state, machineVersion: row.machine_version,
  dueAt: row.due_at, updatedAt: row.updated_at, ...decodeItemColumns(row),
});

export async function inTransaction<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    client.release();
    return result;
  } catch (error) {
    // A connection whose rollback fails is in an unknown state: destroy it rather than reuse it.
    await client.query('ROLLBACK').then(() => client.release(), (broken: Error) => client.release(broken));
    throw error;
  }
}
