/**
 * Overhead: what mx-lifecycle costs over a plain loop of the same HTTP calls. 2,000 customers × 1
 * member against an unlimited sandbox with instant aggregation, in three processes: the sandbox,
 * `mx-lifecycle onboard` (SQLite store on, 32 customers at once, the client's default 10 requests
 * in flight), and the bare script `children/bare.ts` with the same concurrency (32 customers, 10
 * requests) and no durability. The figure is the CPU time of the whole onboarding process ÷ that
 * of the bare one (target ≤ 1.5); the wall-time ratio is printed beside it. Rounds alternate and
 * the least CPU of each side is kept: a neighbour's load only ever adds time.
 *
 * Runs under the bench runner (`npm run bench overhead`), or alone after `npm run build`:
 * `node --import tsx test/bench/overhead.bench.ts`.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Row } from './run.js';
import {
  child, CLI, onboardArgs, onboardEnv, round, runNode, say, scratch, startSandboxProcess, summaryOf, writeCustomers, type ChildRun,
} from './support/processes.js';

const CUSTOMERS = 2_000;
const CONCURRENCY = 32;
/** The client's default `rate.maxConcurrent`, which the CLI uses. */
const REQUESTS_IN_FLIGHT = 10;
const ROUNDS = 3;
const TARGET = 1.5;

async function run(): Promise<Row[]> {
  const work = scratch('overhead');
  const input = join(work.dir, 'customers.jsonl');
  writeCustomers(input, CUSTOMERS, 1);
  const sandbox = await startSandboxProcess(['--aggregation-ms', '0']);
  const ours: ChildRun[] = [];
  const bare: ChildRun[] = [];
  try {
    for (let r = 0; r < ROUNDS; r += 1) {
      await sandbox.reset();
      const bareRun = await runNode(child('bare'), [input, sandbox.url, '--customers', String(CONCURRENCY), '--requests', String(REQUESTS_IN_FLIGHT)], {
        timeoutMs: 300_000,
      }).done;
      const bareResult = JSON.parse(bareRun.stdout.trim()) as { failures: number; requests: number };
      if (bareRun.code !== 0 || bareResult.failures > 0) throw new Error(`the bare script failed: ${bareRun.stderr.slice(0, 300)}`);
      bare.push(bareRun);
      say(`round ${r + 1}: bare ${bareRun.cpuSeconds.toFixed(2)} CPU-s, ${(bareRun.wallMs / 1000).toFixed(1)} s, ${bareResult.requests} requests`);

      await sandbox.reset();
      const dir = scratch('overhead-job');
      try {
        const ourRun = await runNode(CLI, onboardArgs(input, sandbox.url, dir.dir, ['--concurrency', String(CONCURRENCY)]), {
          env: onboardEnv,
          timeoutMs: 300_000,
        }).done;
        const summary = summaryOf(ourRun);
        if (summary.counts.done !== CUSTOMERS) throw new Error(`mx-lifecycle finished ${summary.counts.done} of ${CUSTOMERS} customers`);
        const stats = await sandbox.stats();
        ours.push(ourRun);
        say(`round ${r + 1}: mx-lifecycle ${ourRun.cpuSeconds.toFixed(2)} CPU-s, ${(ourRun.wallMs / 1000).toFixed(1)} s, ${stats.requests} requests`);
      } finally {
        dir.remove();
      }
    }
  } finally {
    await sandbox.stop();
    work.remove();
  }
  const least = (runs: ChildRun[], pick: (r: ChildRun) => number): number => Math.min(...runs.map(pick));
  const cpu = least(ours, (r) => r.cpuSeconds);
  const cpuBare = least(bare, (r) => r.cpuSeconds);
  const wall = least(ours, (r) => r.wallMs) / 1000;
  const wallBare = least(bare, (r) => r.wallMs) / 1000;
  const detail = `${CUSTOMERS} customers × 1 member, ${CONCURRENCY} at once, ${REQUESTS_IN_FLIGHT} requests in flight, least of ${ROUNDS}`;
  return [
    {
      scenario: 'overhead', metric: `CPU of mx-lifecycle onboard (SQLite) vs a bare fetch loop (${detail})`,
      value: round(cpu), baseline: round(cpuBare), ratio: round(cpu / cpuBare), unit: 'CPU-s', target: `ratio <= ${TARGET}`,
      met: cpu / cpuBare <= TARGET,
    },
    {
      scenario: 'overhead', metric: 'wall time of the same runs, spawn to exit',
      value: round(wall), baseline: round(wallBare), ratio: round(wall / wallBare), unit: 's',
    },
  ];
}

export default { name: 'overhead', run };

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const row of await run()) console.log(JSON.stringify(row));
}
