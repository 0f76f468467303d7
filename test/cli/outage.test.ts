/**
 * An MX outage is waited out, not turned into a halt: a TCP proxy on loopback between the CLI and
 * the sandbox refuses every connection for 20 s (and resets the open ones) while a 40-customer job
 * runs, or resets every connection for the first 20 s of a job. MX documents 503 as "the platform
 * is being updated" (docs.mx.com, Platform API errors): a wait of minutes is the expected cure.
 * An outage longer than --outage-budget ends the run with exit 2, the outage named, and a report.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { cli, customer, fastFlags, freePort, messages, readJson, workdir, writeJsonl } from './harness.js';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ aggregationMs: 50, auth: 'basic' });
});
afterAll(async () => {
  await sandbox.close();
});

/**
 * A proxy that forwards to `target` and can refuse connections for a while. Started `down`, it
 * resets the first connection, notes when it came, and stops listening: every later one is refused
 * until `up()`.
 */
async function startProxy(target: URL, options: { down?: boolean } = {}) {
  const sockets = new Set<Socket>();
  let server: Server | null = null;
  let port = 0;
  let down = options.down === true;
  let firstResetAt = 0;
  const listen = () =>
    new Promise<void>((resolve) => {
      server = createServer((client) => {
        if (down) {
          firstResetAt ||= Date.now();
          client.on('error', () => undefined).resetAndDestroy();
          server?.close();
          return;
        }
        const upstream = connect(Number(target.port), target.hostname);
        sockets.add(client).add(upstream);
        const drop = () => {
          client.destroy();
          upstream.destroy();
          sockets.delete(client);
          sockets.delete(upstream);
        };
        client.on('error', drop).on('close', drop);
        upstream.on('error', drop).on('close', drop);
        client.pipe(upstream).pipe(client);
      });
      server.listen(port, '127.0.0.1', () => {
        port = (server!.address() as { port: number }).port;
        resolve();
      });
    });
  await listen();
  return {
    url: () => `http://127.0.0.1:${port}`,
    /** Closes the listener (connections are refused) and resets every open connection. */
    async refuse() {
      const closing = new Promise((resolve) => server?.close(resolve));
      for (const socket of sockets) socket.resetAndDestroy();
      sockets.clear();
      await closing;
    },
    accept: listen,
    /** Listens and forwards again after `down`. */
    up: async () => {
      down = false;
      await listen();
    },
    firstResetAt: () => firstResetAt,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server?.close(resolve));
    },
  };
}

