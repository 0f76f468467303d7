/**
 * The in-memory store, for unit tests only: the same contract as SQLite and PostgreSQL, including
 * leases and the JSON round trip of stored values, so a test against it says something true of them.
 */
import { memoryEndUserEvents } from './endUserEvents.js';
import { memoryHistory } from './history.js';
import type { ApiError } from '../../errors/index.js';
import type {
  ClaimOptions,
  ItemState,
  ItemUpdate,
  JobKind,
  JobRecord,
  ListOptions,
  NewItem,
  SnapshotStore,
  StoredItem,
} from './contract.js';
import {
  checkClaim,
  decodeItemColumns,
  decodeJson,
  emptyCounts,
  encodeJson,
  inputMayHaveEndUser,
  isFinalState,
  lastUpdatePerItem,
  storeError,
  unknownJob,
} from './_internals/common.js';

interface MemoryItem {
  id: string;
  seq: number;
  input: string | null;
  state: ItemState;
  snapshot: string | null;
  machineVersion: number | null;
  dueAt: number | null;
  outcome: string | null;
  updatedAt: number;
  leaseOwner: string | null;
  leaseUntil: number | null;
}

interface MemoryJob {
  id: string;
  kind: JobKind;
  createdAt: number;
  halt: string | null;
  pausedAt: number | null;
  /** In insertion order, which is `seq` order. */
  items: Map<string, MemoryItem>;
}


/**
 * Creates a store that lives in this process only; it forgets everything on exit.
 *
 * @example
 * ```ts
 * const store = createMemoryStore();
 * await store.ensureJob('job-1', 'onboard');
 * await store.addItems('job-1', [{ id: 'c1', input: { customer: 'c1' } }]);
 * const [item] = await store.claimItems('job-1', { owner: 'w1', limit: 10, leaseMs: 30_000 });
 * ```
 */
