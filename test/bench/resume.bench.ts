/**
 * Resume: 10,000 customers in flight, the process killed with SIGKILL, then started again: the time
 * from the restart (spawn) until every one of them is live again in the new process. Target ≤ 2 s.
 * Baseline in the same run: the time from a fresh start until the same 10,000 are live from
 * `pending`.
 *
 * In flight means waiting in a durable backoff: the sandbox (a process of its own) answers every
 * request with a 500, so each customer's user creation waits to retry, for a day, long after the
 * kill. The onboarding process is `children/onboard.ts` (the library as the CLI uses it, concurrency
 * 10,000), which prints the moment all items are live; the CLI prints progress only every 5 s.
 *
 * Runs under the bench runner (`npm run bench resume`), or alone after `npm run build`:
 * `node --import tsx test/bench/resume.bench.ts`.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createSqliteStore } from '../../src/durable/store/index.js';
import type { Row } from './run.js';
import { child, onboardEnv, round, runNode, say, scratch, startSandboxProcess, writeCustomers, type SandboxProcess } from './support/processes.js';

const ITEMS = 10_000;
const DAY_MS = 86_400_000;
const TARGET_MS = 2_000;

interface Start {
  /** Spawn to the child's "live" line, as this process saw it. */
  liveMs: number;
  /** The same moment on the child's own clock (ms since its process started). */
  liveInProcessMs: number;
}

/** Starts the onboarding process and resolves once all items are live (and, if asked, all wait). */
function start(input: string, storePath: string, sandbox: SandboxProcess, until: 'live' | 'waiting') {
  let resolveLive: (start: Start) => void = () => undefined;
  let resolveUntil: () => void = () => undefined;
  const live = new Promise<Start>((resolve) => (resolveLive = resolve));
  const reached = new Promise<void>((resolve) => (resolveUntil = resolve));
  const { proc, done } = runNode(child('onboard'), [input, storePath, sandbox.url, String(ITEMS), '--base-delay-ms', String(DAY_MS)], {
    env: onboardEnv,
    timeoutMs: 180_000,
    onLine: (line, atMs) => {
      if (!line.startsWith('{"event"')) return;
      const message = JSON.parse(line) as { event: string; sinceStartMs: number };
      if (message.event === 'live') resolveLive({ liveMs: atMs, liveInProcessMs: message.sinceStartMs });
      if (message.event === until) resolveUntil();
    },
  });
  const failed = done.then((run) => {
    throw new Error(`the onboarding process ended (${run.signal ?? run.code}) before ${until}: ${run.stderr.slice(-400)}`);
  });
  return {
    live: Promise.race([live, failed]),
    reached: Promise.race([reached, failed]),
    kill: async () => {
      proc.kill('SIGKILL');
      await done;
    },
  };
}

/** How many items the store holds as active with a snapshot that waits to retry. */
async function waitingInStore(storePath: string): Promise<{ active: number; waiting: number }> {
  const store = createSqliteStore({ path: storePath });
  try {
    const items = await store.listItems('resume', { states: ['active'] });
    const waiting = items.filter((item) => JSON.stringify(item.snapshot ?? null).includes('"waitingToRetry"')).length;
    return { active: items.length, waiting };
  } finally {
    await store.close();
  }
}

async function run(): Promise<Row[]> {
  const work = scratch('resume');
  const input = join(work.dir, 'customers.jsonl');
  const storePath = join(work.dir, 'job.sqlite');
  writeCustomers(input, ITEMS, 0);
  const sandbox = await startSandboxProcess(['--faults', '1', '--fault-kinds', 'server_error']);
  try {
    const first = start(input, storePath, sandbox, 'waiting');
    const fresh = await first.live;
    say(`fresh start: ${ITEMS} live ${Math.round(fresh.liveMs)} ms after spawn`);
    await first.reached;
    // The last transitions reach the disk a tick or two later: give the writer a moment, then kill.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    await first.kill();
    const atKill = await waitingInStore(storePath);
    say(`killed with SIGKILL: ${atKill.active} active in the store, ${atKill.waiting} of them waiting to retry`);
    if (atKill.active !== ITEMS) throw new Error(`expected ${ITEMS} active items in the store, found ${atKill.active}`);

    const requestsBefore = (await sandbox.stats()).requests;
    const second = start(input, storePath, sandbox, 'live');
    const resumed = await second.live;
    await new Promise((resolve) => setTimeout(resolve, 500));
    const requestsAfter = (await sandbox.stats()).requests;
    await second.kill();
    say(`restart: ${ITEMS} live ${Math.round(resumed.liveMs)} ms after spawn; ${requestsAfter - requestsBefore} requests re-sent`);

    return [
      {
        scenario: 'resume', metric: `restart after SIGKILL until all ${ITEMS.toLocaleString('en-US')} in-flight items are live, vs fresh start from pending`,
        value: Math.round(resumed.liveMs), baseline: Math.round(fresh.liveMs), ratio: round(resumed.liveMs / fresh.liveMs), unit: 'ms',
        target: `<= ${TARGET_MS}`, met: resumed.liveMs <= TARGET_MS,
      },
      {
        scenario: 'resume', metric: 'the same, on the onboarding process\'s own clock (node start-up included)',
        value: resumed.liveInProcessMs, baseline: fresh.liveInProcessMs, ratio: round(resumed.liveInProcessMs / fresh.liveInProcessMs), unit: 'ms',
      },
      { scenario: 'resume', metric: 'items waiting to retry in the store when killed', value: atKill.waiting, unit: 'items' },
      {
        scenario: 'resume', metric: 'requests sent again from restart until 0.5 s after all were live (restored, not restarted)',
        value: requestsAfter - requestsBefore, unit: 'requests',
      },
    ];
  } finally {
    await sandbox.stop();
    work.remove();
  }
}

export default { name: 'resume', run };

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const row of await run()) console.log(JSON.stringify(row));
}
