/**
 * Send limit: whether a known rate limit holds at the API when the client's machine is busy. Two
 * set-ups, each run on a quiet machine (the baseline) and with two busy loops (`node -e 'for(;;);'`)
 * beside the client, in the same run:
 *
 * - one process: `onboard --rate 200`, 600 customers × 1 member (2,400 requests);
 * - three workers over Redis: three `onboard --rate 60 --redis URL` processes on one API key, each
 *   with its own SQLite store and 200 customers × 1 member (about 3,000 requests together, a 50-s
 *   job). On the quiet machine the same three workers also run a 15-s job (60 customers each),
 *   printed beside it: a run's first request and its process's exit cost it a fixed 100 to 200 ms
 *   that no sharing of the limit can win back, 1 % of 15 s but 0.3 % of 50 s, and a job of
 *   thousands of customers runs for minutes.
 *
 * The sandbox runs unlimited, so nothing on its side refuses or masks an overrun, and is warmed up
 * with a 100-customer job before the first measured run (MX is not cold); its
 * `maxObservedRate` is the most requests the key made in any sliding second, counted when it
 * handles each one. Figures: that count ÷ the limit (target ≤ 1), and for the three workers the
 * shared utilisation, requests ÷ (makespan × limit) (target ≥ 0.97, the 50-s job). Makespan runs from
 * the earliest worker's job start (its summary's `durationMs` back from its exit) to the last
 * worker's exit.
 *
 * Runs under the bench runner (`npm run bench send-limit`), or alone after `npm run build`:
 * `node --import tsx test/bench/sendLimit.bench.ts`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { findOnPath, startRedis, type StartedService } from '../support/services/redis.js';
import type { Row } from './run.js';
import {
  CLI, onboardArgs, onboardEnv, round, runNode, say, scratch, startSandboxProcess, summaryOf, writeCustomers, type SandboxProcess,
} from './support/processes.js';

const ONE_RATE = 200;
const ONE_CUSTOMERS = 600;
const SHARED_RATE = 60;
const WORKERS = 3;
const WORKER_CUSTOMERS = 200;
/** Customers of each worker in the short job, run on the quiet machine only. */
const SHORT_CUSTOMERS = 60;
const UTILISATION_TARGET = 0.97;
/** Customers of the run that warms the sandbox up before anything is measured. */
const WARM_CUSTOMERS = 100;

/** Two CPU-bound neighbours, killed by the returned function. */
function busyLoops(): () => void {
  const loops: ChildProcess[] = [0, 1].map(() => spawn(process.execPath, ['-e', 'for(;;);'], { stdio: 'ignore' }));
  return () => {
    for (const loop of loops) loop.kill('SIGKILL');
  };
}

interface Outcome {
  peak: number;
  requests: number;
  utilisation: number;
}

async function oneProcess(sandbox: SandboxProcess, dir: string, input: string): Promise<Outcome> {
  await sandbox.reset();
  const run = await runNode(CLI, onboardArgs(input, sandbox.url, dir, ['--rate', String(ONE_RATE)]), { env: onboardEnv, timeoutMs: 300_000 }).done;
  const summary = summaryOf(run);
  if (summary.counts.done !== ONE_CUSTOMERS) throw new Error(`onboard finished ${summary.counts.done} of ${ONE_CUSTOMERS} customers`);
  const stats = await sandbox.stats();
  return { peak: stats.maxObservedRate, requests: stats.requests, utilisation: stats.requests / ((summary.durationMs / 1000) * ONE_RATE) };
}

async function threeWorkers(sandbox: SandboxProcess, dir: string, inputs: string[], redisUrl: string, customers: number): Promise<Outcome> {
  await sandbox.reset();
  const runs = inputs.map((input, w) => {
    const args = onboardArgs(input, sandbox.url, join(dir, `w${w}`), ['--rate', String(SHARED_RATE), '--redis', redisUrl]);
    return runNode(CLI, args, { env: onboardEnv, timeoutMs: 300_000 }).done.then((run) => ({ run, endedAt: performance.now() }));
  });
  const ended = await Promise.all(runs);
  const starts = ended.map(({ run, endedAt }) => {
    const summary = summaryOf(run);
    if (summary.counts.done !== customers) throw new Error(`a worker finished ${summary.counts.done} of ${customers} customers`);
    return endedAt - summary.durationMs;
  });
  const makespanS = (Math.max(...ended.map((e) => e.endedAt)) - Math.min(...starts)) / 1000;
  const stats = await sandbox.stats();
  return { peak: stats.maxObservedRate, requests: stats.requests, utilisation: stats.requests / (makespanS * SHARED_RATE) };
}

