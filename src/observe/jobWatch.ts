/**
 * What a dashboard knows about one job: how many customers are in each state, how many of their
 * machines (the root, its user, its members) are in each state, and, for the customers in progress
 * and the latest to finish, each machine's state, a bounded timeline of their transitions, and the
 * outcome. It is fed by the store (a job that is not running, or the customers a run does not
 * touch) and by XState inspection events (a running job). What it holds does not grow with the
 * customers that finish (one number each), so a 200,000-customer job fits; the details of the
 * others are read from the store when asked for (`itemViewOf`). Nothing secret is kept:
 * transitions record the event's type, the classified error's kind and message, and its exchange,
 * which the classifier has already redacted.
 */
import type { InspectionEvent } from 'xstate';
import type { ApiError } from '../errors/index.js';
import { storedOutcome } from '../durable/index.js';
import type { FinalItemState, ItemState, StoredItem } from '../durable/index.js';
import type { ItemView, TimelineEntry } from './itemView.js';
import { createMachineTally } from './_internals/machineTally.js';
import { leavesOf, machineStatesOf, reasonOf } from './snapshotView.js';


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
/** Finished customers whose whole view (timeline included) is kept, the latest first to go last. */
export const RECENT_VIEWS = 500;
/** Customers per attention state (needs action, failed) whose reason is kept for the lists. */
export const ATTENTION_KEPT = 2_000;
const ITEM_STATES: readonly ItemState[] = ['pending', 'active', 'halted', 'done', 'needsAction', 'failed', 'cancelled'];
const CODE = Object.fromEntries(ITEM_STATES.map((s, i) => [s, i])) as Record<ItemState, number>;
const FINAL: ReadonlySet<ItemState> = new Set(['done', 'needsAction', 'failed', 'cancelled']);
/** An index entry packs the state's code and the machines' signature in one number. */
const CODES = 8;

export interface JobWatchOptions {
  /** Finished customers whose whole view (timeline included) is kept. @default RECENT_VIEWS */
  recentViews: number;
  /** Customers per attention state whose reason is kept for the lists. @default ATTENTION_KEPT */
  attentionKept: number;
}

export const defaultJobWatchOptions: JobWatchOptions = { recentViews: RECENT_VIEWS, attentionKept: ATTENTION_KEPT };

interface Internal {
  view: ItemView;
}

/** What a watch holds in memory, for tests and benchmarks: none of it grows with finished customers but `indexed`. */
export interface WatchHeld {
  /** Customers known (one number each). */
  indexed: number;
  /** Whole views of customers in progress. */
  live: number;
  /** Whole views of recently finished customers (at most `recentViews`). */
  recent: number;
  /** Reasons kept for the attention lists (at most `attentionKept` per state). */
  reasons: number;
  /** Machines of running actors being followed. */
  sessions: number;
  /** Distinct machine signatures counted. */
  signatures: number;
}

/**
 * Creates an empty watch for a job whose root machine is `rootMachine`. It holds a whole view only
 * of the customers in progress and of the latest `recentViews` to finish; of the others, one number
 * (state and machines' signature). A dashboard asks the store for the others' details.
 *
 * @example
 * const watch = createJobWatch('onboarding');
 * watch.seed(await store.listItems('march'));
 * createRuntime({ store, client, inspect: (e) => watch.inspect(e) });
 */
