/**
 * An MX outage in the middle of a job is waited out, not turned into a halt: a TCP proxy on
 * loopback between the CLI and the sandbox refuses every connection for 20 s (and resets the open
 * ones) while a 40-customer job runs. MX documents 503 as "the platform is being updated"
 * (docs.mx.com, Platform API errors): a wait of minutes is the expected cure.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { cli, customer, fastFlags, messages, workdir, writeJsonl } from './harness.js';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ aggregationMs: 50, auth: 'basic' });
});
afterAll(async () => {
  await sandbox.close();
});

/** A proxy that forwards to `target` and can refuse connections for a while. */
async function startProxy(target: URL) {
  const sockets = new Set<Socket>();
  let server: Server | null = null;
  let port = 0;
  const listen = () =>
    new Promise<void>((resolve) => {
      server = createServer((client) => {
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
