/**
 * What a dashboard knows about one job: for each customer, the state of each of its machines (the
 * root, its user, its members), a bounded timeline of their transitions, and the final outcome;
 * and, from those, how many machines of each kind are in each state. It is fed by the store (a
 * job that is not running, or the customers a run does not touch) and by XState inspection events
 * (a running job). Nothing secret is kept: transitions record the event's type, the classified
 * error's kind and message, and its exchange, which the classifier has already redacted.
 */
import type { InspectionEvent } from 'xstate';
import type { ApiError } from '../errors/types.js';
import { storedOutcome } from '../durable/index.js';
import type { FinalItemState, ItemState, StoredItem } from '../durable/store.js';
import { leavesOf, machineStatesOf, reasonOf } from './snapshotView.js';

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

export interface WatchCounts {
  total: number;
  /** Customers that have not started (no machine runs yet). */
  notStarted: number;
  items: Record<ItemState, number>;
  /** Machine id → leaf state path → how many actors are there. */
  machines: Record<string, Record<string, number>>;
}

export interface JobWatch {
  seed(items: Iterable<StoredItem>): void;
  inspect(event: InspectionEvent): void;
  itemState(id: string, state: ItemState): void;
  itemFinal(id: string, state: FinalItemState, outcome: unknown): void;
  counts(): WatchCounts;
  item(id: string): ItemView | null;
  search(query: string, limit: number): Array<Pick<ItemView, 'id' | 'state' | 'reason'>>;
  list(state: 'needsAction' | 'failed', limit: number): Array<Pick<ItemView, 'id' | 'reason'>>;
  /** Called with (machine, actor, state entered, error kind) on every new transition. */
  onTransition(listener: (item: string, entry: TimelineEntry) => void): () => void;
  /** Bumped on every change, so a server pushes only when something moved. */
  readonly version: number;
}

/** Transitions kept per customer: the first ones and the latest ones tell the story. */
export const TIMELINE_LIMIT = 60;
const ITEM_STATES: readonly ItemState[] = ['pending', 'active', 'halted', 'done', 'needsAction', 'failed', 'cancelled'];

interface Internal {
  view: ItemView;
}

/**
 * Creates an empty watch for a job whose root machine is `rootMachine`.
 *
 * @example
 * const watch = createJobWatch('onboarding');
 * watch.seed(await store.listItems('march'));
 * createRuntime({ store, client, inspect: (e) => watch.inspect(e) });
 */
