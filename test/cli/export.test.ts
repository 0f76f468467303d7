/**
 * `mx-lifecycle export`: one row per connection, read back through a CSV parser, safe for a
 * spreadsheet, and free of the secrets the input held.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { cli, customer, fastFlags, workdir, writeJsonl } from './harness.js';

let sandbox: Sandbox;
let env: Record<string, string>;
const API_KEY = 'export-planted-key-4711';
const PASSWORD = 'planted-password-0815';
beforeAll(async () => {
  sandbox = await startSandbox({ aggregationMs: 100, auth: 'basic', clients: [{ id: 'sandbox-client', key: API_KEY }] });
  env = { MX_BASE_URL: sandbox.url, MX_API_KEY: API_KEY };
});
afterAll(async () => {
  await sandbox.close();
});

describe('mx-lifecycle export', () => {
  it('writes one CSV row per connection that a CSV parser reads back, formulas neutralised, no secret', async () => {
    const dir = workdir();
    const input = writeJsonl(dir, 'exp.jsonl', [
      customer('exp-1', ['password', 'password']),
      customer('-exp-2', ['denied', PASSWORD]),
      customer('exp-3', []),
    ]);
    const onboard = await cli(['onboard', input, ...fastFlags], { cwd: dir, env });
    expect(onboard.code, onboard.stderr).toBe(1);

    const out = join(dir, 'out.csv');
    const run = await cli(['export', '--job', 'exp', '--output', out], { cwd: dir });
    expect(run.code, run.stderr).toBe(0);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    const text = readFileSync(out, 'utf8');
    const rows = parse(text, { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(5);
    expect(Object.keys(rows[0] ?? {})).toEqual([
      'customer_id', 'user_guid', 'member_id', 'member_guid', 'institution_code', 'outcome', 'connection_status', 'reason', 'error_kind', 'connect', 'invited', 'opened',
    ]);
    const truth = sandbox.state();
    for (const row of rows.filter((r) => r.member_id !== '')) {
      const member = truth.members.find((m) => m.id === row.member_id?.replace(/^'/, ''));
      expect(row.member_guid).toBe(member?.guid);
      expect(row.connection_status).toBe(member?.connection_status);
      expect(row.user_guid).toBe(truth.users.find((u) => u.guid === member?.user_guid)?.guid);
    }
    expect(rows.filter((r) => r.customer_id === 'exp-1').map((r) => r.outcome)).toEqual(['connected', 'connected']);
    // A leading '-' would be a formula in a spreadsheet: it is shown as text.
    expect(rows.filter((r) => r.customer_id === "'-exp-2").map((r) => [r.outcome, r.connection_status, r.reason])).toEqual([
      ['needsAction', 'DENIED', 'connectionStatus'],
      // MX Bank connects any password its table does not list ("Testing with MX Bank"), the planted one too.
      ['connected', 'CONNECTED', ''],
    ]);
    expect(rows.find((r) => r.customer_id === 'exp-3')).toMatchObject({ member_id: '', outcome: 'done' });

    const needs = await cli(['export', '--job', 'exp', '--only', 'needs-action', '--format', 'jsonl'], { cwd: dir });
    const lines = needs.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, string>);
    expect(lines.map((l) => l.member_id)).toEqual(['-exp-2-m0', '-exp-2-m1']);

    const store = readFileSync(join(dir, '.mx-lifecycle/exp.sqlite')).toString('latin1');
    for (const secret of [API_KEY, PASSWORD]) {
      for (const where of [text, needs.stdout, needs.stderr, run.stdout, run.stderr, onboard.stdout, onboard.stderr, store]) {
        expect(where).not.toContain(secret);
      }
    }
  }, 60_000);

  it('refuses an unknown --only with one line and exit 64', async () => {
    const dir = workdir();
    const run = await cli(['export', '--job', 'exp', '--only', 'pending'], { cwd: dir });
    expect(run.code).toBe(64);
    expect(run.stderr.trim().split('\n')).toEqual([
      "mx-lifecycle export: --only must be one of done, needs-action, failed, cancelled, not 'pending' (see mx-lifecycle export --help)",
    ]);
  });
});
