/**
 * What a runtime is to its callers: its options, its events, and what `run` and `status` answer.
 */
import type { InspectionEvent, Observer } from 'xstate';
import type { ChallengeSummary } from '../../machines/index.js';
import type { LifecycleOptions } from '../../machines/index.js';
import type { ChallengeAnswer, MxClient } from '../api/index.js';
import type { ApiError } from '../errors/index.js';
import type { CustomerInput } from '../input/index.js';
import type { Events } from '../_internals/index.js';
import type { AnswerSource, CredentialsSource } from './effects.js';
import type { ConcurrencySetting } from './slots.js';
import type { FinalItemState, ItemState, JobKind, JobRecord, SnapshotStore } from './store/contract.js';
import type { MemberRef, WokenMember } from './wake.js';
import type { RefreshTally } from './refreshTally.js';

/** Where a run stands with an operator's pause. */
export type PauseState = 'running' | 'pausing' | 'paused';

export type RuntimeEventMap = {
  'item.transition': { type: 'item.transition'; jobId: string; itemId: string; state: ItemState; value: string };
  'item.final': { type: 'item.final'; jobId: string; itemId: string; state: FinalItemState; outcome: unknown };
  'job.halted': { type: 'job.halted'; jobId: string; error: ApiError };
  /** A job-scope outage pauses the whole job until `until`; it halts once `since + budgetMs` has passed. */
  'job.paused': { type: 'job.paused'; jobId: string; error: ApiError; since: number; until: number; pauses: number; budgetMs: number };
  /**
   * An operator's pause (`runtime.pause`, `mx-lifecycle pause`) as this worker follows it: `pausing`
   * while requests in flight answer, `paused` once none is left (no request leaves this worker until
   * the resume), `running` again after the resume. Not `job.paused`, which is an outage being waited out.
   */
  'job.pause.changed': { type: 'job.pause.changed'; jobId: string; state: PauseState; pausedAt: number | null; inFlight: number };
  /** How many of the item's connections wait for their end user now (OAuth, widget, re-link) changed. */
  'item.enduser': { type: 'item.enduser'; jobId: string; itemId: string; waiting: number };
  /** A member waits for MFA answers that no `answerChallenge` source gave: answer with `runtime.answer`. */
  'item.challenged': { type: 'item.challenged'; jobId: string; itemId: string; memberId: string; challenges: ChallengeSummary[] };
};
export type RuntimeEvent = RuntimeEventMap[keyof RuntimeEventMap];

export interface RuntimeOptions {
  store: SnapshotStore;
  client: MxClient;
  /**
   * Customers in progress at once: a number pins it; `auto` (the default) sizes it so the client's
   * rate limit, not this number, holds the job back. A customer waiting on a timer (a poll interval,
   * a backoff, an MFA answer window) holds no slot. The rest wait in the store.
   * @default 'auto'
   */
  concurrency?: ConcurrencySetting;
  /**
   * Customers live in this process at once, in progress or waiting on a timer: the memory ceiling.
   * @default 1200
   */
  maxConcurrency?: number;
  /**
   * Where member credentials come from when a member is created. Left out, the credentials of the
   * customers given to `submit` in this process are used (kept in memory, never stored).
   */
  credentials?: CredentialsSource;
  /**
   * A retry: members MX has are found, not created, and get the given credentials by update member.
   * @default false
   */
  replaceCredentials?: boolean;
  /** Answers MFA challenges; left out, challenges wait for `answer()` until their window closes. */
  answerChallenge?: AnswerSource;
  /** An XState inspection observer; it reaches every item's actor, restored ones too. */
  inspect?: Observer<InspectionEvent> | ((event: InspectionEvent) => void);
  /** Retry, polling and MFA-window options for the machines. */
  options?: Partial<LifecycleOptions>;
  /**
   * This worker's name for leases.
   * @default host, pid and a random part on PostgreSQL; `local` on SQLite and memory (`defaultOwnerOf`)
   */
  owner?: string;
  /**
   * How long a claim lasts without renewal.
   * @default 30000 (`DEFAULT_LEASE_MS`)
   */
  leaseMs?: number;
  /**
   * How long job-scope errors that a wait can cure (`unavailable`, 503 maintenance, refused or
   * reset connections) pause the whole job, with a growing backoff, before they halt it; 0 halts at
   * once. Errors no wait can fix (a bad key, a wrong URL) always halt at once.
   * @default 900000 (15 minutes)
   */
  outageBudgetMs?: number;
}

