/**
 * The first step of a job run from the command line: check what can be checked before anything
 * opens (INPUT, the store's and report's paths), open the store and the job in it, and start what
 * runs beside the job (the client, inspector, dashboard, runtime, webhooks and links). What was
 * started is held in one `OpenJob`, which `closeJob` closes in reverse order whatever happened.
 */
import type { InspectionEvent } from 'xstate';
import type { ObservableMxClient } from '../../api/index.js';
import { createRuntime, openStore, type JobRecord, type Runtime, type SnapshotStore } from '../../durable/index.js';
import { checkInputFile } from '../../input/index.js';
import { defined } from '../../_internals/index.js';
import { usageProblem } from '../flags/jobFlags.js';
import { checkReportPath } from './runReport.js';
import { EXIT_HALTED, EXIT_UNAVAILABLE, EXIT_USAGE, exitSoon, type Output } from '../ui/output.js';
import { clientOf } from './clientOf.js';
import { probeRedis } from './environment.js';
import { startInspector, type CliInspector, type InspectorProblem } from './inspector.js';
import { otherInputProblem } from './jobInput.js';
import { startJobLinks } from './jobLinks.js';
import { startJobWebhooks } from './jobWebhooks.js';
import type { LaunchJobOptions } from './launchOptions.js';
import type { JobObserver } from './observeJob.js';
import { describeStore, sqlitePathOf } from './storeUrl.js';
import { checkWritable, unwritableReason } from './writablePath.js';

/** Everything a run opened, closed by `closeJob`; `signalled` says a signal asked the process to end. */
export interface OpenJob {
  store: SnapshotStore;
  existing: JobRecord | null;
  client?: ObservableMxClient;
  inspector?: CliInspector;
  runtime?: Runtime;
  webhooks?: Awaited<ReturnType<typeof startJobWebhooks>>;
  links?: Awaited<ReturnType<typeof startJobLinks>>;
  observer?: JobObserver | null;
  signalled: boolean;
}

/** What `startJob` started that the later steps use. */
export interface Started {
  runtime: Runtime;
  client: ObservableMxClient;
}

/**
 * The exit code of a problem found before anything is opened, or null when there is none; the
 * notes about secrets on the command line are written here too.
 *
 * @example
 * const code = await checkBeforeOpening(options, io); if (code !== null) return code;
 */
export async function checkBeforeOpening({ command, settings }: LaunchJobOptions, io: Output): Promise<number | null> {
  const inputProblem = settings.input === '' ? null : await checkInputFile(settings.input);
  if (inputProblem) {
    io.err(`mx-lifecycle ${command}: ${inputProblem.message}\n`);
    return EXIT_USAGE;
  }
  // The default report sits beside a SQLite store: a store path under a file is the store's fault.
  const storeFile = sqlitePathOf(settings.store);
  const storeProblem = storeFile && storeFile !== ':memory:' ? await checkWritable(storeFile) : null;
  if (storeProblem) {
    io.err(`mx-lifecycle ${command}: cannot open the store ${describeStore(settings.store)}: ${unwritableReason(storeProblem)}\n`);
    return EXIT_UNAVAILABLE;
  }
  const reportProblem = await checkReportPath(settings.report);
  if (reportProblem) {
    io.err(`mx-lifecycle ${command}: ${reportProblem}\n`);
    return EXIT_USAGE;
  }
  if (settings.keyOnCommandLine) {
    io.err(`mx-lifecycle ${command}: note: --api-key is visible to other users of this machine (ps); MX_API_KEY is safer\n`);
  }
  if (settings.webhook?.authOnCommandLine === true) {
    io.err(`mx-lifecycle ${command}: note: --webhook-auth is visible to other users of this machine (ps); MX_WEBHOOK_AUTH is safer\n`);
  }
  return null;
}

function openStoreOrExplain(url: string): SnapshotStore {
  try {
    return openStore(url);
  } catch (error) {
    if ((error as { code?: unknown }).code === 'MX_STORE_BAD_URL') throw usageProblem(`--store: ${(error as Error).message}`);
    throw error;
  }
}

/**
 * The store of the run, not yet initialised (`retry` hands over the one it opened and locked).
 *
 * @example
 * const job: OpenJob = { store: storeOf(options), existing: null, signalled: false };
 */
export function storeOf(options: LaunchJobOptions): SnapshotStore {
  return options.opened?.store ?? openStoreOrExplain(options.settings.store);
}

