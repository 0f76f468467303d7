/**
 * What every backend shares: the JSON encoding of stored values, the final-state test, the zeroed
 * counts, the last-wins folding of a batch, and the plain errors a store raises.
 */
import { END_USER_CONNECT_MARKS, FINAL_ITEM_STATES } from '../contract.js';
import type { FinalItemState, ItemState, ItemUpdate, StoredItem, UnreadableValue } from '../contract.js';
import { storeError, type StoreError } from '../storeError.js';

export { storeError };

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

/** The stored text of an item's JSON columns, as every backend keeps them. */
export interface ItemColumns {
  input: string | null;
  snapshot: string | null;
  outcome: string | null;
}

/**
 * What the JSON parser said, without the text it quotes: V8 repeats the column's text in its
 * message (`Unexpected token 's', "sk_live_…" is not valid JSON`), and that text is customer data
 * that would go on to the outcome, the report and the terminal.
 */
function parserWords(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/,\s*".*$/s, ', not valid JSON').slice(0, 200);
}

/**
 * An item's JSON columns decoded, where a column that is not JSON (a disk fault, a hand edit, a
 * release that wrote something else) reads as `null` and is named in `unreadable`, rather than
 * throwing: one bad row must not keep every reader of the job from the other rows.
 */
export function decodeItemColumns(columns: ItemColumns): Pick<StoredItem, 'input' | 'snapshot' | 'outcome' | 'unreadable'> {
  let unreadable: UnreadableValue | null = null;
  const read = (column: UnreadableValue['column'], text: string | null): unknown => {
    try {
      return decodeJson(text);
    } catch (error) {
      unreadable ??= { column, message: parserWords(error) };
      return null;
    }
  };
  const input = read('input', columns.input);
  const snapshot = read('snapshot', columns.snapshot);
  const outcome = read('outcome', columns.outcome);
  return { input, snapshot, outcome, unreadable };
}

/**
 * Keeps the last update of each item: the runtime may queue several transitions of one item in a
 * tick, and a single UPDATE … FROM would apply an arbitrary one of them.
 */
export function lastUpdatePerItem(updates: readonly ItemUpdate[]): ItemUpdate[] {
  if (updates.length < 2) return [...updates];
  const byId = new Map<string, ItemUpdate>();
  for (const update of updates) {
    const before = byId.get(update.id);
    byId.delete(update.id);
    // The state is the last one's, the history every one's: each step happened.
    const steps = before?.history && update.history ? { history: { steps: [...before.history.steps, ...update.history.steps], keep: update.history.keep } } : {};
    byId.set(update.id, { ...(before?.history && !update.history ? { history: before.history } : {}), ...update, ...steps });
  }
  return [...byId.values()];
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

/** `ListOptions.endUser` read from an input in memory: its JSON holds one of the marks a SQL store looks for. */
export function inputMayHaveEndUser(input: unknown): boolean {
  const text = JSON.stringify(input) ?? '';
  return END_USER_CONNECT_MARKS.some((mark) => text.includes(mark));
}
