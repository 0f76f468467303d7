/**
 * A CSV input through the real command line: what onboard sends MX is what the file holds (a
 * quoted password keeps its spaces and line breaks, `metadata.KEY` columns reach the user's
 * metadata), and `check` and `onboard` say the same words about a column nothing reads.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { cli, fastFlags, readJson, workdir } from './harness.js';

let sandbox: Sandbox;
let env: Record<string, string>;
beforeAll(async () => {
  sandbox = await startSandbox({ aggregationMs: 100, auth: 'basic' });
  env = { MX_BASE_URL: sandbox.url, MX_API_KEY: 'sandbox-key' };
});
afterAll(async () => {
  await sandbox.close();
});

const suffix = Math.random().toString(36).slice(2, 8);

describe('CSV input on the command line', () => {
  it('sends a quoted password as written and the metadata columns as the user\'s metadata', async () => {
    const dir = workdir();
    const input = join(dir, 'quoted.csv');
    const [a, b] = [`qa-${suffix}`, `qb-${suffix}`];
    writeFileSync(input, [
      'user_id,email,member_id,institution_code,username,password,metadata.segment',
      // The sandbox's MX Bank refuses the password "denied" and connects any other: "denied " with
      // its space must connect, as it would at a bank where the space is part of the password.
      `${a},,${a}-m,mxbank,mxuser,"denied ",retail`,
      `${b},,${b}-m,mxbank,mxuser,"two`,
      `lines",`,
      `bad id,,x,mxbank,mxuser,password,`,
    ].join('\n'));
    const run = await cli(['onboard', input, ...fastFlags], { cwd: dir, env });
    expect(run.code, run.stderr).toBe(1);
    expect(run.stdout).toMatch(/2 customers: 2 done, 0 need action, 0 failed/);
    const state = sandbox.state();
    expect(state.members.filter((m) => m.id === `${a}-m` || m.id === `${b}-m`).map((m) => m.connection_status)).toEqual(['CONNECTED', 'CONNECTED']);
    expect(state.users.find((u) => u.id === a)?.metadata).toBe(JSON.stringify({ segment: 'retail' }));
    expect(state.users.find((u) => u.id === b)?.metadata).toBeNull();
    // The row after the two-line record is line 5, and it is the only bad row.
    const report = readJson<{ badRows: { line: number; field: string }[] }>(join(dir, '.mx-lifecycle/quoted.report.json'));
    expect(report.badRows.map((r) => [r.line, r.field])).toEqual([[5, 'id']]);
  });

  it('prints the same warning in check and onboard for a column nothing reads, and runs the rows', async () => {
    const dir = workdir();
    const input = join(dir, 'extra.csv');
    const id = `wx-${suffix}`;
    writeFileSync(input, ['user_id,email,member_id,institution_code,username,password,segment', `${id},,${id}-m,mxbank,mxuser,password,retail`].join('\n'));
    const warning = (command: string) => `mx-lifecycle ${command}: ${input} line 1: warning: column "segment" is not a column mx-lifecycle reads (user_id, email, member_id, institution_code, username, password, credentials.NAME, metadata.KEY); its cells are ignored`;
    const check = await cli(['check', input, '--client-id', 'sandbox-client'], { cwd: dir, env });
    expect(check.code, check.stderr).toBe(0);
    expect(check.stderr.split('\n')).toContain(warning('check'));
    expect(check.stdout).toMatch(/1 customer, 1 connection;/);
    const run = await cli(['onboard', input, ...fastFlags], { cwd: dir, env });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr.split('\n')).toContain(warning('onboard'));
    expect(sandbox.state().users.find((u) => u.id === id)?.metadata).toBeNull();
  });
});
