/**
 * Send delay: where a second at the API goes over the limit when the client's machine is busy.
 * A bare HTTP server (`children/arrivals.ts`) reads each arrival as the sandbox does, on its own
 * event loop; a sender (`children/sender.ts`) lets 2,400 POSTs go through the library's limiter at
 * 200/s, with two busy loops (`node -e 'for(;;);'`) beside both. Both read the system's monotonic
 * clock, so each request's delay from the moment the limiter let it go to the moment the server
 * read it is known, and the busiest second is counted on both sides.
 *
 * Each case runs with the send window widened by the event loop's lateness (`lagMargin` 1.5, the
 * default) against a fixed 1.02-s window (`lagMargin` 0, the baseline), in the same run: one
 * sender with the busy loops; one sender without them; three senders sharing 60/s through Redis
 * (720 sends), without the busy loops, for the shared utilisation, sends ÷ (span × limit).
 *
 * Runs under the bench runner (`npm run bench send-delay`), or alone after `npm run build`:
 * `node --import tsx test/bench/sendDelay.bench.ts`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { findOnPath, startRedis, type StartedService } from '../support/services/redis.js';
import { mostInWindow } from '../support/starts.js';
import type { Row } from './run.js';
import { child, compileChildren, round, runNode, say } from './support/processes.js';

const RATE = 200;
const SENDS = 2_400;
const SHARED_RATE = 60;
const WORKERS = 3;
const WORKER_SENDS = 240;
/** monitorEventLoopDelay's figures include its own 10-ms sampling interval. */
const RESOLUTION_MS = 10;

interface Outcome {
  /** Most sends in any 1 s of the client's own send times, and of the server's reads. */
  sentPeak: number;
  readPeak: number;
  delayP99: number;
  delayMax: number;
  clientLateMax: number;
  serverLateMax: number;
  utilisation: number;
}

