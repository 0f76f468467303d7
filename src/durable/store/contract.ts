/**
 * The persistence contract between the durable runtime and its backends (memory for unit tests,
 * SQLite embedded, PostgreSQL for many workers). A backend stores jobs and their items: each item's
 * input (never a secret), its latest persisted XState snapshot, the due time of its live durable wait,
 * and its final outcome. Items are claimed with leases so that several workers can share one job.
 */
import type { ApiError, ApiErrorKind, UnreadableColumn } from '../../errors/index.js';

/**
 * What a job runs: onboarding creates users and members, offboarding deletes them, refresh
 * aggregates an onboarding job's connected members again.
 */
export type JobKind = 'onboard' | 'offboard' | 'refresh';

/** The coarse state of an item, kept beside its snapshot for counting and claiming. */
export type ItemState = 'pending' | 'active' | 'halted' | FinalItemState;
export type FinalItemState = 'done' | 'needsAction' | 'failed' | 'cancelled';
export const FINAL_ITEM_STATES: readonly FinalItemState[] = ['done', 'needsAction', 'failed', 'cancelled'];

export interface JobRecord {
  id: string;
  kind: JobKind;
  createdAt: number;
  /** The systemic error that halted the job, or `null` while it may run. */
  halt: ApiError | null;
  /**
   * Epoch ms at which an operator paused the job (`mx-lifecycle pause`), or `null` while it may
   * run. Workers take no new step while it is set; `setPaused(jobId, false)` clears it.
   */
  pausedAt: number | null;
}

export interface NewItem {
  /** The customer's external id; unique within a job (a second submit of it is ignored). */
  id: string;
  /** The machine input, already stripped of credentials. */
  input: unknown;
}

/** A stored column of an item that is not JSON: the item's value for it reads as `null`. */
export interface UnreadableValue {
  column: UnreadableColumn;
  /** What the JSON parser said, e.g. `Unexpected end of JSON input`. */
  message: string;
}

export interface StoredItem {
  jobId: string;
  id: string;
  /** Insertion order within the job, from 1. */
  seq: number;
  input: unknown;
  state: ItemState;
  /** The latest `actor.getPersistedSnapshot()`, or `null` before the item first ran. */
  snapshot: unknown | null;
  /** The machines version the snapshot was written by; `null` when the row records none (no snapshot, or stored before versions were kept). */
  machineVersion: number | null;
  /** Epoch ms at which the item's live durable wait is due, or `null` when it is not waiting. */
  dueAt: number | null;
  /** The final output or reason, once `state` is final. */
  outcome: unknown | null;
  updatedAt: number;
  /**
   * The first stored column that is not JSON (its value reads as `null`), or `null` when every
   * column was read. Reading a store never throws for one bad row: the runtime fails that
   * customer, and the commands that read the store show why.
   */
  unreadable: UnreadableValue | null;
}

export interface ItemUpdate {
  id: string;
  state: ItemState;
  /** The new snapshot; omitted keeps the stored snapshot and its machine version as they are (a row set apart). */
  snapshot?: unknown | null;
  /** The machines version `snapshot` was written by (`null` or omitted: none recorded). */
  machineVersion?: number | null;
  dueAt: number | null;
  /** The final output or reason; omitted leaves the stored outcome as it is. */
  outcome?: unknown | null;
  /** Steps to add to the item's history in the same write (only when the write happens). */
  history?: HistoryAppend;
}

/** An operator's rewrite of an item (cancel, retry), whoever holds it. */
export interface ItemReset {
  id: string;
  state: ItemState;
  /** A new machine input (retry with new options or known guids); omitted keeps the stored one. */
  input?: unknown;
  snapshot: unknown | null;
  /** The machines version `snapshot` was written by (`null` or omitted: none recorded). */
  machineVersion?: number | null;
  outcome: unknown | null;
  /** Steps to add to the item's history in the same write (the operator's own step). */
  history?: HistoryAppend;
}

/** Who holds the items a reset writes, and for how long (a claim's owner and lease). */
export interface ResetLease {
  owner: string;
  leaseMs: number;
}

export interface ClaimOptions {
  /** Who claims: one id per worker process. */
  owner: string;
  /** At most this many items. */
  limit: number;
  /** How long the lease lasts before another worker may take the items. */
  leaseMs: number;
  /** Item ids this worker already holds, not to be returned again. */
  exclude?: ReadonlySet<string>;
}

export interface ListOptions {
  states?: readonly ItemState[];
  /**
   * Only items whose stored input names a connection its end user may make (`"connect"` oauth,
   * widget or auto, END_USER_CONNECT_MARKS): what the end-user counts and the links read, found
   * through an index instead of a walk of every customer. A superset: the caller still reads each.
   */
  endUser?: boolean;
  /** Items with `seq` greater than this (for paging). */
  afterSeq?: number;
  limit?: number;
}

/**
 * How a stored input names a connection its end user may make, as JSON writes it: a store finds
 * these items by the text, with no knowledge of the input's shape.
 */
export const END_USER_CONNECT_MARKS = ['"connect":"oauth"', '"connect":"widget"', '"connect":"auto"'] as const;

/** What an end user did with a connection's link: it was handed out (exported or served), or opened. */
export type EndUserEventKind = 'invited' | 'opened';

/** Connections of a job with at least one event of each kind. */
export interface EndUserEventCounts {
  invited: number;
  opened: number;
}

/**
 * One MX request a step made: the method, the path template (`/users/{user_guid}/members`, never
 * a guid, a query, a URL or a body), the status (0: no response) and how long it took.
 */
export interface HistoryRequest {
  method: string;
  path: string;
  status: number;
  ms: number;
}

