/**
 * One run of a job on this worker, as one object (`JobRun`) that owns what the run holds: its live
 * customers (through its item host), its wake-ups, its pause watch. Its claim loop claims free
 * slots from the store, hands the items to the item host, keeps the leases alive, waits out an
 * outage within its budget, halts once on a systemic error (its own or another worker's), and ends
 * when every item is final or the run is stopped.
 */
import type { MxClient } from '../api/index.js';
import type { ApiError } from '../errors/index.js';
import type { Hub } from '../_internals/index.js';
import { createItemHost, type ItemHost, type LiveItem } from './itemHost.js';
import { createOutageWatch } from './outageWatch.js';
import { createPauseGate, type PauseGate } from './pauseGate.js';
import { createPauseWatch, type PauseWatch } from './pauseWatch.js';
import type { JobProgram } from './programs.js';
import type { RunResult, RuntimeEventMap, RuntimeSettings } from './runtimeTypes.js';
import { createSlots } from './slots.js';
import { passThrough, startJobTrace } from './tracing.js';
import type { JobRecord, SnapshotStore } from './store/contract.js';
import type { StepRecorder } from './stepRecorder.js';
import type { createMemberOrigins } from './wake.js';

/** How often a run reads its job's record: a halt by another worker, a pause, a resume. */
const JOB_CHECK_MS = 1_000;
const CLAIM_SWEEP_MS = 1_000;

export interface JobRunContext {
  store: SnapshotStore;
  client: MxClient;
  owner: string;
  hub: Hub<RuntimeEventMap>;
  origins: ReturnType<typeof createMemberOrigins>;
  /** Where the customers' steps wait for their snapshot's save. */
  steps: StepRecorder;
  /** The runtime's options, defaults filled in. */
  settings: RuntimeSettings;
}

export interface JobRunOptions {
  signal?: AbortSignal;
  /** The gate in front of `program`'s effects (see pauseGate.ts); without one a pause only stops claims. */
  gate?: PauseGate;
}

/**
 * One job running on this worker. It owns its live customers and its wake-ups: the runtime finds
 * the customers here (answers, webhooks), tells the run of a pause made through it, and stops it
 * when it closes, then awaits `done`.
 */
export interface JobRun {
  readonly jobId: string;
  /** The customers live in this run now, by id (none before it claims and after it ends). */
  readonly items: ReadonlyMap<string, LiveItem>;
  /** Follows the job's pause or resume at once, rather than at the run's next job check. */
  follow(job: JobRecord): void;
  /** Ends the run with every customer's state written, as a closing runtime asks. */
  stop(): void;
  /** Settles when the run has ended: every item final, the job halted, stopped or aborted. */
  readonly done: Promise<RunResult>;
}

const NO_ITEMS: ReadonlyMap<string, LiveItem> = new Map();

/**
 * Starts running `job` until every item is final, the job halts, the signal aborts or the run is
 * stopped. A paused job's run stays up, claiming nothing, until the job is resumed.
 *
 * @example
 * ```ts
 * const run = startJobRun(context, job, programFor(job.kind), { signal });
 * const result = await run.done; // { jobId, halted, counts }
 * ```
 */