/** The options of `createRuntime` that have a default (`defaultRuntimeOptions`). */
export type RuntimeDefaults = Required<Pick<RuntimeOptions, 'concurrency' | 'maxConcurrency' | 'replaceCredentials' | 'leaseMs' | 'outageBudgetMs'>>;

/** `createRuntime`'s options with their defaults filled in: what a run reads. */
export type RuntimeSettings = RuntimeOptions & RuntimeDefaults;

export interface JobStatus {
  job: JobRecord | null;
  counts: Record<ItemState, number>;
  total: number;
  /** Items that need the end customer (or an operator), with their outcome. */
  needsAction: Array<{ id: string; outcome: unknown }>;
  failed: Array<{ id: string; outcome: unknown }>;
}

/** What `runtime.refresh` takes. */
export interface RefreshOptions {
  /** Only these customers of the onboarding job (each must be in it); left out, every one with a connected member. */
  customers?: readonly string[];
  /**
   * No aggregate is sent for a member whose last successful aggregation is more recent than this.
   * @default 10800000 (MX's three hours)
   */
  minAggregationIntervalMs?: number;
  signal?: AbortSignal;
}

/** What `runtime.refresh` answers: the run of its refresh job, and its members by outcome. */
export interface RefreshResult extends RunResult {
  /** The onboarding job whose members were refreshed. */
  sourceJobId: string;
  /** Whether an unfinished refresh of that job was resumed rather than a new one started. */
  resumed: boolean;
  members: RefreshTally;
}

export interface RunResult {
  jobId: string;
  halted: ApiError | null;
  counts: Record<ItemState, number>;
}

export interface Runtime {
  /** Adds customers not seen before (by id) to the job; streams, never holds the input whole. */
  submit(jobId: string, customers: AsyncIterable<CustomerInput> | Iterable<CustomerInput>, kind?: JobKind): Promise<{ added: number }>;
  /** Runs the job until every item is final or the job halts. */
  run(jobId: string, options?: { signal?: AbortSignal }): Promise<RunResult>;
  status(jobId: string): Promise<JobStatus>;
  /**
   * Pauses the job in its store, for every worker: they finish the requests in flight, take no new
   * step and stay up until `resume`. Durable waits that fall due meanwhile end after the resume.
   */
  pause(jobId: string): Promise<JobRecord>;
  /** Lets a paused job go on, on every worker. */
  resume(jobId: string): Promise<JobRecord>;
  /**
   * Aggregates the connected members of onboarding job `sourceJobId` again, as a refresh job of
   * its own (`<job>.refresh.<UTC time>`; an unfinished one is resumed instead), and runs it to its end.
   * Throws a `RefreshProblem` when the job is missing, is not an onboarding job, or lacks a customer.
   *
   * @example
   * const result = await runtime.refresh('march', { minAggregationIntervalMs: 3 * 3_600_000 });
   * console.log(result.jobId, result.members.refreshed, result.members.skipped, result.members.nextRefreshAt);
   */
  refresh(sourceJobId: string, options?: RefreshOptions): Promise<RefreshResult>;
  /** Answers a member's open MFA challenges (answers by challenge guid, or `{guid, value}` pairs). */
  answer(jobId: string, customerId: string, memberId: string, answers: Record<string, string> | ChallengeAnswer[]): Promise<boolean>;
  /**
   * Ends a live member's wait for its next status read (a webhook said it changed); the member
   * reads its status itself before acting. Null when no live member matches `ref`.
   */
  wakeMember(ref: MemberRef): WokenMember | null;
  readonly events: Events<RuntimeEventMap>;
  /** Stops live items where they stand (their state is on disk) and timers. */
  close(): Promise<void>;
  /**
   * What the runtime holds in memory now: items live on this worker, customers whose credentials
   * are held (submitted and not final yet), members whose callback payload is held (those of live
   * items), MFA answers not sent yet, and the institutions whose credential fields the runs in
   * progress read. None of them grows with the customers that finish.
   */
  held(): RuntimeHeld;
}

/** See `Runtime.held()`. */
export interface RuntimeHeld {
  liveItems: number;
  credentials: number;
  memberOrigins: number;
  answers: number;
  /** Institutions whose credential fields (metadata, no values) the runs in progress hold. */
  credentialFields: number;
}
