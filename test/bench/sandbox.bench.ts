/**
 * Sandbox throughput: `GET /users/{guid}` with latency 0, faults and rate limit off, against a
 * bare node:http hello server measured the same way in the same run. The servers run in this
 * process; the load comes from a child process (this file, run with `loadgen`), so each side has
 * a core of its own. Rounds alternate between the two servers and the median is kept, so a
 * neighbour's burst of CPU does not land on one side only.
 *
 * Runs under the bench runner (`npm run bench sandbox`), or alone:
 * `node --import tsx test/bench/sandbox.bench.ts`.
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startSandbox } from '../../src/sandbox/index.js';
import type { Row } from './run.js';

const CONNECTIONS = 64;
const ROUNDS = 3;
const SECONDS = 4;
const WARMUP_SECONDS = 1;
const TARGET = 5_000;

interface LoadResult {
  requests: number;
  seconds: number;
  rps: number;
  errors: number;
  unexpected: number;
  p50Ms: number;
  p99Ms: number;
}

/** The child side: hammer one URL with CONNECTIONS keep-alive connections, print one JSON line. */
async function loadgen(): Promise<void> {
  const { Pool } = await import('undici');
  const target = new URL(process.env.BENCH_URL ?? '');
  const headers = JSON.parse(process.env.BENCH_HEADERS ?? '{}') as Record<string, string>;
  const seconds = Number(process.env.BENCH_SECONDS);
  const pool = new Pool(target.origin, { connections: CONNECTIONS, pipelining: 1, keepAliveTimeout: 30_000 });
  const latencies: number[] = [];
  let requests = 0;
  let errors = 0;
  let unexpected = 0;
  const warmEnd = performance.now() + WARMUP_SECONDS * 1000;
  const end = warmEnd + seconds * 1000;
  const worker = async (): Promise<void> => {
    for (let now = performance.now(); now < end; now = performance.now()) {
      try {
        const { statusCode, body } = await pool.request({ path: target.pathname, method: 'GET', headers });
        await body.dump();
        const done = performance.now();
        if (done >= warmEnd && done < end) {
          requests++;
          if (statusCode !== 200) unexpected++;
          if ((requests & 15) === 0) latencies.push(done - now);
        }
      } catch {
        errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: CONNECTIONS }, worker));
  await pool.close();
  latencies.sort((a, b) => a - b);
  const at = (q: number): number => Number((latencies[Math.floor(q * (latencies.length - 1))] ?? 0).toFixed(2));
  const result: LoadResult = { requests, seconds, rps: Math.round(requests / seconds), errors, unexpected, p50Ms: at(0.5), p99Ms: at(0.99) };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

/** Runs the load generator in a child process against `url`; the server stays in this one. */
function load(url: string, headers: Record<string, string>): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), 'loadgen'], {
      // Headers (a sandbox token) go by environment, not argv, so `ps` does not show them.
      env: { ...process.env, BENCH_URL: url, BENCH_HEADERS: JSON.stringify(headers), BENCH_SECONDS: String(SECONDS) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`load generator exited with ${code}`));
      try {
        resolve(JSON.parse(out.trim().split('\n').at(-1) ?? '') as LoadResult);
      } catch (e) {
        reject(e instanceof Error ? e : new Error(String(e)));
      }
    });
  });
}

const median = (xs: number[]): number => {
  const s = xs.toSorted((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
};

async function run(): Promise<Row[]> {
  const hello = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('hello world');
  });
  await new Promise<void>((resolve) => hello.listen(0, '127.0.0.1', resolve));
  const helloUrl = `http://127.0.0.1:${(hello.address() as AddressInfo).port}/`;
  // The sandbox's defaults, as MX Platform: Basic auth and a version on every request.
  const sandbox = await startSandbox({ latencyMs: 0, faults: 0, rateLimit: 0 });
  try {
    const basic = `Basic ${Buffer.from('sandbox-client:sandbox-key').toString('base64')}`;
    const headers = { authorization: basic, accept: 'application/json', 'accept-version': 'v20250224' };
    const created = await fetch(`${sandbox.url}/users`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ user: { id: 'bench-user', email: 'bench@example.com', metadata: '{"tier":"gold"}' } }),
    });
    if (created.status !== 200 && created.status !== 201) throw new Error(`the sandbox answered ${created.status} to the user's create: ${await created.text()}`);
    const guid = ((await created.json()) as { user: { guid: string } }).user.guid;
    const sandboxUrl = `${sandbox.url}/users/${guid}`;

    const bare: LoadResult[] = [];
    const api: LoadResult[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      bare.push(await load(helloUrl, {}));
      api.push(await load(sandboxUrl, headers));
    }
    const problems = api.reduce((n, r) => n + r.errors + r.unexpected, 0);
    if (problems > 0) throw new Error(`${problems} sandbox requests failed or were not 200`);
    const value = median(api.map((r) => r.rps));
    const baseline = median(bare.map((r) => r.rps));
    const detail = `${CONNECTIONS} connections, ${ROUNDS} × ${SECONDS} s, median`;
    return [
      {
        scenario: 'sandbox', metric: `GET /users/{guid} throughput vs node:http hello (${detail})`, value, baseline,
        ratio: Number((value / baseline).toFixed(2)), unit: 'req/s', target: `>= ${TARGET}`, met: value >= TARGET,
      },
      {
        scenario: 'sandbox', metric: 'GET /users/{guid} p99 latency vs hello', value: median(api.map((r) => r.p99Ms)),
        baseline: median(bare.map((r) => r.p99Ms)),
        ratio: Number((median(api.map((r) => r.p99Ms)) / Math.max(0.01, median(bare.map((r) => r.p99Ms)))).toFixed(2)), unit: 'ms',
      },
    ];
  } finally {
    await sandbox.close();
    hello.closeAllConnections();
    await new Promise((resolve) => hello.close(resolve));
  }
}

export default { name: 'sandbox', run };

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  if (process.argv[2] === 'loadgen') await loadgen();
  else for (const row of await run()) console.log(JSON.stringify(row));
}
