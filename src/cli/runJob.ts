/**
 * One run of a job from the command line, shared by `onboard`, `offboard` and `demo`: read and
 * submit the input (bad rows reported and skipped), run until every customer is final or the job
 * halts, show progress, write the report, print the summary, and pick the exit code.
 *
 * The input is read and submitted on every run: submit ignores customers the job already has, and
 * the member credentials it holds in memory are what this run's creates need (they are never
 * stored), so running the same command again resumes the job.
 */
import type { InspectionEvent } from 'xstate';
import { createMxClient, type ObservableMxClient } from '../api/index.js';
import { createRuntime, openStore, refreshTally, type AnswerSource, type SnapshotStore } from '../durable/index.js';
import { checkInputFile, readInput, type CustomerInput, type InputProblem } from '../input/index.js';
import { haltMessage } from './describe.js';
import { environmentalFailure, probeRedis } from './environment.js';
import { type Connection, type JobSettings, usageProblem } from './flags.js';
import { defaultStoreOf, describeStore, sqlitePathOf } from './storeUrl.js';
import { checkWritable, unwritableReason } from './writablePath.js';
import { startInspector, type CliInspector, type InspectorProblem } from './inspector.js';
import { inputWarningLine } from './inputWarning.js';
import { otherInputProblem } from './jobInput.js';
import { startJobLinks } from './jobLinks.js';
import { startJobWebhooks } from './jobWebhooks.js';
import type { JobObserver } from './observeJob.js';
import { createOutput, EXIT_ATTENTION, EXIT_HALTED, EXIT_OK, EXIT_UNAVAILABLE, EXIT_USAGE, exitSoon } from './output.js';
import { packageVersion } from './packageRoot.js';
import { trackProgress } from './progress.js';
import { showProgress } from './progressView.js';
import { checkReportPath, writeReport, type RunResultKind } from './report.js';
import { listenForStop } from './stopSignals.js';
import { storeFailure } from './storeFailure.js';
import { exitCodeOf, summaryJson, summaryText, type RunSummary } from './summary.js';
import { counted } from './counted.js';
import { createBadRows } from './badRows.js';
import { announcePauses } from './pauseNotice.js';

export interface RunJobOptions {
  /** The command's name, for messages. */
  command: string;
  settings: JobSettings;
  /** Answers MFA challenges (the demo); without it a challenge needs the customer at once. */
  answerChallenge?: AnswerSource;
  /** The demo counts needs-action and failed customers as expected, so a finished demo exits 0. */
  expectedOutcomes?: boolean;
  /** How often a JSON progress line is written off a terminal. */
  progressEveryMs?: number;
  /** The status command to suggest in the summary. */
  statusCommand?: string;
  /** `retry`: members MX has get the input's credentials by update member, never a second create. */
  replaceCredentials?: boolean;
  /** `retry`: only these customers of the input are submitted (their credentials held); the rest are ignored. */
  onlyCustomers?: ReadonlySet<string>;
  /** `retry`: the store it opened and locked (the run takes it over and closes it), and the owner it leased the re-opened customers to. */
  opened?: { store: SnapshotStore; owner: string };
  /**
   * Runs after the summary while the dashboard still serves (the demo keeps its page up until
   * Ctrl-C); not after a run a signal stopped.
   */
  afterSummary?: () => Promise<void>;
}

