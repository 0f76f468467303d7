/**
 * Scale: 1,000,000 customers from a JSONL file through `mx-lifecycle onboard` (SQLite store,
 * default flags: `--concurrency auto` under its `--max-concurrency` ceiling of 1,200, with the
 * client's 10 requests in flight for a rate it does not know) against an unlimited sandbox in a
 * process of its own. Each customer has no connection, so each is one user creation: the job is the
 * runtime's bookkeeping for a million items rather than four million requests. `SCALE_CUSTOMERS`
 * runs a smaller job (the 100,000 of earlier rounds, say) with the same figures.
 *
 * Memory is read from /proc/<pid>/status (VmRSS) every 250 ms, and the peak from the process's own
 * getrusage as it exits. While it runs, `mx-lifecycle status --job NAME --json` is run every 5 s
 * against its store, one at a time, against the same command over a one-customer store in the same
 * run (node's start-up is in both). Figures: the time to submit the input (spawn to the progress
 * clock's start, node's start-up included), peak RSS (≤ 512 MB), RSS when the last customer was
 * done ÷ RSS when the first tenth was (≤ 1.2), the slowest `status` while the job ran (≤ 1 s),
 * customers/s over the whole job against the first tenth, and the store's bytes per customer
 * (the SQLite file and its WAL when the job ended).
 *
 * Runs under the bench runner (`npm run bench scale`), or alone after `npm run build`:
 * `node --import tsx test/bench/scale.bench.ts`.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Row } from './run.js';
import {
  CLI, onboardArgs, onboardEnv, round, runNode, say, scratch, startSandboxProcess, summaryOf, writeCustomers, type ProcSample,
} from './support/processes.js';

/** The job's name: the CLI names a job after its input file. */
const JOB = 'customers';

/** One `status --json` of the store in `dir`, timed from spawn to exit. */
async function timeStatus(dir: string, job: string): Promise<number> {
  const began = performance.now();
  const run = await runNode(CLI, ['status', '--job', job, '--store', `sqlite:${join(dir, 'job.sqlite')}`, '--json'], { env: onboardEnv, timeoutMs: 120_000 }).done;
  if (run.code === null || run.code > 2) throw new Error(`status exited ${run.code}: ${run.stderr.trim().split('\n').at(-1) ?? ''}`);
  return performance.now() - began;
}

/** Runs `status` every STATUS_EVERY_MS, one at a time, until `stop()`; resolves every latency. */
function pollStatus(dir: string, job: string): { stop(): Promise<number[]> } {
  const latencies: number[] = [];
  const poller = { stopped: false };
  const loop = (async () => {
    while (!poller.stopped) {
      await new Promise((resolve) => setTimeout(resolve, STATUS_EVERY_MS));
      if (poller.stopped) break;
      try {
        latencies.push(await timeStatus(dir, job));
      } catch {
        // Before the store exists, or as the job ends: not a reading.
      }
    }
  })();
  return {
    async stop() {
      poller.stopped = true;
      await loop;
      return latencies;
    },
  };
}

function storeBytes(dir: string): number {
  let bytes = 0;
  for (const name of ['job.sqlite', 'job.sqlite-wal']) {
    try {
      bytes += statSync(join(dir, name)).size;
    } catch {
      // No WAL left after a checkpoint.
    }
  }
  return bytes;
}

const CUSTOMERS = Number(process.env.SCALE_CUSTOMERS ?? 1_000_000);
const EARLY = Math.round(CUSTOMERS / 10);
const PEAK_TARGET_MB = 512;
const GROWTH_TARGET = 1.2;
const STATUS_EVERY_MS = 5_000;
const STATUS_TARGET_MS = 1_000;

interface Progress {
  /** ms since spawn when the line arrived. */
  atMs: number;
  done: number;
  /** When the CLI's progress clock started (after the input was submitted), in ms since spawn. */
  startedAtMs: number;
}

/** When `count` customers were done, placed linearly between the progress lines around it. */
function timeOf(count: number, progress: Progress[]): number {
  let before: Progress = { atMs: progress[0]?.startedAtMs ?? 0, done: 0, startedAtMs: 0 };
  for (const p of progress) {
    if (p.done >= count) {
      const share = p.done === before.done ? 1 : (count - before.done) / (p.done - before.done);
      return before.atMs + share * (p.atMs - before.atMs);
    }
    before = p;
  }
  throw new Error(`the progress lines never reached ${count} customers`);
}

function rssAt(atMs: number, samples: ProcSample[]): number {
  let best: ProcSample | undefined;
  for (const s of samples) if (!best || Math.abs(s.atMs - atMs) < Math.abs(best.atMs - atMs)) best = s;
  if (!best) throw new Error('no /proc sample was taken');
  return best.rssKb / 1024;
}