export function createJobWatch(rootMachine: string, options: Partial<JobWatchOptions> = {}): JobWatch & { held(): WatchHeld } {
  const { recentViews, attentionKept } = { ...defaultJobWatchOptions, ...options };
  const index = new Map<string, number>();
  const live = new Map<string, Internal>();
  const recent = new Map<string, Internal>();
  const reasons = { needsAction: new Map<string, string | null>(), failed: new Map<string, string | null>() };
  const tally = createMachineTally();
  const roots = new Map<string, string>();
  const sessions = new Map<string, { item: string; actor: string; machine: string }>();
  // Each customer's sessions and root, so a finish forgets them without a pass over every running customer's.
  const followed = new Map<string, { sessions: string[]; roots: string[] }>();
  const follow = (item: string) => {
    let entry = followed.get(item);
    if (!entry) followed.set(item, (entry = { sessions: [], roots: [] }));
    return entry;
  };
  const itemCounts = Object.fromEntries(ITEM_STATES.map((s) => [s, 0])) as Record<ItemState, number>;
  const listeners = new Set<(item: string, entry: TimelineEntry) => void>();
  let version = 0;

  const stateOf = (packed: number): ItemState => ITEM_STATES[packed % CODES] ?? 'pending';
  /** Records `id`'s state and signature in the index and the counts, taking back what it counted before. */
  const count = (id: string, state: ItemState, signature: number) => {
    const before = index.get(id);
    const packed = signature * CODES + CODE[state];
    if (before === packed) return;
    if (before !== undefined) {
      itemCounts[stateOf(before)] -= 1;
      tally.add(Math.floor(before / CODES), -1);
    }
    itemCounts[state] += 1;
    tally.add(signature, 1);
    index.set(id, packed);
    version += 1;
  };
  const noteReason = (id: string, state: ItemState, reason: string | null) => {
    for (const [kept, list] of Object.entries(reasons)) if (kept !== state) list.delete(id);
    const list = state === 'needsAction' || state === 'failed' ? reasons[state] : undefined;
    if (list && (list.has(id) || list.size < attentionKept)) list.set(id, reason);
  };
  const signatureOfView = (view: ItemView) => tally.signatureOf(view.machines);
  /** Keeps `entry` where its state belongs: in progress, or among the latest finished. */
  const place = (entry: Internal) => {
    const id = entry.view.id;
    // Final by its machines but not yet written (its item.final comes after the write): still in
    // progress here, or a busy run's later finishes pushed it out of the latest before its last
    // events, and it came back with no machines (the tally lost its member: issue 22).
    if (!FINAL.has(entry.view.state) || followed.has(id)) {
      recent.delete(id);
      live.set(id, entry);
      return;
    }
    live.delete(id);
    recent.delete(id);
    recent.set(id, entry);
    if (recent.size > recentViews) {
      const oldest = recent.keys().next().value;
      if (oldest !== undefined) recent.delete(oldest);
    }
  };
  const viewOf = (id: string): Internal | undefined => live.get(id) ?? recent.get(id);
  /** The whole view of `id`, made when it starts moving here; one only in the index starts with no machines. */
  const itemOf = (id: string, seq = 0): Internal => {
    let entry = viewOf(id);
    if (!entry) {
      const packed = index.get(id);
      entry = { view: { id, seq: seq || index.size + 1, state: packed === undefined ? 'pending' : stateOf(packed), machines: {}, timeline: [], reason: null } };
      count(id, entry.view.state, 0);
      place(entry);
    }
    return entry;
  };
  const setItemState = (entry: Internal, state: ItemState) => {
    if (entry.view.state === state) return;
    entry.view.state = state;
    count(entry.view.id, state, signatureOfView(entry.view));
    noteReason(entry.view.id, state, entry.view.reason);
    place(entry);
  };
  const setMachine = (entry: Internal, actor: string, machine: string, states: string[]): string[] | null => {
    const before = entry.view.machines[actor];
    if (before && before.states.join() === states.join()) return null;
    entry.view.machines[actor] = { machine, states };
    count(entry.view.id, entry.view.state, signatureOfView(entry.view));
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
        const held = viewOf(row.id);
        const machines = row.snapshot ? machineStatesOf(row.snapshot, rootMachine) : null;
        const outcome = storedOutcome(row);
        const reason = outcome ? reasonOf(outcome) : null;
        if (held || (machines && !FINAL.has(row.state))) {
          // In progress with machines (here or on another worker): followed in full, so its
          // machines can move from what the store says.
          const entry = held ?? itemOf(row.id, row.seq);
          for (const [actor, view] of Object.entries(machines ?? {})) setMachine(entry, actor, view.machine, view.states);
          if (outcome) entry.view.reason = reason;
          setItemState(entry, row.state);
          continue;
        }
        count(row.id, row.state, machines ? tally.signatureOf(machines) : 0);
        noteReason(row.id, row.state, reason);
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
          follow(id).roots.push(event.rootId);
          where = { item: id, actor: 'root', machine: ref.logic.id ?? rootMachine };
        } else {
          const item = roots.get(event.rootId);
          if (item === undefined) return;
          where = { item, actor: ref.id, machine: ref.logic.id ?? 'machine' };
        }
        sessions.set(ref.sessionId, where);
        follow(where.item).sessions.push(ref.sessionId);
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
      const ended = followed.get(id);
      followed.delete(id);
      for (const session of ended?.sessions ?? []) sessions.delete(session);
      for (const root of ended?.roots ?? []) roots.delete(root);
      entry.view.reason = reasonOf(outcome);
      setItemState(entry, state);
      noteReason(id, state, entry.view.reason);
      place(entry);
    },
    counts() {
      return { total: index.size, notStarted: tally.notStarted(), items: { ...itemCounts }, machines: tally.counts() };
    },
    item(id) {
      const entry = viewOf(id);
      return entry ? structuredClone(entry.view) : null;
    },
    search(query, limit) {
      const q = query.trim().toLowerCase();
      const found: Array<Pick<ItemView, 'id' | 'state' | 'reason'>> = [];
      for (const [id, packed] of index) {
        if (q && !id.toLowerCase().includes(q)) continue;
        const state = stateOf(packed);
        const reason = viewOf(id)?.view.reason ?? (state === 'needsAction' || state === 'failed' ? reasons[state].get(id) : null) ?? null;
        found.push({ id, state, reason });
        if (found.length >= limit) break;
      }
      return found;
    },
    list(state, limit) {
      const found: Array<Pick<ItemView, 'id' | 'reason'>> = [];
      for (const [id, reason] of reasons[state]) {
        found.push({ id, reason });
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
    held: () => ({
      indexed: index.size, live: live.size, recent: recent.size, reasons: reasons.needsAction.size + reasons.failed.size,
      sessions: sessions.size, signatures: tally.signatures,
    }),
  };
}
