import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { cli, customer, fastFlags, readJson, workdir, writeJsonl } from './harness.js';

let sandbox: Sandbox;
let env: Record<string, string>;
beforeAll(async () => {
  sandbox = await startSandbox({ aggregationMs: 100, auth: 'basic' });
  env = { MX_BASE_URL: sandbox.url, MX_API_KEY: 'sandbox-key' };
});
afterAll(async () => {
  await sandbox.close();
});

interface Report {
  kind: string;
  summary: Record<string, number>;
  customers: { id: string; state: string; reason: string }[];
}

describe('mx-lifecycle offboard', () => {
  it('deletes the members and users of the listed customers, and running it again is fine', async () => {
    const dir = workdir();
    const ids = ['off-1', 'off-2', 'off-3'];
    const input = writeJsonl(dir, 'leavers.jsonl', [customer('off-1', ['password', 'password']), customer('off-2', ['password']), customer('off-3', [])]);
    const onboarded = await cli(['onboard', input, ...fastFlags], { cwd: dir, env });
    expect(onboarded.code, onboarded.stderr).toBe(0);
    const ours = () => ({
      users: sandbox.state().users.filter((u) => ids.includes(String(u.id))),
      members: sandbox.state().members.filter((m) => String(m.id).startsWith('off-')),
    });
    expect(ours().users).toHaveLength(3);
    expect(ours().members).toHaveLength(3);

    const offboarded = await cli(['offboard', input, ...fastFlags], { cwd: dir, env });
    expect(offboarded.code, offboarded.stderr).toBe(0);
    expect(offboarded.stdout).toMatch(/job leavers-offboard \(offboard\) finished/);
    expect(offboarded.stdout).toMatch(/3 customers: 3 removed, 0 not found at MX, 0 need action, 0 failed/);
    expect(ours()).toEqual({ users: [], members: [] });
    const report = readJson<Report>(join(dir, '.mx-lifecycle/leavers-offboard.report.json'));
    expect(report.kind).toBe('offboard');
    expect(report.customers.find((c) => c.id === 'off-1')?.reason).toBe('user and 2 member(s) deleted');

    // The same command again: the job is finished, nothing more to do.
    const again = await cli(['offboard', input, ...fastFlags], { cwd: dir, env });
    expect(again.code, again.stderr).toBe(0);
    // A new job over the same customers finds no user at MX: nothing to delete, but MX has no such
    // ids any more, which is reported apart from "removed" and exits 1 (it could be a typo).
    const fresh = await cli(['offboard', input, ...fastFlags, '--job', 'leavers-again', '--json'], { cwd: dir, env });
    expect(fresh.code, fresh.stderr).toBe(1);
    expect(JSON.parse(fresh.stdout)).toMatchObject({ kind: 'offboard', result: 'finished', counts: { done: 3, failed: 0 }, notFoundAtMx: 3 });
    const freshReport = readJson<Report>(join(dir, '.mx-lifecycle/leavers-again.report.json'));
    expect(freshReport.customers.map((c) => c.reason)).toEqual(['not found at MX', 'not found at MX', 'not found at MX']);
  });

  it('reports ids MX never had as "not found at MX", apart from the removed, and exits 1', async () => {
    const dir = workdir();
    const onboardInput = writeJsonl(dir, 'staff.jsonl', [customer('nf-1', ['password']), customer('nf-2', [])]);
    expect((await cli(['onboard', onboardInput, ...fastFlags], { cwd: dir, env })).code).toBe(0);
    // A leavers list with a typo: nf-3 was never onboarded.
    const leavers = writeJsonl(dir, 'leavers.jsonl', [customer('nf-1', []), customer('nf-3', []), customer('nf-2', [])]);
    const result = await cli(['offboard', leavers, ...fastFlags], { cwd: dir, env });
    expect(result.code, result.stderr).toBe(1);
    expect(result.stdout).toMatch(/3 customers: 2 removed, 1 not found at MX, 0 need action, 0 failed/);
    expect(result.stdout).toMatch(/not found at MX \(check these ids\):\n\s+nf-3\s+not found at MX/);
    expect(sandbox.state().users.filter((u) => String(u.id).startsWith('nf-'))).toEqual([]);
  });

  it('refuses to run an onboarding job as an offboarding one', async () => {
    const dir = workdir();
    const input = writeJsonl(dir, 'mixed.jsonl', [customer('mixed-1', [])]);
    expect((await cli(['onboard', input, ...fastFlags], { cwd: dir, env })).code).toBe(0);
    const wrong = await cli(['offboard', input, ...fastFlags, '--job', 'mixed', '--store', 'sqlite:.mx-lifecycle/mixed.sqlite'], { cwd: dir, env });
    expect(wrong.code).toBe(64);
    expect(wrong.stderr.trim()).toMatch(/^mx-lifecycle offboard: job mixed in this store is an onboard job, not offboard: pick another --job/);
    expect(sandbox.state().users.filter((u) => u.id === 'mixed-1')).toHaveLength(1);
  });
});
