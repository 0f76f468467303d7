/**
 * `mx-lifecycle retry` re-opens final customers of a job and runs them again in the same job. With
 * corrected passwords in INPUT, a member MX already has gets them through update member, which
 * aggregates with them (MX Platform API reference, "Update member": "updating a member's
 * credentials ... will trigger an aggregation"), so no second member is ever created.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/durable/store/index.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { cli, customer, readJson, workdir, writeJsonl } from './harness.js';

const KEY = 'sk-planted-retry-4e1d9a';
const CLIENT = 'retry-client';
const CORRECTED = 'Planted-Corrected-8b2f';

let sandbox: Sandbox;
let env: Record<string, string>;
const flags = ['--poll-interval-ms', '100', '--client-id', CLIENT];
beforeAll(async () => {
  sandbox = await startSandbox({ aggregationMs: 100, auth: 'basic', clients: [{ id: CLIENT, key: KEY }] });
  env = { MX_BASE_URL: sandbox.url, MX_API_KEY: KEY };
});
afterAll(async () => {
  await sandbox.close();
});

const membersOf = (prefix: string) => sandbox.state().members.filter((m) => m.id?.startsWith(prefix));

describe('mx-lifecycle retry', () => {
  it('--needs-action with corrected passwords connects every DENIED member, one member each at MX', async () => {
    const dir = workdir();
    const first = writeJsonl(dir, 'cohort.jsonl', [
      customer('r-den-1', ['INVALID']),
      customer('r-den-2', ['password', 'UNAUTHORIZED']),
      customer('r-ok-1', ['password']),
      customer('r-fail-1', ['BAD_REQUEST']),
    ]);
    const onboard = await cli(['onboard', first, ...flags, '--max-attempts', '0', '--json'], { cwd: dir, env });
    expect(onboard.code, onboard.stderr).toBe(1);
    expect(JSON.parse(onboard.stdout).counts).toMatchObject({ done: 1, needsAction: 2, failed: 1 });
    expect(sandbox.state().members.filter((m) => m.id?.startsWith('r-den') && m.connection_status === 'DENIED')).toHaveLength(2);
    const failedGuid = membersOf('r-fail-1')[0]?.guid;

    // The corrected file: new passwords for the denied members, and a customer the job never had.
    const corrected = writeJsonl(dir, 'corrected.jsonl', [
      customer('r-den-1', [CORRECTED]),
      customer('r-den-2', ['password', CORRECTED]),
      customer('r-new-1', ['password']),
    ]);
    // Debug-level JSON logs too: every line they write is searched for the planted secrets below.
    const retry = await cli(['retry', '--job', 'cohort', '--needs-action', corrected, ...flags, '--json', '--log-format', 'json', '--log-level', 'debug'], { cwd: dir, env });
    expect(retry.code, retry.stderr).toBe(1); // r-fail-1 is still failed: the job is not all done
    expect(retry.stderr).toMatch(/job cohort: 2 customers \(needs action\) re-opened/);
    expect(JSON.parse(retry.stdout).counts).toMatchObject({ done: 3, needsAction: 0, failed: 1 });

    // Ground truth: every member connected, exactly one per connection, the same guids as before.
    for (const id of ['r-den-1-m0', 'r-den-2-m0', 'r-den-2-m1']) {
      const at = sandbox.state().members.filter((m) => m.id === id);
      expect(at, id).toHaveLength(1);
      expect(at[0]?.connection_status, id).toBe('CONNECTED');
    }
    expect(sandbox.state().users.filter((u) => u.id === 'r-den-1')).toHaveLength(1);
    // The failed customer was not chosen: untouched. The customer new to INPUT was not onboarded.
    expect(membersOf('r-fail-1').map((m) => m.guid)).toEqual([failedGuid]);
    expect(membersOf('r-new-1')).toHaveLength(0);

    // Secrets: the key and the corrected password are in no output, no store file and no report.
    const files = readdirSync(join(dir, '.mx-lifecycle')).map((f) => readFileSync(join(dir, '.mx-lifecycle', f)).toString('latin1'));
    for (const text of [retry.stdout, retry.stderr, ...files]) {
      expect(text).not.toContain(KEY);
      expect(text).not.toContain(CORRECTED);
    }
    const report = readJson<{ customers: { id: string; state: string }[] }>(join(dir, '.mx-lifecycle/cohort.report.json'));
    expect(report.customers.find((c) => c.id === 'r-den-1')?.state).toBe('done');

    // Nothing is left that needs action: a second retry says so and runs nothing.
    const again = await cli(['retry', '--job', 'cohort', '--needs-action', ...flags], { cwd: dir, env });
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/no customer needs action: nothing to retry/);
  }, 90_000);

  it('without INPUT re-aggregates the members MX has (no second member), and --customer narrows it', async () => {
    const dir = workdir();
    const input = writeJsonl(dir, 'again.jsonl', [customer('r-a-1', ['INVALID']), customer('r-a-2', ['INVALID'])]);
    expect((await cli(['onboard', input, ...flags], { cwd: dir, env })).code).toBe(1);
    const retry = await cli(['retry', '--job', 'again', '--customer', 'r-a-2', ...flags, '--json'], { cwd: dir, env });
    expect(retry.code, retry.stderr).toBe(1);
    expect(retry.stderr).toMatch(/1 customer \(failed or needs action\) re-opened/);
    expect(JSON.parse(retry.stdout).counts).toMatchObject({ needsAction: 2 });
    expect(membersOf('r-a-2')).toHaveLength(1);
    expect(membersOf('r-a-2')[0]?.connection_status).toBe('DENIED');
  }, 60_000);

  it('refuses a customer the job does not have (one line, exit 64, nothing changed) and lists the jobs for a missing one (exit 1)', async () => {
    const dir = workdir();
    const input = writeJsonl(dir, 'typo.jsonl', [customer('r-t-1', ['INVALID'])]);
    expect((await cli(['onboard', input, ...flags], { cwd: dir, env })).code).toBe(1);
    const before = (await cli(['status', '--job', 'typo', '--json'], { cwd: dir })).stdout;
    const requests = sandbox.state().stats.requests;
    const typo = await cli(['retry', '--job', 'typo', '--customer', 'r-t-2', ...flags], { cwd: dir, env });
    expect(typo.code).toBe(64);
    expect(typo.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^mx-lifecycle retry: --customer r-t-2 is not in job typo; nothing was changed/)]);
    expect((await cli(['status', '--job', 'typo', '--json'], { cwd: dir })).stdout).toBe(before);
    expect(sandbox.state().stats.requests).toBe(requests);
    const missing = await cli(['retry', '--job', 'nope', '--store', 'sqlite:.mx-lifecycle/typo.sqlite', ...flags], { cwd: dir, env });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no job nope in sqlite:\.mx-lifecycle\/typo\.sqlite \(jobs there: typo\)/);
    expect(missing.stderr).not.toMatch(/\n\s+at /);
  }, 60_000);

  it('--mfa-wait 0 holds for customers the first run gave a longer wait', async () => {
    const dir = workdir();
    const input = writeJsonl(dir, 'mfawait.jsonl', [customer('r-mfa-1', ['challenge'])]);
    const onboard = await cli(['onboard', input, ...flags, '--mfa-wait', '2s', '--json'], { cwd: dir, env });
    expect(onboard.code, onboard.stderr).toBe(1);
    const summary = JSON.parse(onboard.stdout) as { counts: { needsAction: number }; store: string };
    expect(summary.counts.needsAction).toBe(1);

    const retry = await cli(['retry', '--job', 'mfawait', '--needs-action', ...flags, '--mfa-wait', '0', '--json'], { cwd: dir, env });
    expect(retry.code, retry.stderr).toBe(1);
    expect(JSON.parse(retry.stdout).counts).toMatchObject({ needsAction: 1 });
    // What the retry ran the customer with: the window it was given, not the first run's 2 s.
    const store = openStore(summary.store.replace(/^sqlite:(?!\/)/, `sqlite:${dir}/`));
    try {
      const item = await store.getItem('mfawait', 'r-mfa-1');
      const input = item?.input as { options?: { answerWindowMs?: number } } | undefined;
      expect(input?.options?.answerWindowMs).toBe(0);
    } finally {
      await store.close();
    }
  });
});
