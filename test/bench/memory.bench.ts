/**
 * Memory of a long job (issue 22, item 6): 200,000 customers with one mxbank member each through
 * `mx-lifecycle onboard --rate 1000` against the sandbox (its defaults: a 2-s aggregation) in a
 * process of its own, once plain and once with `--dashboard` (its state read every 2 s, as the page
 * does); then `mx-lifecycle dashboard --job` over the first run's store, its customer page asked
 * for.
 *
 * Each onboard runs WINDOW_S seconds from its progress clock (the input submitted) and is stopped
 * with SIGINT (the job takes longer than the bench's budget: 800,000 requests at 1,000/s): memory
 * is read from /proc/<pid>/status (VmRSS) every 500 ms and the peak is VmHWM. Targets: peak ≤ 512 MB, and RSS at 240 s ≤ 1.1 × RSS at 60 s
 * (the baseline is the same process at 60 s). `dashboard --job` is measured against the same
 * command over a one-customer store in the same run, target ≤ 256 MB.
 *
 * Runs under the bench runner (`npm run bench memory`), or alone after `npm run build`:
 * `node --import tsx test/bench/memory.bench.ts`. With BENCH_MEMORY_CUSTOMERS=N a smaller job; with
 * BENCH_MEMORY_ONLY=dashboard only the `--dashboard` onboard and `dashboard --job` over its store;
 * with BENCH_HEAP_DIR=folder each onboard also writes heap snapshots there at 60 s and 240 s.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Row } from './run.js';
import {
  CLI, onboardArgs, onboardEnv, round, runNode, say, scratch, startSandboxProcess, writeCustomers, type ChildRun, type ProcSample,
} from './support/processes.js';

const CUSTOMERS = Number(process.env.BENCH_MEMORY_CUSTOMERS ?? 200_000);
const WINDOW_S = 250;
const PEAK_TARGET_MB = 512;
const GROWTH_TARGET = 1.1;
const STORE_DASHBOARD_TARGET_MB = 256;
const DASHBOARD_WATCH_S = 20;
/** `dashboard`: skip the plain onboard (the figures of the dashboard's own path, in half the time). */
const ONLY = process.env.BENCH_MEMORY_ONLY ?? '';

const mb = (kb: number): number => kb / 1024;

function rssAt(seconds: number, samples: ProcSample[]): number {
  let best: ProcSample | undefined;
  for (const s of samples) if (!best || Math.abs(s.atMs - seconds * 1000) < Math.abs(best.atMs - seconds * 1000)) best = s;
  if (!best) throw new Error('no /proc sample was taken');
  return mb(best.rssKb);
}

const peakOf = (samples: ProcSample[]): number => mb(Math.max(0, ...samples.map((s) => s.hwmKb)));

/** Reads the dashboard's state (and one customer's page) every 2 s while `run` lasts, as the page does. */
function readDashboard(url: string, customer: string): () => void {
  const timer = setInterval(() => {
    void fetch(`${url}/api/state`).then((res) => res.arrayBuffer()).catch(() => undefined);
    void fetch(`${url}/api/items/${customer}`).then((res) => res.arrayBuffer()).catch(() => undefined);
  }, 2_000);
  return () => clearInterval(timer);
}

/**
 * One onboard of the whole input for WINDOW_S seconds of running, then SIGINT. The seconds count
 * from the CLI's progress clock (after the input is submitted), so "at 60 s" is a running job on a
 * machine where submitting 200,000 rows takes a while; the samples are shifted to that clock.
 */
async function onboardFor(label: string, input: string, sandboxUrl: string, dir: string, extra: string[]): Promise<{ run: ChildRun; done: number }> {
  let done = 0;
  let startedAtMs: number | null = null;
  let stopReading: (() => void) | undefined;
  let stop: NodeJS.Timeout | undefined;
  const snapshots: NodeJS.Timeout[] = [];
  const child = runNode(CLI, onboardArgs(input, sandboxUrl, dir, ['--rate', '1000', ...extra]), {
    env: onboardEnv,
    sampleMs: 500,
    timeoutMs: (WINDOW_S + 600) * 1000,
    onLine: (line, atMs) => {
      const url = /dashboard: (http:\/\/\S+)/.exec(line)?.[1];
      if (url) stopReading = readDashboard(url, 'c0');
      if (!line.startsWith('{"type":"progress"')) return;
      const p = JSON.parse(line) as { done: number; elapsedSeconds: number };
      done = p.done;
      if (startedAtMs === null) {
        startedAtMs = atMs - p.elapsedSeconds * 1000;
        stop = setTimeout(() => child.proc.kill('SIGINT'), Math.max(0, startedAtMs + WINDOW_S * 1000 - atMs));
        if (process.env.BENCH_HEAP_DIR) {
          for (const at of [60, 240]) snapshots.push(setTimeout(() => child.proc.kill('SIGUSR2'), Math.max(0, startedAtMs + at * 1000 - atMs)));
        }
      }
    },
  });
  const progress = setInterval(() => say(`${label}: ${done.toLocaleString('en-US')} customers done`), 30_000);
  try {
    const run = await child.done;
    const shift = startedAtMs ?? 0;
    return { run: { ...run, samples: run.samples.map((sample) => ({ ...sample, atMs: sample.atMs - shift })) }, done };
  } finally {
    clearTimeout(stop);
    for (const timer of snapshots) clearTimeout(timer);
    clearInterval(progress);
    stopReading?.();
  }
}