/**
 * Opens the job: initialises the store, refuses a job of another kind or of another INPUT, and
 * checks Redis; an exit code when the run cannot go on.
 *
 * @example
 * const code = await openJob(options, job, io); if (code !== null) return code;
 */
export async function openJob({ command, settings }: LaunchJobOptions, job: OpenJob, io: Output): Promise<number | null> {
  await job.store.init().catch((error: unknown) => {
    if (error instanceof Error) error.message = `cannot open the store ${describeStore(settings.store)}: ${error.message}`;
    throw error;
  });
  const existing = await job.store.getJob(settings.job);
  if (existing && existing.kind !== settings.kind) {
    throw usageProblem(`job ${settings.job} in this store is an ${existing.kind} job, not ${settings.kind}: pick another --job (or --store)`);
  }
  const otherInput = existing && settings.jobFromInput === true ? await otherInputProblem(settings.job, settings.report, settings.input) : null;
  if (otherInput) throw usageProblem(otherInput);
  job.existing = existing;
  if (settings.redis !== undefined) {
    // Without a deadline, a wrong --redis URL left the limiter reconnecting for ever: no request,
    // no message, and a process that outlived SIGTERM.
    const redisProblem = await probeRedis(settings.redis);
    if (redisProblem) {
      io.err(`mx-lifecycle ${command}: ${redisProblem}\n`);
      return EXIT_HALTED;
    }
  }
  return null;
}

/**
 * Starts the client, the inspector and the dashboard, the runtime, and the webhook and link
 * servers, each kept in `job` so that `closeJob` stops it.
 *
 * @example
 * const { runtime, client } = await startJob(options, job, io);
 */
export async function startJob(options: LaunchJobOptions, job: OpenJob, io: Output): Promise<Started> {
  const { command, settings } = options;
  const { store } = job;
  const client = clientOf(settings);
  job.client = client;
  if (settings.inspectPort !== undefined) {
    try {
      job.inspector = await startInspector(settings.inspectPort);
    } catch (error) {
      throw usageProblem((error as InspectorProblem).inspector ?? String(error));
    }
    io.err(`mx-lifecycle ${command}: inspector: open ${job.inspector.url} in a browser (Stately's inspector, fed from this process over ws://127.0.0.1:${job.inspector.port})\n`);
  }
  const observe = settings.observe;
  if (observe.dashboardPort !== undefined || observe.log) {
    job.observer = await (await import('./observeJob.js')).startObserving(command, observe, { job: settings.job, kind: settings.kind, store, client, io });
  }
  const watchers = [job.inspector?.inspect.next?.bind(job.inspector.inspect), job.observer?.inspect].filter((f) => f !== undefined);
  const runtime = createRuntime({
    store,
    client,
    concurrency: settings.concurrency,
    ...defined({ maxConcurrency: settings.maxConcurrency, leaseMs: settings.leaseMs, outageBudgetMs: settings.outageBudgetMs, answerChallenge: options.answerChallenge }),
    ...(options.replaceCredentials === true ? { replaceCredentials: true } : {}),
    ...defined({ owner: options.opened?.owner }),
    ...(watchers.length > 0 ? { inspect: (event: InspectionEvent) => watchers.forEach((watch) => watch(event)) } : {}),
    // Nobody can type an MFA answer into this command: without an answer source a challenge goes
    // to the customer at once rather than after a five-minute wait.
    options: { ...(options.answerChallenge ? {} : { answerWindowMs: 0 }), ...settings.lifecycle },
  });
  job.runtime = runtime;
  job.webhooks = await startJobWebhooks(settings.webhook, runtime, io, command, settings.lifecycle.pollIntervalMs);
  job.links = await startJobLinks(settings.links, { store, client, jobId: settings.job, baseUrl: settings.baseUrl }, io, command);
  return { runtime, client };
}

/**
 * Stops what the run started, newest first, and closes the store.
 *
 * @example
 * try { ... } finally { await closeJob(job); }
 */
export async function closeJob(job: OpenJob): Promise<void> {
  await job.links?.stop();
  await job.webhooks?.stop();
  await job.observer?.stop();
  await job.runtime?.close();
  await job.client?.close();
  await job.store.close();
  if (job.inspector) await job.inspector.stop();
  // A signal asked this process to end: whatever handle a driver left open must not keep it alive.
  if (job.inspector || job.signalled) exitSoon();
}