export function createMemoryStore(): SnapshotStore {
  const jobs = new Map<string, MemoryJob>();
  const endUserEvents = memoryEndUserEvents();
  const { append: appendHistory, ...history } = memoryHistory((jobId) => jobs.has(jobId));
  let closed = false;

  const open = (): void => {
    if (closed) throw storeError('MX_STORE_CLOSED', 'the memory store is closed');
  };
  const job = (jobId: string): MemoryJob => {
    open();
    const found = jobs.get(jobId);
    if (!found) throw unknownJob(jobId);
    return found;
  };
  // Lease operations on a job that does not exist find no items, as a WHERE clause would.
  const itemsOf = (jobId: string): Map<string, MemoryItem> => {
    open();
    return jobs.get(jobId)?.items ?? new Map();
  };
  const jobRecord = (j: MemoryJob): JobRecord => ({
    id: j.id,
    kind: j.kind,
    createdAt: j.createdAt,
    halt: decodeJson(j.halt) as ApiError | null,
    pausedAt: j.pausedAt,
  });
  const toStored = (jobId: string, item: MemoryItem): StoredItem => ({
    jobId,
    id: item.id,
    seq: item.seq,
    state: item.state,
    machineVersion: item.machineVersion,
    dueAt: item.dueAt,
    updatedAt: item.updatedAt,
    ...decodeItemColumns(item),
  });
  const leaseIsFree = (item: MemoryItem, owner: string, now: number): boolean =>
    item.leaseOwner === null || item.leaseOwner === owner || (item.leaseUntil ?? 0) <= now;

  return {
    kind: 'memory',

    async init() {
      open();
    },

    async ensureJob(jobId, kind) {
      open();
      let found = jobs.get(jobId);
      if (!found) {
        found = { id: jobId, kind, createdAt: Date.now(), halt: null, pausedAt: null, items: new Map() };
        jobs.set(jobId, found);
      }
      return jobRecord(found);
    },

    async getJob(jobId) {
      open();
      const found = jobs.get(jobId);
      return found ? jobRecord(found) : null;
    },

    async listJobs() {
      open();
      return [...jobs.values()]
        .toSorted((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
        .map(jobRecord);
    },

    async setHalt(jobId, halt) {
      job(jobId).halt = encodeJson(halt);
    },

    async setPaused(jobId, paused) {
      const j = job(jobId);
      j.pausedAt = paused ? (j.pausedAt ?? Date.now()) : null;
      return jobRecord(j);
    },

    async addItems(jobId, items: readonly NewItem[]) {
      const j = job(jobId);
      const encoded = items.map((item) => ({ id: item.id, input: encodeJson(item.input) }));
      let seq = j.items.size;
      let added = 0;
      const now = Date.now();
      for (const item of encoded) {
        if (j.items.has(item.id)) continue;
        seq += 1;
        added += 1;
        j.items.set(item.id, {
          id: item.id,
          seq,
          input: item.input,
          state: 'pending',
          snapshot: null,
          machineVersion: null,
          dueAt: null,
          outcome: null,
          updatedAt: now,
          leaseOwner: null,
          leaseUntil: null,
        });
      }
      return added;
    },

    async claimItems(jobId, { owner, limit, leaseMs, exclude }: ClaimOptions) {
      checkClaim(limit, leaseMs);
      const now = Date.now();
      const claimed: StoredItem[] = [];
      for (const item of itemsOf(jobId).values()) {
        if (claimed.length >= limit) break;
        if (isFinalState(item.state) || exclude?.has(item.id) || !leaseIsFree(item, owner, now)) continue;
        item.leaseOwner = owner;
        item.leaseUntil = now + leaseMs;
        claimed.push(toStored(jobId, item));
      }
      return claimed;
    },

    async renewLeases(jobId, owner, leaseMs) {
      checkClaim(0, leaseMs);
      const until = Date.now() + leaseMs;
      const held: string[] = [];
      for (const item of itemsOf(jobId).values()) {
        if (item.leaseOwner !== owner || isFinalState(item.state)) continue;
        item.leaseUntil = until;
        held.push(item.id);
      }
      return held;
    },

    async releaseItems(jobId, owner, ids) {
      const items = itemsOf(jobId);
      for (const id of ids) {
        const item = items.get(id);
        if (item?.leaseOwner !== owner) continue;
        item.leaseOwner = null;
        item.leaseUntil = null;
      }
    },

    async saveItems(jobId, owner, updates: readonly ItemUpdate[]) {
      const items = itemsOf(jobId);
      const now = Date.now();
      // Encode everything first so a value JSON cannot hold fails the whole batch, as a transaction would.
      const encoded = lastUpdatePerItem(updates).map((u) => ({
        u,
        snapshot: u.snapshot === undefined ? undefined : encodeJson(u.snapshot),
        outcome: u.outcome === undefined ? undefined : encodeJson(u.outcome),
      }));
      const written: string[] = [];
      for (const { u, snapshot, outcome } of encoded) {
        const item = items.get(u.id);
        if (item?.leaseOwner !== owner) continue;
        item.state = u.state;
        if (snapshot !== undefined) {
          item.snapshot = snapshot;
          item.machineVersion = u.machineVersion ?? null;
        }
        item.dueAt = u.dueAt;
        if (outcome !== undefined) item.outcome = outcome;
        item.updatedAt = now;
        if (isFinalState(u.state)) {
          item.leaseOwner = null;
          item.leaseUntil = null;
        }
        if (u.history) appendHistory(jobId, u.id, u.history);
        written.push(u.id);
      }
      return written;
    },

    async resetItems(jobId, resets, from, lease) {
      const items = itemsOf(jobId);
      const now = Date.now();
      const written: string[] = [];
      for (const r of resets) {
        const item = items.get(r.id);
        if (!item || !from.includes(item.state)) continue;
        Object.assign(item, {
          state: r.state, snapshot: encodeJson(r.snapshot), machineVersion: r.machineVersion ?? null, outcome: encodeJson(r.outcome), dueAt: null,
          updatedAt: now, leaseOwner: lease?.owner ?? null, leaseUntil: lease ? now + lease.leaseMs : null,
          ...(r.input === undefined ? {} : { input: encodeJson(r.input) }),
        });
        if (r.history) appendHistory(jobId, r.id, r.history);
        written.push(r.id);
      }
      return written;
    },

    async getItem(jobId, id) {
      open();
      const item = jobs.get(jobId)?.items.get(id);
      return item ? toStored(jobId, item) : null;
    },

    async listItems(jobId, options: ListOptions = {}) {
      open();
      const j = jobs.get(jobId);
      if (!j) return [];
      const states = options.states ? new Set(options.states) : null;
      const afterSeq = options.afterSeq ?? 0;
      const limit = options.limit ?? Number.POSITIVE_INFINITY;
      const out: StoredItem[] = [];
      for (const item of j.items.values()) {
        if (out.length >= limit) break;
        if (item.seq <= afterSeq || (states && !states.has(item.state))) continue;
        const stored = toStored(jobId, item);
        if (options.endUser && !inputMayHaveEndUser(stored.input)) continue;
        out.push(stored);
      }
      return out;
    },

    ...endUserEvents,
    ...history,

    async counts(jobId) {
      open();
      const counts = emptyCounts();
      for (const item of jobs.get(jobId)?.items.values() ?? []) counts[item.state] += 1;
      return counts;
    },

    async close() {
      closed = true;
      jobs.clear();
    },
  };
}
