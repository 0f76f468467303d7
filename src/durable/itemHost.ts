/**
 * The items of one run of a job, as this worker hosts them: start one from the store (fresh, or
 * restored from its snapshot), notice its transitions and its halt, write it down, let it go when
 * it is final, drop it when another worker (or `cancel`) took it over, and stop them all at the end.
 */
import { endUserWaitsOf } from '../../machines/_internals/index.js';
import type { Actor, AnyStateMachine, InspectionEvent } from 'xstate';
import type { ApiError } from '../errors/index.js';
import type { Hub } from '../_internals/index.js';
import { createChallengeWatch } from './challenges.js';
import type { JobProgram } from './programs.js';
import { restoreItem, type UnreadableRowError } from './restore.js';
import type { RuntimeEventMap, RuntimeOptions } from './runtimeTypes.js';
import type { Slots } from './slots.js';
import { passThrough, type Enter, type ItemTrace, type JobTrace } from './tracing.js';
import type { FinalItemState, ItemState, SnapshotStore, StoredItem } from './store/contract.js';
import type { createMemberOrigins } from './wake.js';
import type { StepRecorder } from './stepRecorder.js';
import { createSnapshotWriter } from './writer.js';

export interface LiveItem {
  id: string;
  actor: Actor<AnyStateMachine>;
  state: ItemState;
  value: string;
  /** Set once the runtime stops the actor itself, so its stop is not read as a final state. */
  stopping: boolean;
  /** Whether all it does now is wait on a durable timer: then it holds no slot. */
  waiting: boolean;
  /** The item's input: which members to forget when it leaves. */
  input: unknown;
  /** Its connections waiting for their end user, as last told. */
  endUserWaits?: number;
  /** Runs `fn` in the customer's trace scope: every event sent to the actor goes through it. */
  enter: Enter;
  trace?: ItemTrace;
}

export interface ItemHostOptions {
  jobId: string;
  store: SnapshotStore;
  owner: string;
  program: JobProgram;
  hub: Hub<RuntimeEventMap>;
  slots: Slots;
  origins: ReturnType<typeof createMemberOrigins>;
  inspect: RuntimeOptions['inspect'];
  /** The run's trace, when spans are recorded. */
  trace?: JobTrace | null;
  /** The customers' steps, and how many of them each keeps (0: none are written). */
  history: { steps: StepRecorder; keep: number };
  /** The run the items belong to, told what it must act on. */
  run: RunSignals;
}

/** What a run hears from its items. */
export interface RunSignals {
  /** An item reached a halt that is not a restored one. */
  halt(error: ApiError): void;
  /** Something the claim loop should look at happened (an item finished or was dropped). */
  wake(): void;
  /** The store refused a write, or an actor failed: the run must end with it. */
  fail(error: unknown): void;
}

/**
 * The host of one run's items: it holds them (`items`, by id) and tells `run` what they need.
 *
 * @example
 * ```ts
 * const host = createItemHost({ jobId, store, owner, program, hub, slots, origins, inspect, history, run: { halt, wake, fail } });
 * for (const stored of await store.claimItems(jobId, claim)) host.start(stored);
 * await host.stopAll();
 * ```
 */
