/**
 * `mx-lifecycle cancel` from a second process stops a job that another process is running: the
 * store is the channel between them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { cli, customer, fastFlags, readJson, workdir, writeJsonl } from './harness.js';
import { join } from 'node:path';

let sandbox: Sandbox;
let env: Record<string, string>;
beforeAll(async () => {
  // `slow` stays DELAYED for a minute: without a cancel the job would run that long.
  sandbox = await startSandbox({ aggregationMs: 100, auth: 'basic', slowMs: 60_000 });
  env = { MX_BASE_URL: sandbox.url, MX_API_KEY: 'sandbox-key' };
});
afterAll(async () => {
  await sandbox.close();
});

const until = async (check: () => boolean, ms = 20_000) => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
};

describe('mx-lifecycle cancel', () => {
  it('stops a job running in another process within 10 s, its open customers cancelled', async () => {
    const dir = workdir();
    const input = writeJsonl(dir, 'slow.jsonl', [
      customer('fast-1', ['password']),
      ...Array.from({ length: 5 }, (_, i) => customer(`slow-${i + 1}`, ['slow'])),
    ]);
    const running = cli(['onboard', input, ...fastFlags, '--concurrency', '3', '--json'], { cwd: dir, env, timeoutMs: 60_000 });
    await until(() => sandbox.state().members.some((m) => m.id === 'fast-1-m0' && m.connection_status === 'CONNECTED')
      && sandbox.state().members.filter((m) => m.id?.startsWith('slow-')).length >= 2);
    await new Promise((r) => setTimeout(r, 500));

    const startedAt = Date.now();
    const cancel = await cli(['cancel', '--job', 'slow'], { cwd: dir });
    expect(cancel.code, cancel.stderr).toBe(0);
    expect(cancel.stdout).toMatch(/job slow: 5 customers cancelled, 1 already final/);
    const result = await running;
    const stoppedMs = Date.now() - startedAt;
    expect(stoppedMs).toBeLessThan(10_000);
    expect(result.code).toBe(1);
    const summary = JSON.parse(result.stdout) as { counts: Record<string, number> };
    expect(summary.counts).toMatchObject({ done: 1, cancelled: 5, pending: 0, active: 0 });

    const status = await cli(['status', '--job', 'slow', '--json'], { cwd: dir });
    expect((JSON.parse(status.stdout) as { counts: Record<string, number> }).counts).toMatchObject({ done: 1, cancelled: 5 });
    const report = readJson<{ customers: { id: string; state: string }[] }>(join(dir, '.mx-lifecycle/slow.report.json'));
    expect(report.customers.filter((c) => c.state === 'cancelled').map((c) => c.id).toSorted()).toEqual(['slow-1', 'slow-2', 'slow-3', 'slow-4', 'slow-5']);
    // Nothing is left to cancel the second time, and nothing changes.
    const again = await cli(['cancel', '--job', 'slow'], { cwd: dir });
    expect(again.stdout).toMatch(/0 customers cancelled, 6 already final/);
    console.log(`cancel: the running job stopped ${stoppedMs} ms after cancel was started`);
  }, 60_000);

  it('refuses a customer the job does not have (exit 64, nothing changed) and names the jobs when the job is missing (exit 1)', async () => {
    const dir = workdir();
    const input = writeJsonl(dir, 'small.jsonl', [customer('small-1', ['slow'])]);
    const running = cli(['onboard', input, ...fastFlags, '--json'], { cwd: dir, env, timeoutMs: 60_000 });
    await until(() => sandbox.state().members.some((m) => m.id === 'small-1-m0'));
    const typo = await cli(['cancel', '--job', 'small', '--customer', 'smal-1'], { cwd: dir });
    expect(typo.code).toBe(64);
    expect(typo.stderr.trim().split('\n')).toHaveLength(1);
    expect(typo.stderr).toMatch(/--customer smal-1 is not in job small; nothing was changed/);
    const missing = await cli(['cancel', '--job', 'nope', '--store', 'sqlite:.mx-lifecycle/small.sqlite'], { cwd: dir });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no job nope in sqlite:\.mx-lifecycle\/small\.sqlite \(jobs there: small\)/);
    const one = await cli(['cancel', '--job', 'small', '--customer', 'small-1'], { cwd: dir });
    expect(one.stdout).toMatch(/1 customer cancelled/);
    expect((await running).code).toBe(1);
  }, 60_000);
});