const quantile = (sorted: number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;

interface Case {
  margin: number;
  busy: boolean;
  rate: number;
  /** Senders and sends each; more than one share the limit through `redis`. */
  senders: number;
  sends: number;
  redis?: string;
}

async function once(c: Case): Promise<Outcome> {
  const server = runNode(child('arrivals'), [], { timeoutMs: 600_000 });
  const port = await new Promise<number>((found) => {
    server.proc.stdout!.once('data', (chunk: Buffer | string) => found(Number(String(chunk).trim())));
  });
  const url = `http://127.0.0.1:${port}`;
  const loops: ChildProcess[] = c.busy ? [0, 1].map(() => spawn(process.execPath, ['-e', 'for(;;);'], { stdio: 'ignore' })) : [];
  const id = `send-delay-${process.pid}-${performance.now()}`;
  const shared = c.redis ? [c.redis, id] : [];
  let senders;
  try {
    senders = await Promise.all(
      Array.from({ length: c.senders }, () => runNode(child('sender'), [url, String(c.rate), String(c.sends), String(c.margin), ...shared], { timeoutMs: 300_000 }).done),
    );
  } finally {
    for (const loop of loops) loop.kill('SIGKILL');
  }
  const dump = (await (await fetch(`${url}/dump`)).json()) as { read: Array<[number, number]>; lateMaxMs: number };
  server.proc.kill('SIGKILL');
  await server.done;
  const failed = senders.find((s) => s.code !== 0);
  if (failed) throw new Error(`a sender failed: ${failed.stderr.slice(0, 300)}`);
  const outputs = senders.map((s) => JSON.parse(s.stdout.trim().split('\n').at(-1)!) as { sent: number[]; lateMaxMs: number });
  // Each sender numbers its own sends: the server's reads are matched to the sender by order of
  // the numbers only in one-sender cases, so delays are given for those.
  const sent = outputs.flatMap((o) => o.sent);
  const delays = c.senders === 1 ? dump.read.map(([n, at]) => at - outputs[0]!.sent[n]!).toSorted((a, b) => a - b) : [Number.NaN];
  const spanS = (Math.max(...sent) - Math.min(...sent)) / 1000;
  return {
    sentPeak: mostInWindow(sent, 1_000),
    readPeak: mostInWindow(dump.read.map(([, at]) => at), 1_000),
    delayP99: quantile(delays, 0.99),
    delayMax: delays.at(-1)!,
    clientLateMax: Math.max(...outputs.map((o) => o.lateMaxMs)) - RESOLUTION_MS,
    serverLateMax: dump.lateMaxMs - RESOLUTION_MS,
    utilisation: (sent.length - 1) / spanS / c.rate,
  };
}

async function run(): Promise<Row[]> {
  await compileChildren();
  const external = process.env.MX_LIFECYCLE_TEST_REDIS;
  const binary = findOnPath('redis-server');
  if (!external && !binary) throw new Error('the shared case needs redis-server on the PATH or MX_LIFECYCLE_TEST_REDIS');
  const redis: StartedService | null = external ? null : await startRedis(binary!);
  const one = { rate: RATE, senders: 1, sends: SENDS };
  const three = { rate: SHARED_RATE, senders: WORKERS, sends: WORKER_SENDS, redis: external ?? redis!.url };
  const results: Record<string, { widened: Outcome; fixed: Outcome }> = {};
  try {
    for (const [name, base, busy] of [['busy', one, true], ['quiet', one, false], ['shared', three, false]] as const) {
      const widened = await once({ ...base, busy, margin: 1.5 });
      const fixed = await once({ ...base, busy, margin: 0 });
      results[name] = { widened, fixed };
      say(`${name}, lag margin 1.5: ${JSON.stringify(widened)}`);
      say(`${name}, fixed 1.02 s: ${JSON.stringify(fixed)}`);
    }
  } finally {
    await redis?.stop();
  }
  const row = (name: string, metric: string, pick: (o: Outcome) => number, unit: string, extra: Partial<Row> = {}): Row => {
    const { widened, fixed } = results[name]!;
    return {
      scenario: 'send-delay', metric, value: round(pick(widened), 3), baseline: round(pick(fixed), 3), ratio: round(pick(widened) / pick(fixed), 3), unit, ...extra,
    };
  };
  const busy = results.busy!.widened;
  return [
    row('busy', `highest 1-s count read by the server ÷ limit, ${SENDS} sends at ${RATE}/s, two busy loops, window widened by lateness vs fixed 1.02 s`,
      (o) => o.readPeak / RATE, '×', { target: '<= 1', met: busy.readPeak <= RATE }),
    row('busy', 'the same, of the client’s own send times', (o) => o.sentPeak / RATE, '×'),
    row('busy', 'send-to-read delay, 99th percentile', (o) => o.delayP99, 'ms'),
    row('busy', 'send-to-read delay, most', (o) => o.delayMax, 'ms'),
    row('busy', 'client’s event loop, most late', (o) => o.clientLateMax, 'ms'),
    row('busy', 'server’s event loop, most late', (o) => o.serverLateMax, 'ms'),
    row('busy', 'utilisation, sends ÷ (span × limit)', (o) => o.utilisation, '×'),
    row('quiet', `without the busy loops: highest 1-s count read by the server ÷ limit`, (o) => o.readPeak / RATE, '×'),
    row('quiet', 'without the busy loops: utilisation', (o) => o.utilisation, '×'),
    row('shared', `${WORKERS} senders sharing ${SHARED_RATE}/s through Redis, no busy loops: highest 1-s count read ÷ limit`, (o) => o.readPeak / SHARED_RATE, '×'),
    row('shared', `${WORKERS} senders sharing ${SHARED_RATE}/s: utilisation, sends ÷ (span × limit)`, (o) => o.utilisation, '×',
      { target: '>= 0.97 (quiet machine)', met: results.shared!.widened.utilisation >= 0.97 }),
  ];
}

export default { name: 'send-delay', run };

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const row of await run()) console.log(JSON.stringify(row));
}
