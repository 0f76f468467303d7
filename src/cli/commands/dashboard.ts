/**
 * `mx-lifecycle dashboard --job NAME`: the dashboard of a job that is not running here, read from
 * its store and read again every few seconds (another process, or a worker elsewhere, may be
 * running it). It serves until Ctrl-C or SIGTERM.
 */
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { openStore } from '../../durable/index.js';
import type { SnapshotStore } from '../../durable/index.js';
import { checkJobName, usageProblem, withOptionalInspectPort } from '../flags/jobFlags.js';
import { defaultStoreOf, describeStore, sqlitePathOf } from '../job/storeUrl.js';
import { flagHelp } from '../flags/flagTable.js';
import type { Command } from './command.js';
import { untilSignal } from '../job/untilSignal.js';
import { OBSERVE_OPTIONS, observeSettingsOf } from '../flags/observeFlags.js';
import { createOutput, EXIT_ATTENTION, EXIT_OK, guarded } from '../ui/output.js';

const USAGE = `usage: mx-lifecycle dashboard --job NAME [--store URL] [--dashboard PORT] [--dashboard-host HOST]

Serves the dashboard of a job from its store (the statecharts with the count of customers in each
state, the customer list, the needs-action and failed lists, /metrics) without running it, and
reads the store again every 2 seconds. Stops on Ctrl-C.

${flagHelp('dashboard')}

exit codes: 0 stopped; 1 no such store or job; 64 bad usage`;

const REFRESH_MS = 2_000;

async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: withOptionalInspectPort(argv), strict: true, allowPositionals: true,
    options: { job: { type: 'string' }, store: { type: 'string' }, ...OBSERVE_OPTIONS },
  });
  if (positionals.length > 0) throw usageProblem(`unexpected argument '${positionals[0] ?? ''}' (name the job with --job)`);
  if (values.job === undefined) throw usageProblem(`--job NAME is missing: which job's dashboard?`);
  const job = checkJobName(values.job);
  const observe = observeSettingsOf({ ...values, dashboard: values.dashboard ?? '' });
  const url = values.store ?? defaultStoreOf(job);
  const file = sqlitePathOf(url);
  const io = createOutput([]);
  if (file !== null && file !== ':memory:' && !existsSync(file)) {
    io.err(`mx-lifecycle dashboard: there is no store at ${file} for job ${job} (pass --store URL, or run onboard first)\n`);
    return EXIT_ATTENTION;
  }
  let store: SnapshotStore;
  try {
    store = openStore(url);
  } catch (error) {
    throw usageProblem(`--store: ${(error as Error).message}`);
  }
  try {
    await store.init();
    const record = await store.getJob(job);
    if (!record) {
      io.err(`mx-lifecycle dashboard: no job ${job} in ${describeStore(url)}\n`);
      return EXIT_ATTENTION;
    }
    const [{ createJobWatch, lifecycleCharts, startDashboardServer, createLifecycleMetrics }, { itemsOf, lookupIn, warnIfExposed }] = await Promise.all([
      import('../../observe/index.js'), import('../job/observeJob.js'),
    ]);
    const rootMachine = record.kind === 'offboard' ? 'offboarding' : 'onboarding';
    const watch = createJobWatch(rootMachine);
    const read = async () => {
      for await (const item of itemsOf(store, job)) watch.seed([item]);
    };
    await read();
    let reading = false;
    let halt = record.halt;
    const metrics = createLifecycleMetrics();
    const stopMetrics = metrics.observeWatch(watch);
    warnIfExposed(io, 'dashboard', observe.dashboardHost);
    const server = await startDashboardServer(
      { job, kind: record.kind, watch, charts: lifecycleCharts, running: () => false, halt: () => halt, metrics, lookup: lookupIn(store, job, rootMachine), history: (id) => store.historyOf(job, id) },
      { host: observe.dashboardHost, port: observe.dashboardPort ?? 0 },
    ).catch((error: NodeJS.ErrnoException) => {
      throw usageProblem(error.code === 'EADDRINUSE' ? `--dashboard: port ${observe.dashboardPort ?? 0} is in use` : `--dashboard: ${error.message}`);
    });
    io.err(`mx-lifecycle dashboard: dashboard: ${server.url} (job ${job} from ${describeStore(url)}; Ctrl-C stops)\n`);
    const refresh = setInterval(() => {
      // A pass over 200,000 rows can outlast the interval: passes run one at a time, not on top of each other.
      if (reading) return;
      reading = true;
      void read().then(async () => void (halt = (await store.getJob(job))?.halt ?? null)).catch(() => undefined).finally(() => (reading = false));
    }, REFRESH_MS);
    await untilSignal();
    clearInterval(refresh);
    stopMetrics();
    await server.close();
    return EXIT_OK;
  } finally {
    await store.close();
  }
}

export const command: Command = {
  summary: 'serve the live dashboard of a job from its store, without running it',
  usage: USAGE,
  run: guarded('dashboard', run),
};
