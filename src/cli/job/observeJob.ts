/**
 * What `--dashboard` and `--log-format`/`--log-level` start for one run: a job watch fed by the
 * runtime's inspection events, the dashboard server with /metrics, and the log lines. Loaded only
 * when one of them is asked for, so a plain run does not load prom-client, pino or elkjs.
 */
import { endUserCountsOf } from '../ui/endUserCounts.js';
import type { InspectionEvent } from 'xstate';
import type { ObservableMxClient } from '../../api/index.js';
import type { Runtime } from '../../durable/index.js';
import type { JobKind, SnapshotStore, StoredItem } from '../../durable/index.js';
import type { ApiError } from '../../errors/index.js';
import {
  createJobLogger, createJobWatch, createLifecycleMetrics, lifecycleCharts, logJobEvents, sampleRates, startDashboardServer,
  type DashboardServer, type ItemView, type JobWatch, type RateSampler,
} from '../../observe/index.js';
import { isLoopbackHost, itemViewOf } from '../../observe/_internals/index.js';
import type { ObserveSettings } from '../flags/observeFlags.js';
import type { Output } from '../ui/output.js';

export interface JobObserver {
  /** For the runtime's `inspect` option. */
  inspect(event: InspectionEvent): void;
  /** Reads the job's customers from the store and follows the runtime; call after submit. */
  attach(runtime: Pick<Runtime, 'events'>): Promise<void>;
  stop(): Promise<void>;
}

const PAGE = 1_000;

/**
 * Every item of a job, a page at a time.
 *
 * @example
 * for await (const item of itemsOf(store, 'march')) watch.seed([item]);
 */
export async function* itemsOf(store: SnapshotStore, job: string): AsyncGenerator<StoredItem> {
  let afterSeq = 0;
  for (;;) {
    const page = await store.listItems(job, { afterSeq, limit: PAGE });
    yield* page;
    if (page.length < PAGE) return;
    afterSeq = page[page.length - 1]?.seq ?? afterSeq;
  }
}

/**
 * The dashboard's view of a customer the watch no longer holds, read from the store.
 *
 * @example
 * startDashboardServer({ ..., lookup: lookupIn(store, 'march', 'onboarding') });
 */
export function lookupIn(store: SnapshotStore, job: string, rootMachine: string): (id: string) => Promise<ItemView | null> {
  return async (id) => {
    const row = await store.getItem(job, id);
    return row ? itemViewOf(row, rootMachine) : null;
  };
}

/** Warns when the dashboard listens beyond this machine. */
export function warnIfExposed(io: Output, command: string, host: string): void {
  if (!isLoopbackHost(host)) {
    io.err(`mx-lifecycle ${command}: warning: the dashboard listens on ${host}: anyone who can reach it sees this job's customer ids and states (it has no login)\n`);
  }
}

/**
 * Starts what `settings` asks for; `null` when nothing is asked.
 *
 * @example
 * const observer = await startObserving('onboard', settings.observe, { job, kind, store, client, io });
 */
export async function startObserving(
  command: string,
  settings: ObserveSettings,
  run: { job: string; kind: JobKind; store: SnapshotStore; client: ObservableMxClient; io: Output },
): Promise<JobObserver | null> {
  if (settings.dashboardPort === undefined && settings.log === undefined) return null;
  const rootMachine = run.kind === 'offboard' ? 'offboarding' : 'onboarding';
  const watch: JobWatch = createJobWatch(rootMachine);
  let halt: ApiError | null = null;
  let running = true;
  let server: DashboardServer | undefined;
  let rates: RateSampler | undefined;
  const stops: Array<() => void> = [];
  if (settings.dashboardPort !== undefined) {
    warnIfExposed(run.io, command, settings.dashboardHost);
    const metrics = createLifecycleMetrics();
    stops.push(metrics.observeClient(run.client), metrics.observeWatch(watch));
    if (run.kind === 'onboard') stops.push(metrics.observeEndUser(() => endUserCountsOf(run.store, run.job)));
    rates = sampleRates(run.client, () => watch.counts());
    try {
      server = await startDashboardServer(
        { job: run.job, kind: run.kind, watch, charts: lifecycleCharts, running: () => running, halt: () => halt, rates, metrics, lookup: lookupIn(run.store, run.job, rootMachine), history: (id) => run.store.historyOf(run.job, id) },
        { host: settings.dashboardHost, port: settings.dashboardPort },
      );
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      throw { usage: code === 'EADDRINUSE' ? `--dashboard: port ${settings.dashboardPort} is in use; pass another port, or --dashboard alone for any free one` : `--dashboard: cannot listen on ${settings.dashboardHost}: ${(error as Error).message}` };
    }
    run.io.err(`mx-lifecycle ${command}: dashboard: ${server.url}\n`);
  }
  return {
    inspect: (event) => watch.inspect(event),
    async attach(runtime) {
      for await (const item of itemsOf(run.store, run.job)) watch.seed([item]);
      stops.push(
        ...[
          runtime.events.on('item.transition', (e) => watch.itemState(e.itemId, e.state)),
          runtime.events.on('item.final', (e) => watch.itemFinal(e.itemId, e.state, e.outcome)),
          runtime.events.on('job.halted', (e) => void (halt = e.error)),
        ].map((s) => () => s.dispose()),
      );
      if (settings.log) stops.push(logJobEvents(createJobLogger({ ...settings.log, write: run.io.err }), { job: run.job, runtime, client: run.client, watch }));
    },
    async stop() {
      running = false;
      rates?.stop();
      for (const stop of stops) stop();
      await server?.close();
    },
  };
}