export function startJobRun(context: JobRunContext, job: JobRecord, program: JobProgram, runOptions: JobRunOptions = {}): JobRun {
  let host: ItemHost | null = null;
  let pause: PauseWatch | null = null;
  let stopped = false;
  let wake: (() => void) | null = null;
  const poke = () => {
    const resolve = wake;
    wake = null;
    resolve?.();
  };
  const done = execute();
  return {
    jobId: job.id,
    get items() {
      return host?.items ?? NO_ITEMS;
    },
    follow: (current) => pause?.follow(current),
    stop: () => {
      stopped = true;
      poke();
    },
    done,
  };

  async function execute(): Promise<RunResult> {
    const { store, client, owner, hub, settings } = context;
    const { leaseMs } = settings;
    const jobId = job.id;
    const runLock = await store.lockRun?.(jobId);
    const historyLimit = await store.historyLimitOf(jobId);
    const outage = createOutageWatch({
      store, client, jobId, job, budgetMs: settings.outageBudgetMs,
      onPause: (pause, error) => hub.emit({ type: 'job.paused', jobId, error, ...pause }),
    });
    await outage.start();
    const watch = createPauseWatch({ jobId, gate: runOptions.gate ?? createPauseGate(), hub });
    pause = watch;
    watch.follow(job);
    const trace = await startJobTrace(jobId, job.kind);
    let halted: ApiError | null = null;
    let jobCheckedAt = Date.now();
    // A claim reads past every live item of this worker, so claiming one slot each time one item
    // finished cost O(concurrency) per item (at 256 at once, a tenth of the job's CPU). Claims wait
    // for a batch of free slots (unless the last claim found the store drained), or for
    // CLAIM_SWEEP_MS since the last claim: a slot never stays empty for long while the items beside
    // it wait, and items added or given back meanwhile are found within that time.
    const slots = createSlots(client, settings.concurrency, settings.maxConcurrency);
    let claimedAt = Number.NEGATIVE_INFINITY;
    let drained = false;
    let failure: unknown = null;

    const halt = (error: ApiError, wait = true) => {
      if (halted) return;
      if (wait && outage.waits(error)) return poke();
      const final = wait ? outage.haltOf(error) : error;
      halted = final;
      void store.setHalt(jobId, final).catch((e: unknown) => (failure = e));
      hub.emit({ type: 'job.halted', jobId, error: final });
      poke();
    };

    const itemHost = createItemHost({
      jobId, store, owner, program, hub, slots, origins: context.origins, inspect: settings.inspect, trace,
      history: { steps: context.steps, keep: historyLimit },
      run: {
        halt,
        wake: poke,
        fail: (error) => {
          failure = error;
          poke();
        },
      },
    });
    host = itemHost;
    const { items } = itemHost;

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

    // Customers started in the loop open their spans under the job's; their own scope replaces it.
    const loop = async () => {
      for (;;) {
        if (failure) throw failure;
        const stopping = stopped || halted !== null || runOptions.signal?.aborted === true;
        if (stopping) break;
        // An outage past its budget halts the job when the budget ends, not after the customers'
        // next round of retries (with a 30-s budget, a job refused from the start ran for a minute).
        // While an operator holds the job nothing is tried, so nothing spends the outage's budget.
        const expired = watch.held() ? null : outage.expired();
        if (expired) {
          halt(expired, false);
          continue;
        }
        outage.resumeWhenDue(() => {
          for (const item of items.values()) if (item.state === 'halted') item.enter(() => item.actor.send({ type: 'job.resume' }));
        });
        const room = slots.room(items.size, !drained);
        const claimBatch = Math.max(1, Math.min(64, Math.floor(slots.controller.limit / 8)));
        if (!outage.paused() && !watch.held() && room > 0 && ((room >= claimBatch && !drained) || Date.now() - claimedAt >= CLAIM_SWEEP_MS)) {
          claimedAt = Date.now();
          const claimed = await store.claimItems(jobId, { owner, limit: room, leaseMs, exclude: new Set(items.keys()) });
          drained = claimed.length < room;
          for (const stored of claimed) {
            if (halted) break;
            itemHost.start(stored);
          }
          if (claimed.length > 0) continue;
        }
        if (Date.now() - jobCheckedAt > JOB_CHECK_MS) {
          // Another worker may have halted the job: stop here too, once. An operator may have paused
          // or resumed it, from this process or another.
          jobCheckedAt = Date.now();
          const current = await store.getJob(jobId);
          if (current) watch.follow(current);
          if (current?.halt && !outage.adopt(current.halt)) {
            halt(current.halt);
            continue;
          }
          if (items.size > 0) {
            const held = new Set(await store.renewLeases(jobId, owner, leaseMs));
            itemHost.drop([...items.keys()].filter((id) => !held.has(id)));
          }
        }
        if (items.size === 0) {
          const counts = await store.counts(jobId);
          // Another worker still holds items: wait for them to finish, or for their lease to run out.
          if (counts.pending + counts.active + counts.halted === 0) break;
        }
        // One timer per wait, cleared when something else wakes the loop: left running, every
        // wake-up by a finished item added a timer whose own wake-up added another, until hundreds a
        // second kept the loop claiming (20,000 customers: the last 250 took 35 s instead of 0.4 s).
        // The timer holds the process open on purpose: while every live item is halted by an outage
        // pause it is the only thing left, and an unref'd one let Node end the run with exit 0 and
        // no summary (issue 22) instead of resuming when the pause is over.
        let timer: NodeJS.Timeout | undefined;
        await new Promise<void>((resolve) => {
          wake = resolve;
          timer = setTimeout(poke, outage.paused() ? outage.msLeft() : items.size === 0 ? Math.min(1000, leaseMs / 2) : 1000);
        });
        clearTimeout(timer);
      }
    };
    let thrown: unknown = null;
    try {
      await (trace?.enter ?? passThrough)(loop).catch((error: unknown) => {
        thrown = error;
        throw error;
      });
    } finally {
      outage.dispose();
      watch.dispose();
      pause = null;
      clearInterval(renewal);
      if (decide) clearInterval(decide);
      slots.dispose();
      runOptions.signal?.removeEventListener('abort', onAbort);
      // A store that cannot take the last states ends the run with its error, never a retry loop.
      failure ??= await itemHost.stopAll();
      runLock?.release();
      const error = failure ?? thrown;
      trace?.end({ halted, ...(error ? { error } : {}) });
    }
    if (failure) throw failure;
    return { jobId, halted, counts: await store.counts(jobId) };
  }
}