export function createItemHost(options: ItemHostOptions) {
  const { jobId, store, owner, program, hub, slots, origins, run } = options;
  const items = new Map<string, LiveItem>();
  const { steps, keep } = options.history;

  const writer = createSnapshotWriter({
    store,
    jobId,
    owner,
    read: (id) => {
      const item = items.get(id);
      if (!item) return null;
      const summary = program.summarise(item.actor.getSnapshot());
      const taken = steps.take(id);
      return {
        ...(taken && keep > 0 ? { history: { steps: taken, keep } } : {}),
        id,
        state: summary.state,
        snapshot: item.actor.getPersistedSnapshot(),
        machineVersion: program.versions.version,
        dueAt: summary.dueAt,
        ...(summary.final ? { outcome: summary.outcome } : {}),
      };
    },
    onLost: (ids) => drop(ids),
    onError: run.fail,
  });

  // An item this worker no longer holds was taken over by another worker, or rewritten by an
  // operator (`cancel`): stop its actor here without writing it again.
  const drop = (ids: readonly string[]) => {
    for (const id of ids) {
      const item = items.get(id);
      if (!item || item.stopping) continue;
      item.stopping = true;
      item.actor.stop();
      item.trace?.end('released');
      items.delete(id);
      slots.removed(item);
      origins.forget(jobId, id, item.input);
      steps.forget(id);
      void store.getItem(jobId, id).then((stored) => {
        if (stored?.state === 'cancelled') hub.emit({ type: 'item.final', jobId, itemId: id, state: 'cancelled', outcome: stored.outcome });
      }, () => undefined);
    }
    run.wake();
  };

  const challengeWatch = createChallengeWatch();
  const noticeChallenge = (itemId: string, actorId: string, snapshot: unknown) => {
    if (!hub.has('item.challenged')) return;
    const waiting = challengeWatch.notice(itemId, actorId, snapshot);
    if (waiting) hub.emit({ type: 'item.challenged', jobId, itemId, ...waiting });
  };

  const noticeEndUser = (item: LiveItem) => {
    const waiting = endUserWaitsOf(item.actor.getSnapshot());
    if (waiting === (item.endUserWaits ?? 0)) return;
    item.endUserWaits = waiting;
    hub.emit({ type: 'item.enduser', jobId, itemId: item.id, waiting });
  };

  const finish = async (item: LiveItem, state: FinalItemState, outcome: unknown) => {
    if (item.stopping) return;
    item.stopping = true;
    await writer.persisted(item.id);
    item.trace?.end(state);
    items.delete(item.id);
    slots.removed(item);
    origins.forget(jobId, item.id, item.input);
    steps.forget(item.id);
    hub.emit({ type: 'item.final', jobId, itemId: item.id, state, outcome });
    run.wake();
  };

  // A row that cannot be taken up again fails alone, its stored snapshot kept as it is for a
  // later release (or a person) to read; the rest of the job runs.
  const settingApart = new Set<string>();
  const setApart = (id: string, error: UnreadableRowError) => {
    settingApart.add(id);
    const outcome = { outcome: 'failed', error };
    store.saveItems(jobId, owner, [{ id, state: 'failed', dueAt: null, outcome }]).then((written) => {
      settingApart.delete(id);
      if (written.includes(id)) hub.emit({ type: 'item.final', jobId, itemId: id, state: 'failed', outcome });
      run.wake();
    }, run.fail);
  };

  const start = (stored: StoredItem) => {
    const userInspect = options.inspect;
    let item: LiveItem | undefined;
    const inspect = (event: InspectionEvent) => {
      if (event.type === '@xstate.snapshot') {
        steps.observe(stored.id, event);
        writer.markDirty(stored.id);
        if (item) slots.recheck(item);
        if (item && hub.has('item.enduser')) noticeEndUser(item);
        noticeChallenge(stored.id, (event.actorRef as { id?: string }).id ?? '', event.snapshot);
      }
      if (typeof userInspect === 'function') userInspect(event);
      else userInspect?.next?.(event);
    };
    if (settingApart.has(stored.id)) return;
    const restored = restoreItem(stored, { machine: program.machine, versions: program.versions, inspect });
    if (!restored.ok) return setApart(stored.id, restored.error);
    const { actor } = restored;
    const trace = options.trace?.startItem(stored.id);
    const started: LiveItem = {
      id: stored.id, actor, state: stored.state, value: '', stopping: false, waiting: false, input: stored.input,
      enter: trace?.enter ?? passThrough, ...(trace ? { trace } : {}),
    };
    item = started;
    // A restored halted item still shows its old halt until it receives job.resume: not a new halt.
    let resuming = restored.snapshot !== null && program.summarise(restored.snapshot).state === 'halted';
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
        if (summary.state === 'halted' && summary.halt && !resuming) run.halt(summary.halt);
        if (summary.final) void finish(started, summary.state as FinalItemState, summary.outcome);
      },
      error: run.fail,
    });
    started.enter(() => {
      actor.start();
      if (resuming) {
        resuming = false;
        actor.send({ type: 'job.resume' });
      }
    });
  };

  /**
   * Writes where every live item stands, stops them, and gives their leases back at once. Resolves
   * with the store's error when the states could not be written (the items are stopped all the same).
   */
  const stopAll = async (): Promise<unknown> => {
    for (const item of items.values()) writer.markDirty(item.id);
    const unsaved = await writer.flush().then(() => null, (error: unknown) => error ?? new Error('the store refused a write'));
    for (const item of items.values()) {
      item.stopping = true;
      item.actor.stop();
      item.trace?.end('released');
      origins.forget(jobId, item.id, item.input);
      steps.forget(item.id);
    }
    const ids = [...items.keys()];
    items.clear();
    // Given back at once, so another worker (or the next run) need not wait for the leases to run out.
    if (ids.length > 0) await store.releaseItems(jobId, owner, ids).catch(() => undefined);
    return unsaved;
  };

  return { items: items as ReadonlyMap<string, LiveItem>, start, drop, stopAll };
}

export type ItemHost = ReturnType<typeof createItemHost>;
