/**
 * The rows the SQLite store reads, and how they become the store's records.
 */
import type { ApiError } from '../../errors/index.js';
import type { ItemState, JobKind, JobRecord, StoredItem } from './contract.js';
import { decodeItemColumns, decodeJson } from './_internals/common.js';

export interface JobRow { id: string; kind: JobKind; created_at: number; halt: string | null; paused_at: number | null }
export interface ItemRow {
  job_id: string; id: string; seq: number; input: string | null; state: ItemState;
  snapshot: string | null; machine_version: number | null; due_at: number | null; outcome: string | null; updated_at: number;
}

export const JOB_COLUMNS = 'id, kind, created_at, halt, paused_at';
export const ITEM_COLUMNS = 'job_id, id, seq, input, state, snapshot, machine_version, due_at, outcome, updated_at';

export const toJob = (row: JobRow): JobRecord => ({
  id: row.id, kind: row.kind, createdAt: row.created_at, halt: decodeJson(row.halt) as ApiError | null, pausedAt: row.paused_at,
});
export const toItem = (row: ItemRow): StoredItem => ({
  jobId: row.job_id, id: row.id, seq: row.seq, state: row.state, machineVersion: row.machine_version,
  dueAt: row.due_at, updatedAt: row.updated_at, ...decodeItemColumns(row),
});
