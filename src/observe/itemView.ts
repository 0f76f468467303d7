/**
 * What the dashboard shows of one customer: its machines' states, a bounded timeline of their
 * transitions, and the reason it stopped. A job watch keeps these for the customers in progress;
 * `itemViewOf` makes one from a stored row for the others.
 */
import type { ApiError } from '../errors/index.js';
import type { ItemState, StoredItem } from '../durable/index.js';
import { machineStatesOf, reasonOf } from './snapshotView.js';

/** One transition of one machine of a customer. */
export interface TimelineEntry {
  at: number;
  /** Which machine moved: `root`, `user` or `member:<external id>`. */
  actor: string;
  machine: string;
  from: string[];
  to: string[];
  event: string;
  errorKind?: string;
  errorMessage?: string;
  exchange?: ApiError['exchange'];
}

export interface ItemView {
  id: string;
  seq: number;
  state: ItemState;
  /** Leaf state paths per actor key. */
  machines: Record<string, { machine: string; states: string[] }>;
  timeline: TimelineEntry[];
  reason: string | null;
}

/**
 * A customer's view from its stored row: its machines and reason, no timeline (the store keeps none).
 *
 * @example
 * const view = itemViewOf(await store.getItem('march', 'cust-1'), 'onboarding');
 */
export function itemViewOf(row: StoredItem, rootMachine: string): ItemView {
  return { id: row.id, seq: row.seq, state: row.state, machines: row.snapshot ? machineStatesOf(row.snapshot, rootMachine) : {}, timeline: [], reason: row.outcome ? reasonOf(row.outcome) : null };
}
