/**
 * The durable runtime: runs a job's items (one customer each) as root actors, persists every
 * transition, re-arms durable waits on restore, halts the job once on a systemic error, and resumes
 * whatever is not final when it runs again, in this process or another one.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { createActor, type Actor, type AnyStateMachine, type InspectionEvent, type Observer } from 'xstate';
import type { ChallengeSummary } from '../../machines/actors.js';
import type { LifecycleOptions } from '../../machines/options.js';
import type { ChallengeAnswer, MxClient } from '../api/types.js';
import type { ApiError } from '../errors/types.js';
import type { CustomerInput } from '../input/types.js';
import { createHub, type Events } from '../_internals/hub.js';
import { createChallengeWatch, answersForMember } from './challenges.js';
import { createSlots, type ConcurrencySetting } from './slots.js';
import { createLifecycleEffects, type AnswerBox, type AnswerSource, type CredentialsSource } from './effects.js';
import { createGivenCredentials, memberKey } from './perMember.js';
import { createOutageWatch } from './outageWatch.js';
import { jobProgram, type JobProgram } from './programs.js';
import type { FinalItemState, ItemState, JobKind, JobRecord, SnapshotStore, StoredItem } from './store.js';
import { createMemberOrigins, wakeLiveMember, type MemberRef, type WokenMember } from './wake.js';
import { createSnapshotWriter, type SnapshotWriter } from './writer.js';

export type RuntimeEventMap = {
  'item.transition': { type: 'item.transition'; jobId: string; itemId: string; state: ItemState; value: string };
  'item.final': { type: 'item.final'; jobId: string; itemId: string; state: FinalItemState; outcome: unknown };
  'job.halted': { type: 'job.halted'; jobId: string; error: ApiError };
  /** A job-scope outage pauses the whole job until `until`; it halts once `since + budgetMs` has passed. */
  'job.paused': { type: 'job.paused'; jobId: string; error: ApiError; since: number; until: number; pauses: number; budgetMs: number };
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
  /** A retry: members MX has are found, not created, and get the given credentials by update member. */
  replaceCredentials?: boolean;
  /** Answers MFA challenges; left out, challenges wait for `answer()` until their window closes. */
  answerChallenge?: AnswerSource;
  /** An XState inspection observer; it reaches every item's actor, restored ones too. */
  inspect?: Observer<InspectionEvent> | ((event: InspectionEvent) => void);
  /** Retry, polling and MFA-window options for the machines. */
  options?: Partial<LifecycleOptions>;
  /** This worker's name for leases (default: host, pid and a random part; `local` for SQLite). */
  owner?: string;
  /** How long a claim lasts without renewal (default 30 s). */
  leaseMs?: number;
  /**
   * How long job-scope errors that a wait can cure (`unavailable`, 503 maintenance, refused or
   * reset connections) pause the whole job, with a growing backoff, before they halt it; 0 halts at
   * once. Errors no wait can fix (a bad key, a wrong URL) always halt at once.
   * @default 900000 (15 minutes)
   */
  outageBudgetMs?: number;
}

export interface JobStatus {
  job: JobRecord | null;
  counts: Record<ItemState, number>;
  total: number;
  /** Items that need the end customer (or an operator), with their outcome. */
  needsAction: Array<{ id: string; outcome: unknown }>;
  failed: Array<{ id: string; outcome: unknown }>;
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
}

interface LiveItem {
  id: string;
  actor: Actor<AnyStateMachine>;
  state: ItemState;
  value: string;
  /** Set once the runtime stops the actor itself, so its stop is not read as a final state. */
  stopping: boolean;
  /** Whether all it does now is wait on a durable timer: then it holds no slot. */
  waiting: boolean;
}

const SUBMIT_BATCH = 500;
const HALT_CHECK_MS = 2_000;
const CLAIM_SWEEP_MS = 1_000;


/**
 * Creates a runtime over a store and a client.
 *
 * @example
 * ```ts
 * const runtime = createRuntime({ store: createSqliteStore({ path: 'jobs.sqlite' }), client, concurrency: 32 });
 * await runtime.submit('march-cohort', customers);
 * const result = await runtime.run('march-cohort');
 * ```
 */