export function createJobWatch(rootMachine: string): JobWatch {
  const items = new Map<string, Internal>();
  const roots = new Map<string, string>();
  const sessions = new Map<string, { item: string; actor: string; machine: string }>();
  const counts: Record<string, Record<string, number>> = {};
  const itemCounts = Object.fromEntries(ITEM_STATES.map((s) => [s, 0])) as Record<ItemState, number>;
  const listeners = new Set<(item: string, entry: TimelineEntry) => void>();
  let version = 0;

  const bump = (machine: string, states: string[], by: number) => {
    const table = (counts[machine] ??= {});
    for (const state of states) table[state] = (table[state] ?? 0) + by;
  };
  const itemOf = (id: string, seq = 0): Internal => {
    let entry = items.get(id);
    if (!entry) {
      entry = { view: { id, seq: seq || items.size + 1, state: 'pending', machines: {}, timeline: [], reason: null } };
      items.set(id, entry);
      itemCounts.pending += 1;
    }
    return entry;
  };
  const setItemState = (entry: Internal, state: ItemState) => {
    if (entry.view.state === state) return;
    itemCounts[entry.view.state] -= 1;
    itemCounts[state] += 1;
    entry.view.state = state;
    version += 1;
  };
  const setMachine = (entry: Internal, actor: string, machine: string, states: string[]): string[] | null => {
    const before = entry.view.machines[actor];
    if (before && before.states.join() === states.join()) return null;
    if (before) bump(before.machine, before.states, -1);
    bump(machine, states, 1);
    entry.view.machines[actor] = { machine, states };
    version += 1;
    return before?.states ?? [];
  };
  const record = (entry: Internal, timelineEntry: TimelineEntry) => {
    const timeline = entry.view.timeline;
    timeline.push(timelineEntry);
    // Keep the first transitions and the latest: drop from the middle.
    if (timeline.length > TIMELINE_LIMIT) timeline.splice(10, 1);
    for (const listener of listeners) listener(entry.view.id, timelineEntry);
  };

  return {
    seed(stored) {
      for (const row of stored) {
        const entry = itemOf(row.id, row.seq);
        setItemState(entry, row.state);
        if (row.snapshot) {
          for (const [actor, view] of Object.entries(machineStatesOf(row.snapshot, rootMachine))) setMachine(entry, actor, view.machine, view.states);
        }
        const outcome = storedOutcome(row);
        if (outcome) entry.view.reason = reasonOf(outcome);
      }
    },
    inspect(event) {
      if (event.type !== '@xstate.snapshot') return;
      const ref = event.actorRef as unknown as { sessionId: string; id: string; logic?: { id?: string; root?: unknown } };
      const data = event.snapshot as { value?: unknown; context?: { externalId?: unknown } };
      if (!ref.logic?.root || data === undefined || data.value === undefined) return;
      let where = sessions.get(ref.sessionId);
      if (!where) {
        if (ref.sessionId === event.rootId) {
          const id = data.context?.externalId;
          if (typeof id !== 'string') return;
          roots.set(event.rootId, id);
          where = { item: id, actor: 'root', machine: ref.logic.id ?? rootMachine };
        } else {
          const item = roots.get(event.rootId);
          if (item === undefined) return;
          where = { item, actor: ref.id, machine: ref.logic.id ?? 'machine' };
        }
        sessions.set(ref.sessionId, where);
      }
      const entry = itemOf(where.item);
      const to = leavesOf(data.value);
      const from = setMachine(entry, where.actor, where.machine, to);
      if (from === null) return;
      const cause = event.event as { type: string; error?: Partial<ApiError> };
      const error = cause.error && typeof cause.error.kind === 'string' ? cause.error : undefined;
      record(entry, {
        at: Date.now(), actor: where.actor, machine: where.machine, from, to, event: cause.type,
        ...(error ? { errorKind: error.kind, ...(error.message ? { errorMessage: error.message } : {}), ...(error.exchange ? { exchange: error.exchange } : {}) } : {}),
      });
    },
    itemState(id, state) {
      setItemState(itemOf(id), state);
    },
    itemFinal(id, state, outcome) {
      const entry = itemOf(id);
      setItemState(entry, state);
      entry.view.reason = reasonOf(outcome);
      for (const [session, where] of sessions) if (where.item === id) sessions.delete(session);
      for (const [root, item] of roots) if (item === id) roots.delete(root);
    },
    counts() {
      const total = items.size;
      const machines = Object.fromEntries(Object.entries(counts).map(([m, t]) => [m, Object.fromEntries(Object.entries(t).filter(([, n]) => n > 0))]));
      let notStarted = 0;
      for (const { view } of items.values()) if (!view.machines.root) notStarted += 1;
      return { total, notStarted, items: { ...itemCounts }, machines };
    },
    item(id) {
      const entry = items.get(id);
      return entry ? structuredClone(entry.view) : null;
    },
    search(query, limit) {
      const q = query.trim().toLowerCase();
      const found: Array<Pick<ItemView, 'id' | 'state' | 'reason'>> = [];
      for (const { view } of items.values()) {
        if (q && !view.id.toLowerCase().includes(q)) continue;
        found.push({ id: view.id, state: view.state, reason: view.reason });
        if (found.length >= limit) break;
      }
      return found;
    },
    list(state, limit) {
      const found: Array<Pick<ItemView, 'id' | 'reason'>> = [];
      for (const { view } of items.values()) {
        if (view.state !== state) continue;
        found.push({ id: view.id, reason: view.reason });
        if (found.length >= limit) break;
      }
      return found;
    },
    onTransition(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    get version() {
      return version;
    },
  };
}