async function* customersOf(input: string, onProblem: (problem: InputProblem) => void, onWarning: (warning: InputProblem) => void, only?: ReadonlySet<string>): AsyncGenerator<CustomerInput> {
  for await (const record of readInput(input)) {
    if ('problem' in record) onProblem(record.problem);
    else if ('warning' in record) onWarning(record.warning);
    else if (only === undefined || only.has(record.customer.id)) yield record.customer;
  }
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
 * The MX client of a command's settings; a bad option is a usage problem.
 *
 * @example
 * const client = clientOf(connectionFromFlags(values, process.env));
 */
export function clientOf(settings: Connection & Partial<Pick<JobSettings, 'rate' | 'redis'>>): ObservableMxClient {
  try {
    return createMxClient({
      baseUrl: settings.baseUrl,
      clientId: settings.clientId,
      apiKey: settings.apiKey,
      auth: settings.auth,
      apiVersion: settings.apiVersion,
      dialect: settings.dialect,
      rate: {
        ...(settings.rate === undefined ? {} : { perSecond: settings.rate }),
        ...(settings.redis === undefined ? {} : { redis: settings.redis }),
      },
      ...(settings.timeoutMs === undefined ? {} : { timeoutMs: settings.timeoutMs }),
    });
  } catch (error) {
    // The client explains a bad option with example code; its first sentence is what the user needs.
    throw usageProblem((error instanceof Error ? error.message : String(error)).split('\n')[0]?.replace(/^createMxClient: /, '') ?? 'bad client options');
  }
}

function finishedEarlier(job: string, c: Record<string, number>, createdAt: number): string {
  const total = Object.values(c).reduce((a, b) => a + b, 0);
  return `job ${job} already finished (started ${new Date(createdAt).toISOString()}): ${counted(total, 'customer')}, ${c.done ?? 0} done, ` +
    `${c.needsAction ?? 0} need action, ${c.failed ?? 0} failed, ${c.cancelled ?? 0} cancelled; nothing was run or checked now.\n` +
    `  to onboard these customers again, pick a new --job NAME; mx-lifecycle status --job ${job} shows who needs action\n`;
}

/**
 * Runs one job to its end (or its halt) and returns the exit code.
 *
 * @example
 * const code = await runJob({ command: 'onboard', settings: jobSettingsFromFlags(argv, 'onboard', process.env) });
 */
export async function runJob(options: RunJobOptions): Promise<number> {
  try {
    return await runJobOnce(options);
  } catch (error) {
    const failure = environmentalFailure(error);
    if (!failure) throw error;
    process.stderr.write(`mx-lifecycle ${options.command}: ${createOutput([options.settings.apiKey]).scrub(failure.message)}\n`);
    return failure.code;
  }
}

async function runJobOnce(options: RunJobOptions): Promise<number> {
  const { command, settings } = options;
  const webhookAuth = settings.webhook?.auth;
  const webhookBearer = settings.webhook?.bearer;
  const io = createOutput([settings.apiKey, ...(webhookAuth ? [webhookAuth, webhookAuth.slice(webhookAuth.indexOf(':') + 1)] : []), ...(webhookBearer ? [webhookBearer] : [])]);
  let signalled = false;
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
  const store = options.opened?.store ?? openStoreOrExplain(settings.store);
  let client: ObservableMxClient | undefined;
  let inspector: CliInspector | undefined;
  let runtime: ReturnType<typeof createRuntime> | undefined;
  let webhooks: Awaited<ReturnType<typeof startJobWebhooks>> = null;
  let links: Awaited<ReturnType<typeof startJobLinks>> = null;
  let observer: JobObserver | null = null;
  try {
    await store.init().catch((error: unknown) => {
      if (error instanceof Error) error.message = `cannot open the store ${describeStore(settings.store)}: ${error.message}`;
      throw error;
    });
    const existing = await store.getJob(settings.job);
    if (existing && existing.kind !== settings.kind) {
      throw usageProblem(`job ${settings.job} in this store is an ${existing.kind} job, not ${settings.kind}: pick another --job (or --store)`);
    }
    const otherInput = existing && settings.jobFromInput === true ? await otherInputProblem(settings.job, settings.report, settings.input) : null;
    if (otherInput) throw usageProblem(otherInput);
    if (settings.redis !== undefined) {
      // Without a deadline, a wrong --redis URL left the limiter reconnecting for ever: no request,
      // no message, and a process that outlived SIGTERM.
      const redisProblem = await probeRedis(settings.redis);
      if (redisProblem) {
        io.err(`mx-lifecycle ${command}: ${redisProblem}\n`);
        return EXIT_HALTED;
      }
    }
    client = clientOf(settings);
    if (settings.inspectPort !== undefined) {
      try {
        inspector = await startInspector(settings.inspectPort);
      } catch (error) {
        throw usageProblem((error as InspectorProblem).inspector ?? String(error));
      }
      io.err(`mx-lifecycle ${command}: inspector: open ${inspector.url} in a browser (Stately's inspector, fed from this process over ws://127.0.0.1:${inspector.port})\n`);
    }
    const observe = settings.observe;
    if (observe.dashboardPort !== undefined || observe.log) {
      observer = await (await import('./observeJob.js')).startObserving(command, observe, { job: settings.job, kind: settings.kind, store, client, io });
    }
    const watchers = [inspector?.inspect.next?.bind(inspector.inspect), observer?.inspect].filter((f) => f !== undefined);
    runtime = createRuntime({
      store,
      client,
      concurrency: settings.concurrency,
      ...(settings.maxConcurrency === undefined ? {} : { maxConcurrency: settings.maxConcurrency }),
      ...(settings.leaseMs === undefined ? {} : { leaseMs: settings.leaseMs }),
      ...(settings.outageBudgetMs === undefined ? {} : { outageBudgetMs: settings.outageBudgetMs }),
      ...(options.answerChallenge ? { answerChallenge: options.answerChallenge } : {}),
      ...(options.replaceCredentials === true ? { replaceCredentials: true } : {}),
      ...(options.opened ? { owner: options.opened.owner } : {}),
      ...(watchers.length > 0 ? { inspect: (event: InspectionEvent) => watchers.forEach((watch) => watch(event)) } : {}),
      // Nobody can type an MFA answer into this command: without an answer source a challenge goes
      // to the customer at once rather than after a five-minute wait.
      options: { ...(options.answerChallenge ? {} : { answerWindowMs: 0 }), ...settings.lifecycle },
    });

    webhooks = await startJobWebhooks(settings.webhook, runtime, io, command, settings.lifecycle.pollIntervalMs);
    links = await startJobLinks(settings.links, { store, client, jobId: settings.job, baseUrl: settings.baseUrl }, io, command);

    const startedAt = Date.now();
    const badRows = createBadRows(io, command, settings.input);
    const customers = settings.input === '' ? [] : customersOf(settings.input, (problem) => badRows.add(problem), (warning) => io.err(inputWarningLine(command, settings.input, warning)), options.onlyCustomers);
    const { added } = await runtime.submit(settings.job, customers, settings.kind);
    badRows.finish();
    if (settings.historyLimit !== undefined) await store.setHistoryLimit(settings.job, settings.historyLimit);
    // Counted after the submit, not before it: a worker that joins a job another worker is still
    // filling found the job before its rows, and said "already finished" with exit 0 (issue 22).
    const after = existing && added === 0 ? await store.counts(settings.job) : null;
    if (after && after.pending + after.active + after.halted === 0) {
      // Nothing of this run would be checked: say the job is over rather than count its old results as this run's.
      const code = after.done === Object.values(after).reduce((a, b) => a + b, 0) ? EXIT_OK : EXIT_ATTENTION;
      io.out(settings.json
        ? `${JSON.stringify({ command, job: settings.job, result: 'alreadyFinished', exitCode: code, counts: after })}\n`
        : finishedEarlier(settings.job, after, existing?.createdAt ?? startedAt));
      return code;
    }
    await observer?.attach(runtime);

    const tracker = trackProgress(runtime.events, client, await store.counts(settings.job));
    const view = showProgress(tracker, { stream: process.stderr, job: settings.job, jsonEveryMs: options.progressEveryMs });
    const stop = listenForStop(io, command);
    const shownStore = describeStore(settings.store);
    const storeFlag = settings.store === defaultStoreOf(settings.job) ? '' : ` --store ${shownStore}`;
    const unannounce = announcePauses(runtime.events, io, command, `mx-lifecycle resume --job ${settings.job}${storeFlag}`);
    let outcome: Awaited<ReturnType<typeof runtime.run>>;
    try {
      outcome = await runtime.run(settings.job, { signal: stop.signal });
    } catch (error) {
      const failed = storeFailure(error, shownStore);
      if (!failed) throw error;
      view.stop();
      io.err(`mx-lifecycle ${command}: ${failed.message}\n`);
      return failed.code;
    } finally {
      signalled = stop.signalled();
      stop.dispose();
      unannounce();
      view.stop();
      tracker.dispose();
    }

    const halt = outcome.halted ? { message: haltMessage(outcome.halted, settings.baseUrl), error: outcome.halted } : null;
    if (halt) io.err(`mx-lifecycle ${command}: ${halt.message}\n`);
    const c = outcome.counts;
    const result: RunResultKind = halt ? 'halted' : c.pending + c.active + c.halted > 0 ? 'interrupted' : 'finished';
    const finishedAt = Date.now();
    const members = settings.kind === 'refresh' ? { members: await refreshTally(store, settings.job) } : {};
    const digest = await writeReport(
      settings.report,
      store,
      {
        job: settings.job, kind: settings.kind, input: settings.input, store: shownStore, baseUrl: settings.baseUrl,
        version: packageVersion(), startedAt, finishedAt, result, halt, counts: c,
        badRows: { total: badRows.total, rows: badRows.rows }, ...members,
      },
      io.scrub,
    );
    const summary: RunSummary = {
      command, job: settings.job, kind: settings.kind, result, durationMs: finishedAt - startedAt, counts: c,
      badRows: badRows.total, halt, report: digest.path, store: shownStore,
      statusCommand: options.statusCommand ?? `mx-lifecycle status --job ${settings.job}${storeFlag}`,
      needsAction: digest.needsAction, failed: digest.failed, notFound: digest.notFound, notFoundCount: digest.notFoundCount, expectedOutcomes: options.expectedOutcomes === true,
      ...members,
    };
    const code = exitCodeOf(summary);
    io.out(settings.json ? `${JSON.stringify(summaryJson(summary, code))}\n` : summaryText(summary));
    if (!signalled && options.afterSummary) {
      await options.afterSummary();
      // It ends on a signal: nothing left open may keep the process up after it.
      signalled = true;
    }
    return code;
  } finally {
    await links?.stop();
    await webhooks?.stop();
    await observer?.stop();
    await runtime?.close();
    await client?.close();
    await store.close();
    if (inspector) await inspector.stop();
    // A signal asked this process to end: whatever handle a driver left open must not keep it alive.
    if (inspector || signalled) exitSoon();
  }
}
