/**
 * What every backend shares: the JSON encoding of stored values, the final-state test, the zeroed
 * counts, the last-wins folding of a batch, and the plain errors a store raises.
 */
import { FINAL_ITEM_STATES } from '../../store.js';
import type { FinalItemState, ItemState, ItemUpdate } from '../../store.js';

/** Every item state, in the order `counts()` reports them. */
export const ITEM_STATES: readonly ItemState[] = ['pending', 'active', 'halted', ...FINAL_ITEM_STATES];

const FINAL = new Set<ItemState>(FINAL_ITEM_STATES);

export function isFinalState(state: ItemState): state is FinalItemState {
  return FINAL.has(state);
}

export function emptyCounts(): Record<ItemState, number> {
  const counts = {} as Record<ItemState, number>;
  for (const state of ITEM_STATES) counts[state] = 0;
  return counts;
}

/** JSON text, or SQL NULL for `null`/`undefined`: every backend round-trips values the same way. */
export function encodeJson(value: unknown): string | null {
  return value === null || value === undefined ? null : JSON.stringify(value);
}

export function decodeJson(text: string | null): unknown {
  return text === null ? null : (JSON.parse(text) as unknown);
}

/**
 * Keeps the last update of each item: the runtime may queue several transitions of one item in a
 * tick, and a single UPDATE … FROM would apply an arbitrary one of them.
 */
export function lastUpdatePerItem(updates: readonly ItemUpdate[]): ItemUpdate[] {
  if (updates.length < 2) return [...updates];
  const byId = new Map<string, ItemUpdate>();
  for (const update of updates) {
    byId.delete(update.id);
    byId.set(update.id, update);
  }
  return [...byId.values()];
}

export type StoreErrorCode =
  | 'MX_STORE_UNKNOWN_JOB'
  | 'MX_STORE_SCHEMA_TOO_NEW'
  | 'MX_STORE_BAD_SCHEMA'
  | 'MX_STORE_BAD_URL'
  | 'MX_STORE_BAD_OPTIONS'
  | 'MX_STORE_CLOSED'
  | 'MX_STORE_JOB_BUSY';

/** A store failure: a plain `Error` with a stable `code`, the way Node reports system errors. */
export type StoreError = Error & { code: StoreErrorCode };

export function storeError(code: StoreErrorCode, message: string): StoreError {
  return Object.assign(new Error(message), { code });
}

/** True for an error a store raised on purpose (as opposed to a driver's failure). */
export function isStoreError(value: unknown): value is StoreError {
  if (!(value instanceof Error)) return false;
  const { code } = value as { code?: unknown };
  return typeof code === 'string' && code.startsWith('MX_STORE_');
}

export function unknownJob(jobId: string): StoreError {
  return storeError('MX_STORE_UNKNOWN_JOB', `job ${JSON.stringify(jobId)} does not exist in the store; call ensureJob first`);
}

export function checkClaim(limit: number, leaseMs: number): void {
  if (!Number.isInteger(limit) || limit < 0) {
    throw storeError('MX_STORE_BAD_OPTIONS', `claim limit must be a non-negative integer, got ${limit}`);
  }
  if (!Number.isFinite(leaseMs) || leaseMs <= 0) {
    throw storeError('MX_STORE_BAD_OPTIONS', `leaseMs must be a positive number of milliseconds, got ${leaseMs}`);
  }
}
