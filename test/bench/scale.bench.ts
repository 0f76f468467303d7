/**
 * Scale: 100,000 customers from a JSONL file through `mx-lifecycle onboard` (SQLite store, default
 * flags: `--concurrency auto` under its `--max-concurrency` ceiling of 1,200, with the client's 10
 * requests in flight for a rate it does not know) against an unlimited sandbox in a process of its own. Each customer has no
 * connection, so each is one user creation: the job is the runtime's bookkeeping for 100,000 items
 * rather than 400,000 requests, and fits the bench's time budget.
 *
 * Memory is read from /proc/<pid>/status (VmRSS) every 250 ms, and the peak from the process's own
 * getrusage as it exits. Targets: peak RSS ≤ 512 MB, and RSS after 100,000 customers within 1.5× of
 * RSS after 10,000 (the moment the 10,000th finished is placed between the CLI's 5-s progress
 * lines). Customers/s (from the end of the input's submission, as the CLI's progress counts) is
 * printed against the rate of the first 10,000, so a job that slows as it grows shows a ratio under 1.
 *
 * Runs under the bench runner (`npm run bench scale`), or alone after `npm run build`:
 * `node --import tsx test/bench/scale.bench.ts`.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Row } from './run.js';
import {
  CLI, onboardArgs, onboardEnv, round, runNode, say, scratch, startSandboxProcess, summaryOf, writeCustomers, type ProcSample,
} from './support/processes.js';

const CUSTOMERS = 100_000;
const EARLY = 10_000;
const PEAK_TARGET_MB = 512;
const GROWTH_TARGET = 1.5;

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
    const jobDir = join(work.dir, 'job');
    const result = await runNode(CLI, onboardArgs(input, sandbox.url, jobDir, []), {
      env: onboardEnv,
      sampleMs: 250,
      timeoutMs: 480_000,
      onLine: (line, atMs) => {
        if (!line.startsWith('{"type":"progress"')) return;
        const p = JSON.parse(line) as { done: number; requestsPerSecond: number; elapsedSeconds: number };
        progress.push({ atMs, done: p.done, startedAtMs: atMs - p.elapsedSeconds * 1000 });
        say(`${p.done.toLocaleString('en-US')} customers done, ${p.requestsPerSecond} req/s`);
      },
    }).done;
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
    say(`${CUSTOMERS} customers in ${(summary.durationMs / 1000).toFixed(1)} s; RSS ${rssEarly.toFixed(0)} MB at ${EARLY}, ${rssLast.toFixed(0)} MB at ${CUSTOMERS}, peak ${peakMb.toFixed(0)} MB`);
    return [
      {
        scenario: 'scale', metric: `peak RSS of mx-lifecycle onboard, ${CUSTOMERS.toLocaleString('en-US')} customers (no members), default flags (concurrency auto)`,
        value: round(peakMb, 0), unit: 'MB', target: `<= ${PEAK_TARGET_MB}`, met: peakMb <= PEAK_TARGET_MB,
      },
      {
        scenario: 'scale', metric: `RSS after ${CUSTOMERS.toLocaleString('en-US')} customers vs after ${EARLY.toLocaleString('en-US')}`,
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
