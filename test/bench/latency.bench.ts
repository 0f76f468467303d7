/**
 * Latency: whether default flags keep a known rate limit full when the API is slow. 2,000
 * customers × 1 member (3 requests each: user, member, status; and one read of the credential fields) against a
 * sandbox limited to 100 requests/s that adds 0, 300 or 1,500 ms to every request, in a process of
 * its own. `mx-lifecycle onboard --rate 100` with default flags (`--concurrency auto`) beside the
 * same job with `--concurrency 16` (the old default), in the same run.
 *
 * The figure is makespan ÷ (requests made ÷ 100), as in the utilisation scenario: 1.0 is every
 * second spent at the limit. Target ≤ 1.05 at each latency with 429s under 1 %. By Little's law 16
 * customers at 1.5 s make about 10 requests a second, so that job would take over ten minutes: the
 * `--concurrency 16` side is stopped (SIGTERM) after STOP_AFTER_S and its figure is the same ratio
 * over the requests it made until then.
 *
 * Runs under the bench runner (`npm run bench latency`), or alone after `npm run build`:
 * `node --import tsx test/bench/latency.bench.ts`.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Row } from './run.js';
import {
  CLI, onboardArgs, onboardEnv, round, runNode, say, scratch, startSandboxProcess, summaryOf, writeCustomers,
} from './support/processes.js';

const CUSTOMERS = 2_000;
const LIMIT = 100;
const LATENCIES_MS = [0, 300, 1_500];
const PINNED = 16;
const STOP_AFTER_S = 40;
const TARGET = 1.05;
const MAX_429_SHARE = 0.01;

interface Outcome {
  ratio: number;
  requests: number;
  rateLimited: number;
  makespanS: number;
  finished: boolean;
}

async function onboard(input: string, url: string, dir: string, extra: string[], stopAfterS: number | null): Promise<{ makespanS: number; finished: boolean }> {
  const started = performance.now();
  const run = runNode(CLI, onboardArgs(input, url, dir, ['--rate', String(LIMIT), ...extra]), { env: onboardEnv, timeoutMs: 600_000 });
  const stopper = stopAfterS === null ? null : setTimeout(() => run.proc.kill('SIGTERM'), stopAfterS * 1000);
  const result = await run.done;
  if (stopper) clearTimeout(stopper);
  if (result.code === 0) {
    const summary = summaryOf(result);
    if (summary.counts.done !== CUSTOMERS) throw new Error(`mx-lifecycle finished ${summary.counts.done} of ${CUSTOMERS} customers`);
    return { makespanS: summary.durationMs / 1000, finished: true };
  }
  if (stopAfterS === null) throw new Error(`mx-lifecycle onboard exited ${result.code}: ${result.stderr.slice(-300)}`);
  // Stopped: from spawn to the stop, less the start-up a finished run's durationMs leaves out.
  return { makespanS: Math.min(stopAfterS, (performance.now() - started) / 1000), finished: false };
}

async function measure(latencyMs: number, input: string, dir: string, extra: string[], stopAfterS: number | null): Promise<Outcome> {
  const sandbox = await startSandboxProcess(['--aggregation-ms', '0', '--rate-limit', String(LIMIT), '--latency-ms', String(latencyMs)]);
  try {
    const { makespanS, finished } = await onboard(input, sandbox.url, dir, extra, stopAfterS);
    const stats = await sandbox.stats();
    const outcome = { ratio: makespanS / (stats.requests / LIMIT), requests: stats.requests, rateLimited: stats.rateLimited, makespanS, finished };
    say(`${latencyMs} ms, ${extra.join(' ') || 'default flags'}: ${makespanS.toFixed(1)} s${finished ? '' : ' (stopped)'}, ${stats.requests} requests, ${stats.rateLimited} 429s, ratio ${outcome.ratio.toFixed(3)}`);
    return outcome;
  } finally {
    await sandbox.stop();
  }
}

async function run(): Promise<Row[]> {
  const work = scratch('latency');
  const input = join(work.dir, 'customers.jsonl');
  writeCustomers(input, CUSTOMERS, 1);
  const rows: Row[] = [];
  try {
    for (const latencyMs of LATENCIES_MS) {
      const ours = await measure(latencyMs, input, join(work.dir, `auto-${latencyMs}`), [], null);
      const pinned = await measure(latencyMs, input, join(work.dir, `pinned-${latencyMs}`), ['--concurrency', String(PINNED)], STOP_AFTER_S);
      const share = ours.rateLimited / ours.requests;
      rows.push(
        {
          scenario: 'latency',
          metric: `makespan ÷ (requests ÷ ${LIMIT}/s) at ${latencyMs} ms, default flags vs --concurrency ${PINNED}${pinned.finished ? '' : ` (stopped after ${STOP_AFTER_S} s)`}`,
          value: round(ours.ratio, 3), baseline: round(pinned.ratio, 3), ratio: round(ours.ratio / pinned.ratio, 3), unit: '×',
          target: `<= ${TARGET}`, met: ours.ratio <= TARGET && share < MAX_429_SHARE,
        },
        {
          scenario: 'latency', metric: `429 responses at ${latencyMs} ms (of ${ours.requests.toLocaleString('en-US')} requests)`,
          value: ours.rateLimited, baseline: pinned.rateLimited, unit: '429s', target: `< ${MAX_429_SHARE * 100} % of requests`, met: share < MAX_429_SHARE,
        },
      );
    }
  } finally {
    work.remove();
  }
  return rows;
}

export default { name: 'latency', run };

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const row of await run()) console.log(JSON.stringify(row));
}
