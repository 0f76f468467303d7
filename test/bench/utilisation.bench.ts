/**
 * Utilisation: how close an onboarding job runs to the API's rate limit. 2,000 customers × 1
 * member against a sandbox limited to 200 requests/s (a token bucket, burst 200), instant
 * aggregation, no faults, in a process of its own. `mx-lifecycle onboard --rate 200` (32 customers
 * at once) against the baseline of issue 9: a plain loop with `p-limit(32)` making the same calls
 * with a retry that honours Retry-After (`children/bare.ts`).
 *
 * The figure is makespan ÷ (requests made ÷ 200): 1.0 is every second of the job spent at the
 * limit (the bucket's initial burst can take it a little under). Target ≤ 1.05 with 429s under 1 %
 * of requests. Makespan is each program's own job time: the CLI's summary `durationMs` (input read,
 * job run, report written) and the bare loop's input-to-last-response time; node's start-up is in
 * neither.
 *
 * Runs under the bench runner (`npm run bench utilisation`), or alone after `npm run build`:
 * `node --import tsx test/bench/utilisation.bench.ts`.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Row } from './run.js';
import {
  child, CLI, onboardArgs, onboardEnv, round, runNode, say, scratch, startSandboxProcess, summaryOf, writeCustomers,
  type SandboxStatsView,
} from './support/processes.js';

const CUSTOMERS = 2_000;
const LIMIT = 200;
const CONCURRENCY = 32;
const TARGET = 1.05;
const MAX_429_SHARE = 0.01;

interface Outcome {
  makespanS: number;
  stats: SandboxStatsView;
  /** makespan ÷ (requests ÷ limit). */
  ratio: number;
}

const outcomeOf = (makespanMs: number, stats: SandboxStatsView): Outcome => ({
  makespanS: makespanMs / 1000,
  stats,
  ratio: makespanMs / 1000 / (stats.requests / LIMIT),
});

async function run(): Promise<Row[]> {
  const work = scratch('utilisation');
  const input = join(work.dir, 'customers.jsonl');
  writeCustomers(input, CUSTOMERS, 1);
  const sandbox = await startSandboxProcess(['--aggregation-ms', '0', '--rate-limit', String(LIMIT)]);
  let ours: Outcome;
  let bare: Outcome;
  try {
    const jobDir = join(work.dir, 'job');
    const ourRun = await runNode(CLI, onboardArgs(input, sandbox.url, jobDir, ['--rate', String(LIMIT), '--concurrency', String(CONCURRENCY)]), {
      env: onboardEnv,
      timeoutMs: 240_000,
    }).done;
    const summary = summaryOf(ourRun);
    if (summary.counts.done !== CUSTOMERS) throw new Error(`mx-lifecycle finished ${summary.counts.done} of ${CUSTOMERS} customers`);
    ours = outcomeOf(summary.durationMs, await sandbox.stats());
    say(`mx-lifecycle: ${ours.makespanS.toFixed(1)} s, ${ours.stats.requests} requests, ${ours.stats.rateLimited} 429s, peak ${ours.stats.maxObservedRate}/s`);

    // A reset also empties the rate buckets: the baseline starts with the same full burst.
    await sandbox.reset();
    const bareRun = await runNode(child('bare'), [input, sandbox.url, '--customers', String(CONCURRENCY)], { timeoutMs: 300_000 }).done;
    const bareResult = JSON.parse(bareRun.stdout.trim()) as { failures: number; makespanMs: number };
    if (bareRun.code !== 0 || bareResult.failures > 0) throw new Error(`the bare loop failed: ${bareRun.stderr.slice(0, 300)}`);
    bare = outcomeOf(bareResult.makespanMs, await sandbox.stats());
    say(`p-limit(${CONCURRENCY}) loop: ${bare.makespanS.toFixed(1)} s, ${bare.stats.requests} requests, ${bare.stats.rateLimited} 429s`);
  } finally {
    await sandbox.stop();
    work.remove();
  }
  const share = (o: Outcome): number => o.stats.rateLimited / o.stats.requests;
  const detail = `${CUSTOMERS} customers × 1 member, sandbox at ${LIMIT}/s`;
  return [
    {
      scenario: 'utilisation', metric: `makespan ÷ (requests ÷ ${LIMIT}/s), --rate ${LIMIT} vs p-limit(${CONCURRENCY}) + Retry-After (${detail})`,
      value: round(ours.ratio, 3), baseline: round(bare.ratio, 3), ratio: round(ours.ratio / bare.ratio, 3), unit: '×',
      target: `<= ${TARGET}`, met: ours.ratio <= TARGET && share(ours) < MAX_429_SHARE,
    },
    { scenario: 'utilisation', metric: 'makespan', value: round(ours.makespanS, 1), baseline: round(bare.makespanS, 1), ratio: round(ours.makespanS / bare.makespanS), unit: 's' },
    { scenario: 'utilisation', metric: 'requests made (429s included)', value: ours.stats.requests, baseline: bare.stats.requests, unit: 'requests' },
    {
      scenario: 'utilisation', metric: '429 responses', value: ours.stats.rateLimited, baseline: bare.stats.rateLimited, unit: '429s',
      target: `< ${MAX_429_SHARE * 100} % of requests`, met: share(ours) < MAX_429_SHARE,
    },
    { scenario: 'utilisation', metric: 'highest rate in any 1-s window', value: ours.stats.maxObservedRate, baseline: bare.stats.maxObservedRate, unit: 'req/s' },
  ];
}

export default { name: 'utilisation', run };

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const row of await run()) console.log(JSON.stringify(row));
}
