import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { cli, customer, fastFlags, messages, readJson, workdir, writeJsonl } from './harness.js';

let sandbox: Sandbox;
let env: Record<string, string>;
beforeAll(async () => {
  sandbox = await startSandbox({ aggregationMs: 100, auth: 'basic', slowMs: 2_000 });
  env = { MX_BASE_URL: sandbox.url, MX_API_KEY: 'sandbox-key' };
});
afterAll(async () => {
  await sandbox.close();
});

interface Report {
  result: string;
  summary: Record<string, number>;
  customers: { id: string; state: string; reason: string; userGuid: string | null; members: { id: string; connectionStatus: string }[] }[];
  failures: unknown[];
  badRows: { line: number; field: string; reason: string }[];
  halt: { message: string; error: { kind: string } } | null;
}

const usersWithId = (id: string) => sandbox.state().users.filter((u) => u.id === id);
const membersWithId = (id: string) => sandbox.state().members.filter((m) => m.id === id);

describe('mx-lifecycle onboard', () => {
  it('onboards every customer, exits 0, and leaves a store and a report', async () => {
    const dir = workdir();
    const input = writeJsonl(dir, 'clean.jsonl', [customer('clean-1', ['password']), customer('clean-2', ['password', 'password']), customer('clean-3', [])]);
    const run = await cli(['onboard', input, ...fastFlags], { cwd: dir, env });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/job clean \(onboard\) finished/);
    expect(run.stdout).toMatch(/3 customers: 3 done, 0 need action, 0 failed/);
    expect(existsSync(join(dir, '.mx-lifecycle/clean.sqlite'))).toBe(true);
    const report = readJson<Report>(join(dir, '.mx-lifecycle/clean.report.json'));
    expect(report.result).toBe('finished');
    expect(report.summary).toMatchObject({ customers: 3, done: 3, needsAction: 0, failed: 0, badRows: 0 });
    expect(report.customers.map((c) => [c.id, c.state])).toEqual([['clean-1', 'done'], ['clean-2', 'done'], ['clean-3', 'done']]);
    expect(report.customers[1]?.members.map((m) => m.connectionStatus)).toEqual(['CONNECTED', 'CONNECTED']);
    expect(report.customers[0]?.userGuid).toBe(usersWithId('clean-1')[0]?.guid);
    // Not on a terminal: progress is JSON lines on stderr, the last one final.
    const progress = run.stderr.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(progress.at(-1)).toMatchObject({ type: 'progress', job: 'clean', total: 3, done: 3, final: true });
  });

  it('says a rerun of a finished job is over, with its counts, instead of counting old results as this run\'s', async () => {
    const dir = workdir();
    const input = writeJsonl(dir, 'rerun.jsonl', [customer('rerun-1', ['password']), customer('rerun-2', ['denied'])]);
    expect((await cli(['onboard', input, ...fastFlags], { cwd: dir, env })).code).toBe(1);
    const requests = sandbox.state().stats.requests;
    const again = await cli(['onboard', input, ...fastFlags], { cwd: dir, env });
    expect(again.code, again.stderr).toBe(1);
    expect(again.stdout).toMatch(/^job rerun already finished \(started [^)]+\): 2 customers, 1 done, 1 need action, 0 failed, 0 cancelled; nothing was run or checked now\.\n {2}to onboard these customers again, pick a new --job NAME/);
    expect(again.stdout).not.toMatch(/finished in/);
    expect(sandbox.state().stats.requests).toBe(requests);
  });

  it('reports bad rows by line and field, skips them, onboards the rest, and exits 1', async () => {
    const dir = workdir();
    const input = writeJsonl(dir, 'rows.jsonl', [
      customer('rows-1', ['password']),
      '{"id": "rows-2", "members": [',
      customer('rows-3', ['password']),
      { id: 'rows-4', members: [{ id: 'rows-4-m0' }] },
      { id: 'USR-reserved', members: [] },
    ]);
    const run = await cli(['onboard', input, ...fastFlags, '--json'], { cwd: dir, env });
    expect(run.code, run.stderr).toBe(1);
    const lines = messages(run.stderr);
    expect(lines).toEqual([
      expect.stringMatching(/rows\.jsonl line 2: \(line\) is not valid JSON \(row skipped\)$/),
      expect.stringMatching(/rows\.jsonl line 4: members\[0\]\.institution_code is required/),
      expect.stringMatching(/rows\.jsonl line 5: id must not start with "USR-"/),
    ]);
    const summary = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(summary).toMatchObject({ result: 'finished', exitCode: 1, total: 2, badRows: 3, counts: { done: 2 } });
    const report = readJson<Report>(join(dir, '.mx-lifecycle/rows.report.json'));
    expect(report.badRows.map((r) => [r.line, r.field])).toEqual([[2, '(line)'], [4, 'members[0].institution_code'], [5, 'id']]);
    expect(usersWithId('rows-3')).toHaveLength(1);
  });

  it('reads CSV input, one connection a row', async () => {
    const dir = workdir();
    const input = join(dir, 'cohort.csv');
    writeFileSync(input, [
      'user_id,email,member_id,institution_code,username,password',
      'csv-1,csv-1@example.com,csv-1-a,mxbank,mxuser,password',
      'csv-1,csv-1@example.com,csv-1-b,mxbank,mxuser,password',
      'csv-2,csv-2@example.com,csv-2-a,mxbank,mxuser,denied',
    ].join('\n'));
    const run = await cli(['onboard', input, ...fastFlags, '--report', 'reports/cohort.json'], { cwd: dir, env });
    expect(run.code, run.stderr).toBe(1);
    expect(run.stdout).toMatch(/2 customers: 1 done, 1 need action, 0 failed/);
    expect(run.stdout).toMatch(/report: reports\/cohort\.json/);
    expect(readJson<Report>(join(dir, 'reports/cohort.json')).summary).toMatchObject({ customers: 2, done: 1, needsAction: 1 });
    expect(run.stdout).toMatch(/csv-2 +csv-2-a: DENIED \(end-user action: the institution refused the credentials/);
    expect(membersWithId('csv-1-b')).toHaveLength(1);
  });

  it('halts once on a wrong key (exit 2, one message), then the same command with the right key resumes to the end', async () => {
    const dir = workdir();
    const ids = ['halt-1', 'halt-2', 'halt-3', 'halt-4', 'halt-5', 'halt-6'];
    const input = writeJsonl(dir, 'cohort.jsonl', ids.map((id) => customer(id, ['password'])));
    const args = ['onboard', input, ...fastFlags, '--concurrency', '2'];

    const halted = await cli(args, { cwd: dir, env: { ...env, MX_API_KEY: 'not-the-key' } });
    expect(halted.code, halted.stderr).toBe(2);
    const lines = messages(halted.stderr);
    expect(lines).toEqual([
      expect.stringMatching(/^mx-lifecycle onboard: MX refused the API key \(401 unauthorized.*\): check --client-id\/--api-key or MX_CLIENT_ID\/MX_API_KEY; then run the same command again to continue$/),
    ]);
    expect(halted.stderr).not.toMatch(/halt-\d/);
    expect(halted.stdout).toMatch(/halted after/);
    expect(readJson<Report>(join(dir, '.mx-lifecycle/cohort.report.json'))).toMatchObject({ result: 'halted', halt: { error: { kind: 'unauthorized' } } });
    expect(sandbox.state().users.filter((u) => ids.includes(String(u.id)))).toHaveLength(0);

    const status = await cli(['status', '--job', 'cohort'], { cwd: dir, env: {} });
    expect(status.code).toBe(2);
    expect(status.stdout).toMatch(/halted: MX refused the API key/);

    const resumed = await cli(args, { cwd: dir, env });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toMatch(/6 customers: 6 done/);
    for (const id of ids) {
      expect(usersWithId(id), id).toHaveLength(1);
      expect(membersWithId(`${id}-m0`), id).toHaveLength(1);
    }
  });

  it('resumes a job whose first run was interrupted, without creating anyone twice', async () => {
    const dir = workdir();
    const ids = Array.from({ length: 8 }, (_, i) => `stop-${i}`);
    const input = writeJsonl(dir, 'stop.jsonl', ids.map((id) => customer(id, ['slow'])));
    const args = ['onboard', input, ...fastFlags, '--concurrency', '4'];
    const first = cli(args, { cwd: dir, env });
    // Wait until work is under way, then stop the process the way Ctrl-C does.
    await expect.poll(() => sandbox.state().users.filter((u) => ids.includes(String(u.id))).length, { timeout: 20_000 }).toBeGreaterThan(0);
    first.kill('SIGINT');
    const stopped = await first;
    expect(stopped.code, stopped.stderr).toBe(130);
    expect(stopped.stdout).toMatch(/run the same command again to continue/);
    const again = await cli(args, { cwd: dir, env });
    expect(again.code, again.stderr).toBe(0);
    for (const id of ids) expect(usersWithId(id), id).toHaveLength(1);
  });
});