it('waits out a 20-s refusal in the middle of a 40-customer job: 0 failed, one user and one member each', { timeout: 150_000 }, async () => {
  const proxy = await startProxy(new URL(sandbox.url));
  const dir = workdir();
  const input = writeJsonl(dir, 'outage.jsonl', Array.from({ length: 40 }, (_, i) => customer(`outage-${i}`, ['password'])));
  const env = { MX_BASE_URL: proxy.url(), MX_API_KEY: 'sandbox-key' };
  const run = cli(['onboard', input, ...fastFlags, '--rate', '15', '--concurrency', '8', '--json'], { cwd: dir, env, timeoutMs: 140_000 });
  const users = () => sandbox.state().users.filter((u) => u.id?.startsWith('outage-'));
  while (users().length < 10) await new Promise((resolve) => setTimeout(resolve, 50));
  await proxy.refuse();
  const refusedAt = Date.now();
  const createdBefore = users().length;
  await new Promise((resolve) => setTimeout(resolve, 20_000));
  await proxy.accept();
  const result = await run;
  await proxy.close();
  process.stdout.write(`outage: refused for ${Date.now() - refusedAt} ms after ${createdBefore} users; exit ${result.code}\n`);
  expect(result.code, result.stderr).toBe(0);
  const summary = JSON.parse(result.stdout) as { counts: Record<string, number> };
  expect(summary.counts).toMatchObject({ done: 40, failed: 0, needsAction: 0 });
  const truth = sandbox.state();
  for (let i = 0; i < 40; i += 1) {
    expect(truth.users.filter((u) => u.id === `outage-${i}`)).toHaveLength(1);
    expect(truth.members.filter((m) => m.id === `outage-${i}-m0`)).toHaveLength(1);
  }
  // The pause was shown while it lasted (JSON progress lines off a terminal).
  expect(result.stderr).toMatch(/"outage":\{"waitedSeconds":\d+,"budgetSeconds":900/);
});

it('still halts once, at once, on a wrong key', async () => {
  const dir = workdir();
  const input = writeJsonl(dir, 'badkey.jsonl', Array.from({ length: 10 }, (_, i) => customer(`badkey-${i}`, ['password'])));
  const started = Date.now();
  const result = await cli(['onboard', input, ...fastFlags], { cwd: dir, env: { MX_BASE_URL: sandbox.url, MX_API_KEY: 'wrong-key' } });
  expect(result.code, result.stderr).toBe(2);
  expect(Date.now() - started).toBeLessThan(20_000);
  expect(messages(result.stderr).filter((line) => /refused the API key/.test(line))).toHaveLength(1);
});

it('waits out a 20-s outage from the start of a job with the default budget: one user and one member each', { timeout: 150_000 }, async () => {
  const proxy = await startProxy(new URL(sandbox.url), { down: true });
  const dir = workdir();
  const input = writeJsonl(dir, 'early.jsonl', Array.from({ length: 3 }, (_, i) => customer(`early-${i}`, ['password'])));
  const env = { MX_BASE_URL: proxy.url(), MX_API_KEY: 'sandbox-key' };
  // One customer at a time: when it halts, every live customer of the run is paused (with more,
  // another one's retry timer may happen to hold the process open).
  const run = cli(['onboard', input, ...fastFlags, '--concurrency', '1', '--json'], { cwd: dir, env, timeoutMs: 140_000 });
  const child = { ended: false };
  void run.then(() => (child.ended = true), () => (child.ended = true));
  while (proxy.firstResetAt() === 0 && !child.ended) await new Promise((resolve) => setTimeout(resolve, 20));
  while (Date.now() - proxy.firstResetAt() < 20_000 && !child.ended) await new Promise((resolve) => setTimeout(resolve, 100));
  await proxy.up();
  const result = await run;
  await proxy.close();
  process.stdout.write(`outage from the start: 20 s refused, exit ${result.code} after ${Date.now() - proxy.firstResetAt()} ms\n`);
  // Before, the process ended here with exit 0, no summary and no customer at MX: nothing held it
  // open while every customer was paused.
  expect([0, 1], result.stderr).toContain(result.code);
  const summary = JSON.parse(result.stdout) as { result: string; counts: Record<string, number> };
  expect(summary.result).toBe('finished');
  expect(summary.counts).toMatchObject({ pending: 0, active: 0, halted: 0 });
  const truth = sandbox.state();
  for (let i = 0; i < 3; i += 1) {
    expect(truth.users.filter((u) => u.id === `early-${i}`)).toHaveLength(1);
    expect(truth.members.filter((m) => m.id === `early-${i}-m0`)).toHaveLength(1);
  }
  expect(result.stderr).toMatch(/"outage":\{"waitedSeconds":\d+,"budgetSeconds":900/);
});

it('ends an outage longer than --outage-budget 30s with exit 2, the outage named, and a report', { timeout: 120_000 }, async () => {
  const dir = workdir();
  const input = writeJsonl(dir, 'refused.jsonl', [customer('refused-0', ['password'])]);
  // Nothing listens on this port: every connection is refused from the first request.
  const env = { MX_BASE_URL: `http://127.0.0.1:${await freePort()}`, MX_API_KEY: 'sandbox-key' };
  const result = await cli(['onboard', input, ...fastFlags, '--outage-budget', '30s', '--json'], { cwd: dir, env, timeoutMs: 110_000 });
  expect(result.code, result.stderr).toBe(2);
  const summary = JSON.parse(result.stdout) as { result: string; durationMs: number; report: string; halt: { message: string } };
  process.stdout.write(`refused from the start, --outage-budget 30s: exit ${result.code} after ${summary.durationMs} ms of run\n`);
  expect(summary.result).toBe('halted');
  // The budget counts from the first refused request: the run ends when it is spent, not a
  // round of retries later (liveness bounds, generous for a loaded machine).
  expect(summary.durationMs).toBeGreaterThanOrEqual(29_000);
  expect(summary.durationMs).toBeLessThan(45_000);
  expect(messages(result.stderr)).toEqual([
    expect.stringMatching(/^mx-lifecycle onboard: MX could not be reached at http:\/\/127\.0\.0\.1:\d+ for 3\d s, longer than the 30 s outage budget \(--outage-budget\): no connection \(.*ECONNREFUSED/),
  ]);
  const report = readJson<{ result: string; halt: { message: string; error: { kind: string } } }>(join(dir, summary.report));
  expect(report.result).toBe('halted');
  expect(report.halt.error.kind).toBe('unavailable');
  expect(report.halt.message).toBe(summary.halt.message);
});
