/**
 * A second onboard job over customers that already exist, with the CLI's defaults (Basic auth,
 * the platform dialect, v20250224): every create answers "already exists" and every user and
 * member is recovered, none created twice. MX documents the duplicate answer on its errors page
 * (docs.mx.com/api-reference/platform-api/overview/errors: 409 "an object with the given attributes
 * already exists").
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { cli, customer, readJson, workdir, writeJsonl } from './harness.js';

let sandbox: Sandbox;
beforeAll(async () => {
  // Basic auth is what MX Platform (and the CLI by default) uses; said here so the test holds whatever the sandbox's default.
  sandbox = await startSandbox({ aggregationMs: 50, auth: 'basic' });
});
afterAll(async () => {
  await sandbox.close();
});

interface Report {
  summary: Record<string, number>;
  customers: { id: string; state: string; userGuid: string | null }[];
}

describe('onboarding customers who already exist', () => {
  it.each([[[]], [['--api-version', 'v20111101']]] as const)('recovers every user and member with default flags %j: 0 failed, one of each at MX', async (extra) => {
    const dir = workdir();
    const tag = extra.length === 0 ? 'cur' : 'old';
    const rows = Array.from({ length: 6 }, (_, i) => customer(`${tag}-${i}`, i % 2 === 0 ? ['password', 'password'] : ['password']));
    const input = writeJsonl(dir, 'customers.jsonl', rows);
    const env = { MX_BASE_URL: sandbox.url, MX_CLIENT_ID: 'sandbox-client', MX_API_KEY: 'sandbox-key' };
    const flags = ['--poll-interval-ms', '50', ...extra];
    const first = await cli(['onboard', input, '--job', `${tag}-first`, ...flags], { cwd: dir, env });
    expect(first.code, first.stderr).toBe(0);
    const guids = new Map(sandbox.state().users.filter((u) => u.id?.startsWith(`${tag}-`)).map((u) => [u.id, u.guid]));

    const second = await cli(['onboard', input, '--job', `${tag}-second`, ...flags], { cwd: dir, env });
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toMatch(/6 customers: 6 done, 0 need action, 0 failed/);
    const report = readJson<Report>(join(dir, `.mx-lifecycle/${tag}-second.report.json`));
    expect(report.summary).toMatchObject({ customers: 6, done: 6, failed: 0 });
    expect(report.customers.map((c) => c.userGuid)).toEqual(rows.map((r) => guids.get(r.id as string)));

    const state = sandbox.state();
    for (const row of rows) {
      expect(state.users.filter((u) => u.id === row.id), String(row.id)).toHaveLength(1);
      for (const m of row.members as { id: string }[]) expect(state.members.filter((x) => x.id === m.id), m.id).toHaveLength(1);
    }
  });
});

describe('a base URL with a wrong path', () => {
  it('halts once with a message naming the path, not "ask MX support"', async () => {
    const dir = workdir();
    const input = writeJsonl(dir, 'few.jsonl', [customer('path-1', []), customer('path-2', [])]);
    const env = { MX_BASE_URL: `${sandbox.url}/v1`, MX_CLIENT_ID: 'sandbox-client', MX_API_KEY: 'sandbox-key' };
    const run = await cli(['onboard', input, '--poll-interval-ms', '50'], { cwd: dir, env });
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toContain('got a 404 with no body: MX has no such URL. Check the base URL\'s path "/v1"');
    expect(run.stderr).not.toMatch(/support/i);
  });
});