async function run(): Promise<Row[]> {
  const work = scratch('scale');
  const input = join(work.dir, 'customers.jsonl');
  writeCustomers(input, CUSTOMERS, 0);
  const sandbox = await startSandboxProcess(['--aggregation-ms', '0']);
  const progress: Progress[] = [];
  try {
    // The baseline: status over a one-customer store, the same command in the same run.
    const smallDir = join(work.dir, 'small');
    const smallInput = join(work.dir, 'one.jsonl');
    writeCustomers(smallInput, 1, 0);
    await runNode(CLI, onboardArgs(smallInput, sandbox.url, smallDir, []), { env: onboardEnv, timeoutMs: 60_000 }).done;
    const smallStatus = Math.min(await timeStatus(smallDir, 'one'), await timeStatus(smallDir, 'one'), await timeStatus(smallDir, 'one'));
    const jobDir = join(work.dir, 'job');
    const poller = pollStatus(jobDir, JOB);
    const result = await runNode(CLI, onboardArgs(input, sandbox.url, jobDir, []), {
      env: onboardEnv,
      sampleMs: 250,
      timeoutMs: 3_600_000,
      onLine: (line, atMs) => {
        if (!line.startsWith('{"type":"progress"')) return;
        const p = JSON.parse(line) as { done: number; requestsPerSecond: number; elapsedSeconds: number };
        progress.push({ atMs, done: p.done, startedAtMs: atMs - p.elapsedSeconds * 1000 });
        say(`${p.done.toLocaleString('en-US')} customers done, ${p.requestsPerSecond} req/s`);
      },
    }).done;
    const statusMs = await poller.stop();
    const bytesPerCustomer = storeBytes(jobDir) / CUSTOMERS;
    const summary = summaryOf(result);
    if (summary.counts.done !== CUSTOMERS) throw new Error(`mx-lifecycle finished ${summary.counts.done} of ${CUSTOMERS} customers`);
    const earlyAt = timeOf(EARLY, progress);
    const lastAt = timeOf(CUSTOMERS, progress);
    const rssEarly = rssAt(earlyAt, result.samples);
    const rssLast = rssAt(lastAt, result.samples);
    const peakMb = result.maxRssKb / 1024;
    const startAt = progress[0]?.startedAtMs ?? 0;
    const rateEarly = EARLY / ((earlyAt - startAt) / 1000);
    const rateAll = CUSTOMERS / ((lastAt - startAt) / 1000);
    const submitS = startAt / 1000;
    const slowestStatus = Math.max(0, ...statusMs);
    say(`${CUSTOMERS} customers in ${(summary.durationMs / 1000).toFixed(1)} s; RSS ${rssEarly.toFixed(0)} MB at ${EARLY}, ${rssLast.toFixed(0)} MB at ${CUSTOMERS}, peak ${peakMb.toFixed(0)} MB`);
    say(`status: ${statusMs.length} readings, slowest ${slowestStatus.toFixed(0)} ms (one-customer store: ${smallStatus.toFixed(0)} ms)`);
    const n = CUSTOMERS.toLocaleString('en-US');
    return [
      { scenario: 'scale', metric: `submit ${n} customers: spawn to the progress clock's start (node's start-up included)`, value: round(submitS, 1), unit: 's' },
      {
        scenario: 'scale', metric: `slowest \`status --job\` while ${n} customers run (${statusMs.length} readings, one every ${STATUS_EVERY_MS / 1000} s) vs over a one-customer store`,
        value: round(slowestStatus, 0), baseline: round(smallStatus, 0), ratio: round(slowestStatus / smallStatus), unit: 'ms',
        target: `<= ${STATUS_TARGET_MS}`, met: statusMs.length > 0 && slowestStatus <= STATUS_TARGET_MS,
      },
      { scenario: 'scale', metric: `store bytes per customer (SQLite file and WAL, ${n} customers done)`, value: round(bytesPerCustomer, 0), unit: 'B' },
      {
        scenario: 'scale', metric: `peak RSS of mx-lifecycle onboard, ${n} customers (no members), default flags (concurrency auto)`,
        value: round(peakMb, 0), unit: 'MB', target: `<= ${PEAK_TARGET_MB}`, met: peakMb <= PEAK_TARGET_MB,
      },
      {
        scenario: 'scale', metric: `RSS after ${n} customers vs after ${EARLY.toLocaleString('en-US')}`,
        value: round(rssLast, 0), baseline: round(rssEarly, 0), ratio: round(rssLast / rssEarly), unit: 'MB',
        target: `ratio <= ${GROWTH_TARGET}`, met: rssLast / rssEarly <= GROWTH_TARGET,
      },
      {
        scenario: 'scale', metric: `customers/s over the whole job vs over the first ${EARLY.toLocaleString('en-US')}`,
        value: round(rateAll, 0), baseline: round(rateEarly, 0), ratio: round(rateAll / rateEarly), unit: 'customers/s',
      },
    ];
  } finally {
    await sandbox.stop();
    work.remove();
  }
}

export default { name: 'scale', run };

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const row of await run()) console.log(JSON.stringify(row));
}