export function createRuntime(options: RuntimeOptions): Runtime {
  const { store, client } = options;
  const leaseMs = options.leaseMs ?? 30_000;
  const owner = options.owner ?? (store.kind === 'postgres' ? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}` : 'local');
  const hub = createHub<RuntimeEventMap>();
  const given = createGivenCredentials();
  const answers: AnswerBox = new Map();
  const credentials: CredentialsSource =
    options.credentials ?? ((request) => given.get(request.userExternalId, request.memberExternalId));
  const origins = createMemberOrigins();
  const effects = createLifecycleEffects({ client, credentials, answerChallenge: options.answerChallenge, answers, callbackPayload: origins.payloadFor, replaceCredentials: options.replaceCredentials === true });
  const programs = new Map<JobKind, JobProgram>();
  const programFor = (kind: JobKind) => {
    let program = programs.get(kind);
    if (!program) {
      program = jobProgram(kind, effects, options.options);
      programs.set(kind, program);
    }
    return program;
  };
  const live = new Map<string, Map<string, LiveItem>>();
  const wakers = new Set<() => void>();
  let closed = false;
  let initialised: Promise<void> | null = null;
  const init = () => (initialised ??= store.init());

  async function submit(jobId: string, customers: AsyncIterable<CustomerInput> | Iterable<CustomerInput>, kind: JobKind = 'onboard') {
    await init();
    const job = await store.ensureJob(jobId, kind);
    const program = programFor(job.kind);
    let added = 0;
    let batch: { id: string; input: unknown }[] = [];
    for await (const customer of customers) {
      for (const member of customer.members) {
        if (member.credentials) given.set(customer.id, member.id, member.credentials);
      }
      batch.push({ id: customer.id, input: program.inputOf(customer) });
      if (batch.length >= SUBMIT_BATCH) {
        added += await store.addItems(jobId, batch);
        batch = [];
      }
    }
    if (batch.length > 0) added += await store.addItems(jobId, batch);
    return { added };
  }

  async function run(jobId: string, runOptions: { signal?: AbortSignal } = {}): Promise<RunResult> {
    await init();
    const job = await store.getJob(jobId);
    if (!job) throw new Error(`job "${jobId}" does not exist: submit items to it first`);
    const runLock = await store.lockRun?.(jobId);
    const outage = createOutageWatch({
      store, client, jobId, job, budgetMs: options.outageBudgetMs,
      onPause: (pause, error) => hub.emit({ type: 'job.paused', jobId, error, ...pause }),
    });
    await outage.start();
    const program = programFor(job.kind);
    const items = new Map<string, LiveItem>();
    live.set(jobId, items);
    let halted: ApiError | null = null;
    let haltCheckedAt = Date.now();
    // A claim reads past every live item of this worker, so claiming one slot each time one item
    // finished cost O(concurrency) per item (at 256 at once, a tenth of the job's CPU). Claims wait
    // for a batch of free slots (unless the last claim found the store drained), or for
    // CLAIM_SWEEP_MS since the last claim: a slot never stays empty for long while the items beside
    // it wait, and items added or given back meanwhile are found within that time.
    const slots = createSlots(client, options.concurrency, options.maxConcurrency);
    let claimedAt = Number.NEGATIVE_INFINITY;
    let drained = false;
    let failure: unknown = null;
    let wake: (() => void) | null = null;
    const poke = () => {
      const resolve = wake;
      wake = null;
      resolve?.();
    };

    const writer: SnapshotWriter = createSnapshotWriter({
      store,
      jobId,
      owner,
      read: (id) => {
        const item = items.get(id);
        if (!item) return null;
        const snapshot = item.actor.getSnapshot();
        const summary = program.summarise(snapshot);
        return {
          id,
          state: summary.state,
          snapshot: item.actor.getPersistedSnapshot(),
          dueAt: summary.dueAt,
          ...(summary.final ? { outcome: summary.outcome } : {}),
        };
      },
      onLost: (ids) => drop(ids),
      onError: (error) => {
        failure = error;
        poke();
      },
    });

    // An item this worker no longer holds was taken over by another worker, or rewritten by an
    // operator (`cancel`): stop its actor here without writing it again.
    const drop = (ids: readonly string[]) => {
      for (const id of ids) {
        const item = items.get(id);
        if (!item || item.stopping) continue;
        item.stopping = true;
        item.actor.stop();
        items.delete(id);
        slots.removed(item);
        void store.getItem(jobId, id).then((stored) => {
          if (stored?.state === 'cancelled') hub.emit({ type: 'item.final', jobId, itemId: id, state: 'cancelled', outcome: stored.outcome });
        }, () => undefined);
      }
      poke();
    };

    const halt = (error: ApiError) => {
      if (halted) return;
      if (outage.waits(error)) return poke();
      halted = error;
      void store.setHalt(jobId, error).catch((e: unknown) => (failure = e));
      hub.emit({ type: 'job.halted', jobId, error });
      poke();
    };

    const challengeWatch = createChallengeWatch();
    const noticeChallenge = (itemId: string, actorId: string, snapshot: unknown) => {
      if (!hub.has('item.challenged')) return;
      const waiting = challengeWatch.notice(itemId, actorId, snapshot);
      if (waiting) hub.emit({ type: 'item.challenged', jobId, itemId, ...waiting });
    };

    const startItem = (stored: StoredItem) => {
      const userInspect = options.inspect;
      const inspect = (event: InspectionEvent) => {
        if (event.type === '@xstate.snapshot') {
          writer.markDirty(stored.id);
          if (item) slots.recheck(item);
          noticeChallenge(stored.id, (event.actorRef as { id?: string }).id ?? '', event.snapshot);
        }
        if (typeof userInspect === 'function') userInspect(event);
        else userInspect?.next?.(event);
      };
      let item: LiveItem | undefined;
      const actor = stored.snapshot
        ? createActor(program.machine, { snapshot: stored.snapshot as never, input: stored.input as never, inspect })
        : createActor(program.machine, { input: stored.input as never, inspect });
      const started: LiveItem = { id: stored.id, actor, state: stored.state, value: '', stopping: false, waiting: false };
      item = started;
      // A restored halted item still shows its old halt until it receives job.resume: not a new halt.
      let resuming = stored.snapshot !== null && program.summarise(stored.snapshot).state === 'halted';
      items.set(stored.id, started);
      origins.note(jobId, stored.id, stored.input);
      actor.subscribe({
        next: (snapshot) => {
          const summary = program.summarise(snapshot);
          if (summary.value !== started.value || summary.state !== started.state) {
            started.value = summary.value;
            started.state = summary.state;
            if (hub.has('item.transition')) {
              hub.emit({ type: 'item.transition', jobId, itemId: started.id, state: summary.state, value: summary.value });
            }
          }
          if (summary.state === 'halted' && summary.halt && !resuming) halt(summary.halt);
          if (summary.final) void finish(started, summary.state as FinalItemState, summary.outcome);
        },
        error: (error) => {
          failure = error;
          poke();
        },
      });
      actor.start();
      if (resuming) {
        resuming = false;
        actor.send({ type: 'job.resume' });
      }
    };

    const finish = async (item: LiveItem, state: FinalItemState, outcome: unknown) => {
      if (item.stopping) return;
      item.stopping = true;
      await writer.persisted(item.id);
      items.delete(item.id);
      slots.removed(item);
      hub.emit({ type: 'item.final', jobId, itemId: item.id, state, outcome });
      poke();
    };

    const renewal = setInterval(() => {
      void store.renewLeases(jobId, owner, leaseMs).catch(() => undefined);
    }, Math.max(250, Math.floor(leaseMs / 3)));
    renewal.unref?.();
    slots.onFreed(poke);
    // The limit is decided a few times a second while items run, not only when one finishes.
    const decide = slots.controller.adaptive ? setInterval(poke, 250) : null;
    decide?.unref?.();
    const onAbort = () => poke();
    runOptions.signal?.addEventListener('abort', onAbort);
    wakers.add(onAbort);

    try {
      for (;;) {
        if (failure) throw failure;
        const stopping = closed || halted !== null || runOptions.signal?.aborted === true;
        if (stopping) break;
        outage.resumeWhenDue(() => {
          for (const item of items.values()) if (item.state === 'halted') item.actor.send({ type: 'job.resume' });
        });
        const room = slots.room(items.size, !drained);
        const claimBatch = Math.max(1, Math.min(64, Math.floor(slots.controller.limit / 8)));
        if (!outage.paused() && room > 0 && ((room >= claimBatch && !drained) || Date.now() - claimedAt >= CLAIM_SWEEP_MS)) {
          claimedAt = Date.now();
          const claimed = await store.claimItems(jobId, {
            owner,
            limit: room,
            leaseMs,
            exclude: new Set(items.keys()),
          });
          drained = claimed.length < room;
          for (const stored of claimed) {
            if (halted) break;
            startItem(stored);
          }
          if (claimed.length > 0) continue;
        }
        if (Date.now() - haltCheckedAt > HALT_CHECK_MS) {
          // Another worker may have halted the job: stop here too, once.
          haltCheckedAt = Date.now();
          const current = await store.getJob(jobId);
          if (current?.halt && !outage.adopt(current.halt)) {
            halt(current.halt);
            continue;
          }
          if (items.size > 0) {
            const held = new Set(await store.renewLeases(jobId, owner, leaseMs));
            drop([...items.keys()].filter((id) => !held.has(id)));
          }
        }
        if (items.size === 0) {
          const counts = await store.counts(jobId);
          const open = counts.pending + counts.active + counts.halted;
          // Another worker still holds items: wait for them to finish, or for their lease to run out.
          if (open === 0) break;
        }
        // One timer per wait, cleared when something else wakes the loop: left running, every
        // wake-up by a finished item added a timer whose own wake-up added another, until hundreds a
        // second kept the loop claiming (20,000 customers: the last 250 took 35 s instead of 0.4 s).
        let timer: NodeJS.Timeout | undefined;
        await new Promise<void>((resolve) => {
          wake = resolve;
          timer = setTimeout(poke, outage.paused() ? outage.msLeft() : items.size === 0 ? Math.min(1000, leaseMs / 2) : 1000);
          timer.unref?.();
        });
        clearTimeout(timer);
      }
    } finally {
      outage.dispose();
      clearInterval(renewal);
      if (decide) clearInterval(decide);
      slots.dispose();
      runOptions.signal?.removeEventListener('abort', onAbort);
      wakers.delete(onAbort);
      await stopAll(jobId, items, writer);
      live.delete(jobId);
      runLock?.release();
    }
    if (failure) throw failure;
    return { jobId, halted, counts: await store.counts(jobId) };
  }

  async function stopAll(jobId: string, items: Map<string, LiveItem>, writer: SnapshotWriter) {
    for (const item of items.values()) writer.markDirty(item.id);
    await writer.flush();
    for (const item of items.values()) {
      item.stopping = true;
      item.actor.stop();
    }
    const ids = [...items.keys()];
    items.clear();
    // Given back at once, so another worker (or the next run) need not wait for the leases to run out.
    if (ids.length > 0) await store.releaseItems(jobId, owner, ids).catch(() => undefined);
  }

  async function status(jobId: string): Promise<JobStatus> {
    await init();
    const [job, counts] = await Promise.all([store.getJob(jobId), store.counts(jobId)]);
    const listOf = async (state: FinalItemState) =>
      (await store.listItems(jobId, { states: [state], limit: 1000 })).map((item) => ({ id: item.id, outcome: item.outcome }));
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    return { job, counts, total, needsAction: await listOf('needsAction'), failed: await listOf('failed') };
  }

  async function answer(jobId: string, customerId: string, memberId: string, given: Record<string, string> | ChallengeAnswer[]) {
    const item = live.get(jobId)?.get(customerId);
    const list = answersForMember(item?.actor, memberId, given);
    answers.set(memberKey(customerId, memberId), list);
    if (!item) return false;
    // The event names the member, never the answers: they wait in memory for the resume request.
    item.actor.send({ type: 'member.challenge.answered', memberExternalId: memberId });
    return true;
  }

  async function close() {
    closed = true;
    for (const wakeRun of wakers) wakeRun();
    // Each run stops its live items itself, after writing where they stand.
    while (live.size > 0) await new Promise((resolve) => setTimeout(resolve, 10));
  }

  return { submit, run, status, answer, wakeMember: (ref: MemberRef) => wakeLiveMember(live, ref), events: hub, close };
}