async function run(): Promise<Row[]> {
  const work = scratch('send-limit');
  const oneInput = join(work.dir, 'one.jsonl');
  writeCustomers(oneInput, ONE_CUSTOMERS, 1);
  const workerInputs = Array.from({ length: WORKERS }, (_, w) => join(work.dir, `worker${w}.jsonl`));
  // Each worker its own customers (ids c0…): their stores are separate, the API key is shared.
  for (const path of workerInputs) writeCustomers(path, WORKER_CUSTOMERS, 1);
  const shortInputs = Array.from({ length: WORKERS }, (_, w) => join(work.dir, `short${w}.jsonl`));
  for (const path of shortInputs) writeCustomers(path, SHORT_CUSTOMERS, 1);
  const external = process.env.MX_LIFECYCLE_TEST_REDIS;
  const binary = findOnPath('redis-server');
  if (!external && !binary) throw new Error('the three-worker case needs redis-server on the PATH or MX_LIFECYCLE_TEST_REDIS');
  const redis: StartedService | null = external ? null : await startRedis(binary!);
  const redisUrl = external ?? redis!.url;
  const sandbox = await startSandboxProcess(['--aggregation-ms', '0']);
  const results: Record<string, Outcome> = {};
  const o = (key: string): Outcome => results[key]!;
  try {
    // MX is a warm service. A fresh sandbox compiles each route's code on its first requests (its
    // event loop stalled 27 ms in the first 130 ms of the first run measured), and a second of its
    // stamps would crowd with no client's doing: every route runs once before anything is counted.
    const warm = join(work.dir, 'warm.jsonl');
    writeCustomers(warm, WARM_CUSTOMERS, 1);
    summaryOf(await runNode(CLI, onboardArgs(warm, sandbox.url, join(work.dir, 'warm'), ['--rate', String(ONE_RATE)]), { env: onboardEnv, timeoutMs: 120_000 }).done);
    for (const busy of [false, true]) {
      const stop = busy ? busyLoops() : () => undefined;
      try {
        const label = busy ? 'busy' : 'quiet';
        const one = (results[`one-${label}`] = await oneProcess(sandbox, join(work.dir, `one-${label}`), oneInput));
        say(`one process, ${label}: peak ${one.peak}/s of ${ONE_RATE}`);
        const shared = (results[`shared-${label}`] = await threeWorkers(sandbox, join(work.dir, `shared-${label}`), workerInputs, redisUrl, WORKER_CUSTOMERS));
        say(`three workers, ${label}: peak ${shared.peak}/s of ${SHARED_RATE}, utilisation ${shared.utilisation.toFixed(3)}`);
        if (!busy) {
          const short = (results['short-quiet'] = await threeWorkers(sandbox, join(work.dir, 'short-quiet'), shortInputs, redisUrl, SHORT_CUSTOMERS));
          say(`three workers, 15-s job, quiet: peak ${short.peak}/s of ${SHARED_RATE}, utilisation ${short.utilisation.toFixed(3)}`);
        }
      } finally {
        stop();
      }
    }
  } finally {
    await sandbox.stop();
    await redis?.stop();
    work.remove();
  }
  const peakRow = (key: string, rate: number, what: string): Row => {
    const busy = o(`${key}-busy`).peak / rate;
    const quiet = o(`${key}-quiet`).peak / rate;
    return {
      scenario: 'send-limit', metric: `highest 1-s count at the sandbox ÷ limit, ${what}, two busy loops beside vs quiet`,
      value: round(busy, 3), baseline: round(quiet, 3), ratio: round(busy / quiet, 3), unit: '×', target: '<= 1 (both)', met: busy <= 1 && quiet <= 1,
    };
  };
  const shared = (label: string): number => o(`shared-${label}`).utilisation;
  return [
    peakRow('one', ONE_RATE, `one process, --rate ${ONE_RATE} (${ONE_CUSTOMERS} customers × 1 member)`),
    peakRow('shared', SHARED_RATE, `${WORKERS} workers over Redis, --rate ${SHARED_RATE} (${WORKERS} × ${WORKER_CUSTOMERS} customers × 1 member)`),
    {
      scenario: 'send-limit', metric: `shared utilisation, requests ÷ (makespan × ${SHARED_RATE}/s), ${WORKERS} workers, quiet vs two busy loops`,
      value: round(shared('quiet'), 3), baseline: round(shared('busy'), 3), ratio: round(shared('quiet') / shared('busy'), 3), unit: '×',
      target: `>= ${UTILISATION_TARGET} (quiet)`, met: shared('quiet') >= UTILISATION_TARGET,
    },
    {
      scenario: 'send-limit', metric: `the same, quiet: ${WORKERS} × ${SHORT_CUSTOMERS} customers (a 15-s job) vs ${WORKERS} × ${WORKER_CUSTOMERS} (50 s), for the start and end each run pays`,
      value: round(o('short-quiet').utilisation, 3), baseline: round(shared('quiet'), 3),
      ratio: round(o('short-quiet').utilisation / shared('quiet'), 3), unit: '×',
    },
    {
      scenario: 'send-limit', metric: `utilisation, one process --rate ${ONE_RATE}, quiet vs two busy loops`,
      value: round(o('one-quiet').utilisation, 3), baseline: round(o('one-busy').utilisation, 3), ratio: round(o('one-quiet').utilisation / o('one-busy').utilisation, 3), unit: '×',
    },
  ];
}

export default { name: 'send-limit', run };

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const row of await run()) console.log(JSON.stringify(row));
}