/**
 * One step of a customer: a machine of the customer entered a state. It holds names, kinds and
 * statuses only: never an event's payload, a credential, an MFA answer, a token or a URL.
 */
export interface HistoryStep {
  /** Epoch ms. */
  at: number;
  /** `onboarding`, `user`, `member`, `offboarding`, or `operator` for a step a command took (retry, cancel). */
  machine: string;
  /** Which one of the customer's machines: `user`, or the member's external id. */
  actor: string;
  /** The state entered, dot-separated (`polling.checkingStatus`). */
  state: string;
  /** The event's type (`xstate.done.actor.createUser`, `member.challenge.answered`, `retry`). */
  event: string;
  /** The MX requests behind the event, oldest first. */
  requests?: HistoryRequest[];
  /** The classified error the event carried: its kind and HTTP status. */
  error?: { kind: ApiErrorKind; status: number };
  /** The member's `connection_status` as the machine knows it after the step. */
  connectionStatus?: string;
  /** Steps of a polling wait left out before this one: they repeated a round already kept. */
  repeated?: number;
}

/** Steps to add to an item's history, and how many of its latest steps the store keeps. */
export interface HistoryAppend {
  steps: readonly HistoryStep[];
  keep: number;
}

/** How many steps each customer's history keeps unless the job says otherwise. */
export const DEFAULT_HISTORY_LIMIT = 200;

export interface SnapshotStore {
  readonly kind: 'memory' | 'sqlite' | 'postgres';
  /** Creates or migrates the schema; idempotent, safe to call from several workers at once. */
  init(): Promise<void>;
  /** Returns the job, creating it with `kind` when it does not exist. */
  ensureJob(jobId: string, kind: JobKind): Promise<JobRecord>;
  getJob(jobId: string): Promise<JobRecord | null>;
  listJobs(): Promise<JobRecord[]>;
  /** Records (or clears, with `null`) the systemic error that halted the job. */
  setHalt(jobId: string, halt: ApiError | null): Promise<void>;
  /**
   * Pauses the job (`true`: keeps the first pause's time when it is paused already) or lets it go on
   * (`false`); returns the job as it now stands. Throws a store error for a job that does not exist.
   */
  setPaused(jobId: string, paused: boolean): Promise<JobRecord>;
  /** Adds the items whose id the job has not seen; returns how many were new. One transaction. */
  addItems(jobId: string, items: readonly NewItem[]): Promise<number>;
  /**
   * Leases up to `limit` items that are not final and not leased by another worker whose lease is
   * still running, oldest first, in state `pending`, `active` or `halted`.
   */
  claimItems(jobId: string, options: ClaimOptions): Promise<StoredItem[]>;
  /** Extends this owner's leases on the job; returns the ids it still holds. */
  renewLeases(jobId: string, owner: string, leaseMs: number): Promise<string[]>;
  /** Gives items back (they can be claimed at once). */
  releaseItems(jobId: string, owner: string, ids: readonly string[]): Promise<void>;
  /**
   * Writes a batch of item updates in one transaction; only items this owner holds are written (the
   * last update wins when an id repeats). A final state clears the lease. Returns the ids written:
   * an id missing from it was taken over by another worker, which must now run it alone.
   */
  saveItems(jobId: string, owner: string, updates: readonly ItemUpdate[]): Promise<string[]>;
  /**
   * Rewrites items whose state is one of `from`, whatever worker holds them, and clears their
   * lease: the worker that held one sees it gone at its next renewal or save and stops its actor.
   * With `lease`, the items are leased to that owner in the same write instead, so no other worker
   * can claim them between the reset and the owner's own claim (retry). One transaction; returns
   * the ids written.
   */
  resetItems(jobId: string, resets: readonly ItemReset[], from: readonly ItemState[], lease?: ResetLease): Promise<string[]>;
  getItem(jobId: string, id: string): Promise<StoredItem | null>;
  listItems(jobId: string, options?: ListOptions): Promise<StoredItem[]>;
  /**
   * Takes the lock that lets one process at a time run `jobId`, where the backend needs one (SQLite:
   * every process claims as the same owner); throws a store error `MX_STORE_JOB_BUSY` when another
   * process holds it. Taken again through the same store, it is shared (retry holds it across the
   * run it starts). PostgreSQL workers share a job through leases and need none.
   */
  lockRun?(jobId: string): Promise<{ release(): void }>;
  /**
   * Notes that a connection's end-user link was handed out (`invited`) or opened; idempotent per
   * connection and kind (a repeat only counts how often). Never takes a URL: ids only.
   */
  recordEndUserEvent(jobId: string, customerId: string, connectionId: string, kind: EndUserEventKind): Promise<void>;
  /** How many connections of the job were invited and opened. */
  endUserCounts(jobId: string): Promise<EndUserEventCounts>;
  /**
   * What end users did with the links of these customers' connections, by `customer\u0000connection`
   * (see `endUserEventKey`): for a per-connection export.
   */
  endUserEventsOf(jobId: string, customerIds: readonly string[]): Promise<Map<string, Set<EndUserEventKind>>>;
  /** The customer's steps, oldest first (at most the job's history limit). */
  historyOf(jobId: string, itemId: string): Promise<HistoryStep[]>;
  /** The latest step of each of these customers that has one: one read for a list (`status`). */
  lastStepsOf(jobId: string, itemIds: readonly string[]): Promise<Map<string, HistoryStep>>;
  /** How many steps each customer of the job keeps (0: none); `DEFAULT_HISTORY_LIMIT` until set. */
  historyLimitOf(jobId: string): Promise<number>;
  setHistoryLimit(jobId: string, limit: number): Promise<void>;
  /** How many items are in each state. */
  counts(jobId: string): Promise<Record<ItemState, number>>;
  close(): Promise<void>;
}
