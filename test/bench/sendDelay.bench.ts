/**
 * Send delay: where a second at the API goes over the limit when the client's machine is busy.
 * A bare HTTP server (`children/arrivals.ts`) reads each arrival as the sandbox does, on its own
 * event loop; a sender (`children/sender.ts`) lets 2,400 POSTs go through the library's limiter at
 * 200/s, with two busy loops (`node -e 'for(;;);'`) beside both. Both read the system's monotonic
 * clock, so each request's delay from the moment the limiter let it go to the moment the server
 * read it is known, and the busiest second is counted on both sides.
 *
 * Run twice in the same run: the send window widened by the event loop's lateness (`lagMargin`
 * 1.5, the default) against a fixed 1.02-s window (`lagMargin` 0, the baseline).
 *
 * Runs under the bench runner (`npm run bench send-delay`), or alone after `npm run build`:
 * `node --import tsx test/bench/sendDelay.bench.ts`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { mostInWindow } from '../support/starts.js';
import type { Row } from './run.js';
import { child, compileChildren, round, runNode, say } from './support/processes.js';

const RATE = 200;
const SENDS = 2_400;
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

async function once(margin: number): Promise<Outcome> {
  const server = runNode(child('arrivals'), [], { timeoutMs: 600_000 });
  const port = await new Promise<number>((found) => {
    server.proc.stdout!.once('data', (chunk: Buffer | string) => found(Number(String(chunk).trim())));
  });
  const url = `http://127.0.0.1:${port}`;
  const loops: ChildProcess[] = [0, 1].map(() => spawn(process.execPath, ['-e', 'for(;;);'], { stdio: 'ignore' }));
  let sender;
  try {
    sender = await runNode(child('sender'), [url, String(RATE), String(SENDS), String(margin)], { timeoutMs: 300_000 }).done;
  } finally {
    for (const loop of loops) loop.kill('SIGKILL');
  }
  const dump = (await (await fetch(`${url}/dump`)).json()) as { read: Array<[number, number]>; lateMaxMs: number };
  server.proc.kill('SIGKILL');
  await server.done;
  if (sender.code !== 0) throw new Error(`the sender failed: ${sender.stderr.slice(0, 300)}`);
  const { sent, lateMaxMs } = JSON.parse(sender.stdout.trim().split('\n').at(-1)!) as { sent: number[]; lateMaxMs: number };
  const delays = dump.read.map(([n, at]) => at - sent[n]!).toSorted((a, b) => a - b);
  const spanS = (Math.max(...sent) - Math.min(...sent)) / 1000;
  return {
    sentPeak: mostInWindow(sent, 1_000),
    readPeak: mostInWindow(dump.read.map(([, at]) => at), 1_000),
    delayP99: quantile(delays, 0.99),
    delayMax: delays.at(-1)!,
    clientLateMax: lateMaxMs - RESOLUTION_MS,
    serverLateMax: dump.lateMaxMs - RESOLUTION_MS,
    utilisation: (SENDS - 1) / spanS / RATE,
  };
}

async function run(): Promise<Row[]> {
  await compileChildren();
  const widened = await once(1.5);
  say(`lag margin 1.5: ${JSON.stringify(widened)}`);
  const fixed = await once(0);
  say(`fixed 1.02 s: ${JSON.stringify(fixed)}`);
  const row = (metric: string, pick: (o: Outcome) => number, unit: string, extra: Partial<Row> = {}): Row => ({
    scenario: 'send-delay', metric, value: round(pick(widened), 3), baseline: round(pick(fixed), 3), ratio: round(pick(widened) / pick(fixed), 3), unit, ...extra,
  });
  const what = `${SENDS} sends at ${RATE}/s, two busy loops, window widened by lateness vs fixed 1.02 s`;
  return [
    row(`highest 1-s count read by the server ÷ limit, ${what}`, (o) => o.readPeak / RATE, '×', { target: '<= 1', met: widened.readPeak <= RATE }),
    row('highest 1-s count of the client’s own send times ÷ limit', (o) => o.sentPeak / RATE, '×'),
    row('send-to-read delay, 99th percentile', (o) => o.delayP99, 'ms'),
    row('send-to-read delay, most', (o) => o.delayMax, 'ms'),
    row('client’s event loop, most late', (o) => o.clientLateMax, 'ms'),
    row('server’s event loop, most late', (o) => o.serverLateMax, 'ms'),
    row('utilisation, sends ÷ (span × limit)', (o) => o.utilisation, '×'),
  ];
}

export default { name: 'send-delay', run };

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const row of await run()) console.log(JSON.stringify(row));
}
