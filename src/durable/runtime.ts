/**
 * The durable runtime: runs a job's items (one customer each) as root actors, persists every
 * transition, re-arms durable waits on restore, halts the job once on a systemic error, and resumes
 * whatever is not final when it runs again, in this process or another one. One run of a job is
 * a `JobRun` (jobRun.ts), which owns its live customers (itemHost.ts) and its wake-ups; this file
 * holds what outlives a run, and the set of runs in progress.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { ChallengeAnswer } from '../api/index.js';
import type { CustomerInput } from '../input/index.js';
import { createHub } from '../_internals/index.js';
import { answersForMember } from './challenges.js';
import { createCredentialFieldCache, type CredentialFieldCache } from './credentialFields.js';
import { createLifecycleEffects, type AnswerBox, type CredentialsSource } from './effects.js';
import type { LiveItem } from './itemHost.js';
import { startJobRun, type JobRun } from './jobRun.js';
import { traceEffects } from './tracing.js';
import { createPauseGate, gatedEffects, gatedSleepUntil } from './pauseGate.js';
import { createGivenCredentials, memberKey } from './perMember.js';
import { jobProgram, type JobProgram } from './programs.js';
import { planRefresh } from './refreshPlan.js';
import { refreshTally } from './refreshTally.js';
import type { JobStatus, RefreshOptions, RefreshResult, RunResult, Runtime, RuntimeDefaults, RuntimeEventMap, RuntimeOptions, RuntimeSettings } from './runtimeTypes.js';
import { defined } from '../_internals/index.js';
import { defaultRuntimeOptions } from './runtimeDefaults.js';
import type { FinalItemState, JobKind, SnapshotStore } from './store/contract.js';
import { createStepRecorder } from './stepRecorder.js';
import { createMemberOrigins, wakeLiveMember, type MemberRef } from './wake.js';

export type { JobStatus, RefreshOptions, RefreshResult, RunResult, Runtime, RuntimeDefaults, RuntimeEvent, RuntimeEventMap, RuntimeHeld, RuntimeOptions, RuntimeSettings } from './runtimeTypes.js';

const SUBMIT_BATCH = 500;


/**
 * Who a runtime claims items as, unless `owner` says otherwise: one id per PostgreSQL worker, and
 * one for every process on SQLite or memory (its run lock keeps a second process off the job, and
 * a restart takes its items back at once instead of waiting out their leases).
 *
 * @example
 * defaultOwnerOf(createSqliteStore({ path: 'jobs.sqlite' })) // 'local'
 */
export function defaultOwnerOf(store: Pick<SnapshotStore, 'kind'>): string {
  return store.kind === 'postgres' ? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}` : 'local';
}

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
  const settings: RuntimeSettings = { ...defaultRuntimeOptions, ...defined(options), store, client };
  const owner = settings.owner ?? defaultOwnerOf(store);
  const hub = createHub<RuntimeEventMap>();
  const given = createGivenCredentials();
  const answers: AnswerBox = new Map();
  const credentials: CredentialsSource =
    settings.credentials ?? ((request) => given.get(request.userExternalId, request.memberExternalId));
  const origins = createMemberOrigins();
  // A final customer's create is behind it: its credentials are not kept for the rest of the job.
  hub.on('item.final', (event) => given.forget(event.itemId));
  const steps = createStepRecorder();
  const effects = traceEffects(createLifecycleEffects({
    client, credentials, answerChallenge: settings.answerChallenge, answers, callbackPayload: origins.payloadFor,
    replaceCredentials: settings.replaceCredentials, onExchange: steps.noteExchange,
  }));
  const programs = new Map<JobKind, JobProgram>();
  const programFor = (kind: JobKind) => {
    let program = programs.get(kind);
    if (!program) {
      program = jobProgram(kind, effects, settings.options);
      programs.set(kind, program);
    }
    return program;
  };
  /** The credential fields each run in progress read: one cache per run, let go when it ends. */
  const fieldCaches = new Set<CredentialFieldCache>();
  /** The runs in progress on this runtime: each owns its live customers; `close` stops and awaits them. */
  const runs = new Set<JobRun>();
  const runOf = (jobId: string) => [...runs].find((jobRun) => jobRun.jobId === jobId);
  const live = (): ReadonlyMap<string, ReadonlyMap<string, LiveItem>> => new Map([...runs].map((jobRun) => [jobRun.jobId, jobRun.items]));
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
    const context = { store, client, owner, hub, origins, steps, settings };
    // An institution's fields are read once per run rather than once per member; a new run reads
    // them afresh, so a job resumed days later does not create members with fields since retired.
    const fields = createCredentialFieldCache(effects.listCredentialFields);
    fieldCaches.add(fields);
    // Each run has its own gate in front of its effects: a pause stops this job, not the others.
    const gate = createPauseGate();
    const program = jobProgram(job.kind, gatedEffects({ ...effects, listCredentialFields: fields.list }, gate), settings.options, { sleepUntil: gatedSleepUntil(gate) });
    const jobRun = startJobRun(context, job, program, { ...runOptions, gate });
    runs.add(jobRun);
    if (closed) jobRun.stop();
    try {
      return await jobRun.done;
    } finally {
      runs.delete(jobRun);
      fieldCaches.delete(fields);
    }
  }

  async function setPaused(jobId: string, paused: boolean) {
    await init();
    const job = await store.setPaused(jobId, paused);
    // A run of this process follows at once; other workers at their next job check.
    runOf(jobId)?.follow(job);
    return job;
  }

  async function refresh(sourceJobId: string, refreshOptions: RefreshOptions = {}): Promise<RefreshResult> {
    await init();
    const { minAggregationIntervalMs, customers, signal } = refreshOptions;
    const plan = await planRefresh(store, sourceJobId, {
      ...(customers ? { customers } : {}),
      options: { ...settings.options, ...defined({ minAggregationIntervalMs }) },
    });
    const base = { sourceJobId, resumed: plan.resumed };
    if (!plan.resumed && plan.added === 0) {
      // No customer has a connected member: no job is made, nothing is sent.
      return { ...base, jobId: plan.jobId, halted: null, counts: await store.counts(plan.jobId), members: await refreshTally(store, plan.jobId) };
    }
    const result = await run(plan.jobId, signal ? { signal } : {});
    return { ...base, ...result, members: await refreshTally(store, plan.jobId) };
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
    const item = runOf(jobId)?.items.get(customerId);
    const list = answersForMember(item?.actor, memberId, given);
    answers.set(memberKey(customerId, memberId), list);
    if (!item) return false;
    // The event names the member, never the answers: they wait in memory for the resume request.
    item.enter(() => item.actor.send({ type: 'member.challenge.answered', memberExternalId: memberId }));
    return true;
  }

  async function close() {
    closed = true;
    // Each run stops its live items itself, after writing where they stand.
    const stopping = [...runs];
    for (const jobRun of stopping) jobRun.stop();
    await Promise.allSettled(stopping.map((jobRun) => jobRun.done));
  }

  const held = () => ({
    liveItems: [...runs].reduce((n, jobRun) => n + jobRun.items.size, 0),
    credentials: given.size,
    memberOrigins: origins.size,
    answers: answers.size,
    credentialFields: [...fieldCaches].reduce((n, cache) => n + cache.size, 0),
  });

  return {
    submit, run, refresh, status, answer,
    pause: (jobId: string) => setPaused(jobId, true),
    resume: (jobId: string) => setPaused(jobId, false),
    wakeMember: (ref: MemberRef) => wakeLiveMember(live(), ref),
    events: hub, close, held,
  };
}