/** `mx-lifecycle dashboard --job` over a store for DASHBOARD_WATCH_S seconds, its pages read. */
async function storeDashboard(job: string, store: string): Promise<ChildRun> {
  let stopReading: (() => void) | undefined;
  const child = runNode(CLI, ['dashboard', '--job', job, '--store', `sqlite:${store}`], {
    sampleMs: 500,
    timeoutMs: (DASHBOARD_WATCH_S + 120) * 1000,
    onLine: (line) => {
      const url = /dashboard: (http:\/\/\S+)/.exec(line)?.[1];
      if (!url) return;
      stopReading = readDashboard(url, 'c1');
      setTimeout(() => child.proc.kill('SIGTERM'), DASHBOARD_WATCH_S * 1000);
    },
  });
  try {
    return await child.done;
  } finally {
    stopReading?.();
  }
}

function onboardRows(metric: string, run: ChildRun, done: number): Row[] {
  const at60 = rssAt(60, run.samples);
  const at240 = rssAt(240, run.samples);
  const peak = peakOf(run.samples);
  say(`${metric}: ${done} customers done in ${WINDOW_S} s; RSS ${at60.toFixed(0)} MB at 60 s, ${at240.toFixed(0)} MB at 240 s, peak ${peak.toFixed(0)} MB`);
  return [
    { scenario: 'memory', metric: `peak RSS, ${metric}`, value: round(peak, 0), unit: 'MB', target: `<= ${PEAK_TARGET_MB}`, met: peak <= PEAK_TARGET_MB },
    {
      scenario: 'memory', metric: `RSS 240 s vs 60 s into the run, ${metric} (${done.toLocaleString('en-US')} done by ${WINDOW_S} s)`,
      value: round(at240, 0), baseline: round(at60, 0), ratio: round(at240 / at60), unit: 'MB', target: `ratio <= ${GROWTH_TARGET}`, met: at240 / at60 <= GROWTH_TARGET,
    },
  ];
}

async function run(): Promise<Row[]> {
  const work = scratch('memory');
  const input = join(work.dir, 'customers.jsonl');
  writeCustomers(input, CUSTOMERS, 1);
  const tiny = join(work.dir, 'tiny.jsonl');
  writeCustomers(tiny, 1, 1);
  const sandbox = await startSandboxProcess([]);
  const rows: Row[] = [];
  const jobs = { plain: join(work.dir, 'plain'), dashboard: join(work.dir, 'dashboard'), tiny: join(work.dir, 'tiny') };
  const label = `${CUSTOMERS.toLocaleString('en-US')} customers × 1 member, --rate 1000`;
  try {
    if (ONLY !== 'dashboard') {
      const plain = await onboardFor('onboard', input, sandbox.url, jobs.plain, []);
      rows.push(...onboardRows(`onboard, ${label}`, plain.run, plain.done));
      await sandbox.reset();
    }
    const watched = await onboardFor('onboard --dashboard', input, sandbox.url, jobs.dashboard, ['--dashboard']);
    rows.push(...onboardRows(`onboard --dashboard, ${label}`, watched.run, watched.done));
    await sandbox.reset();
    const small = await runNode(CLI, onboardArgs(tiny, sandbox.url, jobs.tiny, []), { env: onboardEnv }).done;
    if (small.code !== 0) throw new Error(`the one-customer onboard exited ${small.code}: ${small.stderr.trim().split('\n').at(-1) ?? ''}`);
    const baseline = await storeDashboard('tiny', join(jobs.tiny, 'job.sqlite'));
    // Every customer is in either store from the start (the input is submitted first), done or not.
    const big = await storeDashboard('customers', join(ONLY === 'dashboard' ? jobs.dashboard : jobs.plain, 'job.sqlite'));
    const peak = peakOf(big.samples);
    const basePeak = peakOf(baseline.samples);
    say(`dashboard --job: peak ${peak.toFixed(0)} MB over ${CUSTOMERS} customers, ${basePeak.toFixed(0)} MB over 1`);
    rows.push({
      scenario: 'memory', metric: `peak RSS, dashboard --job over the ${CUSTOMERS.toLocaleString('en-US')}-customer store vs a 1-customer store`,
      value: round(peak, 0), baseline: round(basePeak, 0), ratio: round(peak / basePeak), unit: 'MB',
      target: `<= ${STORE_DASHBOARD_TARGET_MB}`, met: peak <= STORE_DASHBOARD_TARGET_MB,
    });
    return rows;
  } finally {
    await sandbox.stop();
    work.remove();
  }
}

export default { name: 'memory', run };

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const row of await run()) console.log(JSON.stringify(row));
}
