import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { cli, customer, fastFlags, workdir, writeJsonl } from './harness.js';

let sandbox: Sandbox;
let dir: string;
beforeAll(async () => {
  sandbox = await startSandbox({ aggregationMs: 100, auth: 'basic' });
  dir = workdir();
  const env = { MX_BASE_URL: sandbox.url, MX_API_KEY: 'sandbox-key' };
  const input = writeJsonl(dir, 'spring.jsonl', [
    customer('st-ok', ['password']),
    customer('st-denied', ['denied']),
    customer('st-locked', ['password', 'locked']),
  ]);
  const run = await cli(['onboard', input, ...fastFlags], { cwd: dir, env });
  if (run.code !== 1) throw new Error(`the onboarding behind these tests went wrong: ${run.code} ${run.stderr}`);
  const other = writeJsonl(dir, 'autumn.jsonl', [customer('st-other', [])]);
  const second = await cli(['onboard', other, ...fastFlags], { cwd: dir, env });
  if (second.code !== 0) throw new Error(`the second onboarding went wrong: ${second.code} ${second.stderr}`);
});
afterAll(async () => {
  await sandbox.close();
});

describe('mx-lifecycle status', () => {
  it('shows counts per state and the customers that need action, with reasons; exit 1', async () => {
    const run = await cli(['status', '--job', 'spring'], { cwd: dir });
    expect(run.code, run.stderr).toBe(1);
    expect(run.stdout).toMatch(/^job spring \(onboard\), created .*, store sqlite:\.mx-lifecycle\/spring\.sqlite$/m);
    expect(run.stdout).toMatch(/3 customers: 1 done, 2 need action, 0 failed, 0 cancelled; 0 pending, 0 in progress, 0 halted/);
    expect(run.stdout).toMatch(/need action:\n {4}st-denied +st-denied-m0: DENIED \(end-user action: the institution refused the credentials.*\n {4}st-locked +st-locked-m1: LOCKED/);
    expect(run.stderr).toBe('');
  });

  it('prints the same as one JSON object with --json', async () => {
    const run = await cli(['status', '--job', 'spring', '--json'], { cwd: dir });
    expect(run.code).toBe(1);
    const body = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(body).toMatchObject({
      job: 'spring',
      kind: 'onboard',
      total: 3,
      counts: { done: 1, needsAction: 2, failed: 0 },
      halt: null,
      needsAction: [
        { id: 'st-denied', reason: expect.stringMatching(/DENIED/) as unknown },
        { id: 'st-locked', reason: expect.stringMatching(/LOCKED/) as unknown },
      ],
      failed: [],
    });
  });

  it('exits 0 for a job where every customer is done', async () => {
    const run = await cli(['status', '--job', 'autumn'], { cwd: dir });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/1 customer: 1 done/);
  });

  it('lists the jobs of every store under .mx-lifecycle without --job', async () => {
    const run = await cli(['status'], { cwd: dir });
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^JOB +KIND +TOTAL +DONE +NEEDS-ACTION +FAILED +OPEN +HALT +STORE$/);
    expect(lines.slice(1).map((l) => l.split(/\s+/).slice(0, 6))).toEqual([
      ['autumn', 'onboard', '1', '1', '0', '0'],
      ['spring', 'onboard', '3', '1', '2', '0'],
    ]);
    const json = await cli(['status', '--json'], { cwd: dir });
    expect((JSON.parse(json.stdout) as { jobs: { job: string }[] }).jobs.map((j) => j.job)).toEqual(['autumn', 'spring']);
  });

  it('says so when the job or its store does not exist, without creating a store', async () => {
    const missing = await cli(['status', '--job', 'winter'], { cwd: dir });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe('mx-lifecycle status: there is no store at .mx-lifecycle/winter.sqlite for job winter (pass --store URL, or run onboard first)\n');
    const unknown = await cli(['status', '--job', 'winter', '--store', 'sqlite:.mx-lifecycle/spring.sqlite'], { cwd: dir });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe('mx-lifecycle status: no job winter in sqlite:.mx-lifecycle/spring.sqlite (jobs there: spring)\n');
    const listed = await cli(['status'], { cwd: dir });
    expect(listed.stdout).not.toMatch(/winter/);
  });
});
