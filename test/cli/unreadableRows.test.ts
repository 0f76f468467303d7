/**
 * Issue 22, item 2: an unreadable stored row fails that customer, never the job. A job is stopped
 * in its middle (SIGINT), then its store is changed behind its back the way an upgrade of
 * mx-lifecycle that renamed a state, or a disk fault, would: one snapshot names a state the
 * machines do not have, one snapshot is not JSON, one input is not JSON. Running the same command
 * again finishes every other customer, exits 1, and names the three with their causes; `status`,
 * `export`, the report and `dashboard --job` read the job. Real child processes throughout, on a
 * SQLite file and on PostgreSQL.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { parse } from 'csv-parse/sync';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { cli, customer, fastFlags, readJson, workdir, writeJsonl } from './harness.js';

const PG_URL = process.env.MX_LIFECYCLE_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test';
const API_KEY = 'rows-planted-key-5150';
const PASSWORD = 'slow';

let sandbox: Sandbox;
let env: Record<string, string>;
const admin = new pg.Pool({ connectionString: PG_URL, max: 2 });
const schemas: string[] = [];
beforeAll(async () => {
  // 'slow' members stay DELAYED for slowMs (MX: keep polling), so the first run can be stopped with customers mid-way.
  sandbox = await startSandbox({ aggregationMs: 100, slowMs: 3_000, auth: 'basic', clients: [{ id: 'sandbox-client', key: API_KEY }] });
  env = { MX_BASE_URL: sandbox.url, MX_API_KEY: API_KEY };
});
afterAll(async () => {
  await sandbox.close();
  for (const schema of schemas) await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await admin.end();
});

interface Row { id: string; state: string; snapshot: string | null }

/** Reads and writes the job's rows behind the CLI's back. */
interface RawStore {
  storeFlags: string[];
  rows(job: string): Promise<Row[]>;
  write(job: string, id: string, column: 'snapshot' | 'input', text: string): Promise<void>;
}

function sqliteRaw(dir: string): RawStore {
  const path = join(dir, '.mx-lifecycle/rows.sqlite');
  const open = () => new Database(path, { fileMustExist: true });
  return {
    storeFlags: [],
    rows: async (job) => {
      try {
        const db = open();
        try {
          return db.prepare('SELECT id, state, snapshot FROM items WHERE job_id = ? ORDER BY seq').all(job) as Row[];
        } finally {
          db.close();
        }
      } catch {
        return [];
      }
    },
    write: async (job, id, column, text) => {
      const db = open();
      db.prepare(`UPDATE items SET ${column} = ? WHERE job_id = ? AND id = ?`).run(text, job, id);
      db.close();
    },
  };
}

function postgresRaw(): RawStore {
  const schema = `mx_rows_${process.pid}_${Date.now().toString(36)}`;
  schemas.push(schema);
  return {
    storeFlags: ['--store', `${PG_URL}?schema=${schema}`],
    rows: async (job) => {
      const result = await admin.query<Row>(`SELECT id, state, snapshot FROM "${schema}".items WHERE job_id = $1 ORDER BY seq`, [job]).catch(() => ({ rows: [] as Row[] }));
      return result.rows;
    },
    write: async (job, id, column, text) => {
      await admin.query(`UPDATE "${schema}".items SET ${column} = $3 WHERE job_id = $1 AND id = $2`, [job, id, text]);
    },
  };
}

/** Runs the job until `count` customers stand mid-way (their members poll), stops it with SIGINT, and returns those rows. */
async function stopMidway(raw: RawStore, args: string[], dir: string, count: number): Promise<Row[]> {
  const first = cli(args, { cwd: dir, env });
  await expect.poll(async () => (await raw.rows('rows')).filter((r) => r.state === 'active' && r.snapshot !== null).length, { timeout: 30_000, interval: 100 }).toBeGreaterThanOrEqual(count);
  first.kill('SIGINT');
  const stopped = await first;
  expect(stopped.code, stopped.stderr).toBe(130);
  const midway = (await raw.rows('rows')).filter((r) => r.state === 'active' && r.snapshot !== null);
  expect(midway.length).toBeGreaterThanOrEqual(count);
  return midway;
}

describe('a job whose only unreadable row names a state the machines lost (SQLite)', () => {
  it('fails that customer with its cause and exits 1, instead of ending the whole run', async () => {
    const dir = workdir();
    const raw = sqliteRaw(dir);
    const input = writeJsonl(dir, 'rows.jsonl', ['rows-a', 'rows-b'].map((id) => customer(id, [PASSWORD])));
    const args = ['onboard', input, ...fastFlags];
    const [renamed] = await stopMidway(raw, args, dir, 1);
    if (!renamed) throw new Error('no customer mid-way');
    const snapshot = JSON.parse(renamed.snapshot ?? '{}') as Record<string, unknown>;
    await raw.write('rows', renamed.id, 'snapshot', JSON.stringify({ ...snapshot, value: 'enrollingMembers' }));

    const again = await cli(args, { cwd: dir, env });
    expect(again.code, again.stderr).toBe(1);
    expect(again.stdout).toMatch(/2 customers: 1 done, 0 need action, 1 failed/);
    expect(again.stdout).toMatch(new RegExp(`${renamed.id}\\s+stored row unreadable \\(snapshot, unknown_state\\)`));
    expect((await raw.rows('rows')).map((r) => r.state).toSorted()).toEqual(['done', 'failed']);

    // Started afresh, the customer finishes: its user and member at MX are found, not made twice.
    const retried = await cli(['retry', '--job', 'rows', '--failed', '--customer', renamed.id, input, ...fastFlags], { cwd: dir, env });
    expect(retried.code, retried.stdout + retried.stderr).toBe(0);
    expect((await raw.rows('rows')).map((r) => r.state)).toEqual(['done', 'done']);
    expect(sandbox.state().users.filter((u) => u.id === renamed.id)).toHaveLength(1);
    expect(sandbox.state().members.filter((m) => m.id === `${renamed.id}-m0`)).toHaveLength(1);
  }, 240_000);
});

describe.each([
  ['SQLite', (dir: string) => sqliteRaw(dir)],
  ['PostgreSQL', () => postgresRaw()],
] as const)('a job with unreadable rows (%s)', (_name, makeRaw) => {
  it('finishes every other customer, exits 1, and names each unreadable row with its cause in every reader', async () => {
    const dir = workdir();
    const raw = makeRaw(dir);
    const ids = ['rows-1', 'rows-2', 'rows-3', 'rows-4', 'rows-5'];
    const input = writeJsonl(dir, 'rows.jsonl', ids.map((id) => customer(id, [PASSWORD])));
    const args = ['onboard', input, ...fastFlags, ...raw.storeFlags];

    const midway = await stopMidway(raw, args, dir, 3);
    const [renamed, truncated, badInput] = midway;
    if (!renamed || !truncated || !badInput) throw new Error(`three customers mid-way expected: ${JSON.stringify(midway.map((r) => r.id))}`);
    // What an upgrade that renamed a state without a migration leaves: a state the machines do not have.
    const snapshot = JSON.parse(renamed.snapshot ?? '{}') as Record<string, unknown>;
    await raw.write('rows', renamed.id, 'snapshot', JSON.stringify({ ...snapshot, value: 'enrollingMembers' }));
    await raw.write('rows', truncated.id, 'snapshot', (truncated.snapshot ?? '').slice(0, 60));
    await raw.write('rows', badInput.id, 'input', '{"externalId": "rows-');
    const healthy = ids.filter((id) => ![renamed.id, truncated.id, badInput.id].includes(id));

    const again = await cli(args, { cwd: dir, env });
    expect(again.code, again.stderr).toBe(1);
    expect(again.stderr).not.toMatch(/unexpected error/);
    expect(again.stdout).toMatch(/5 customers: 2 done, 0 need action, 3 failed/);
    const failedLine = (id: string) => again.stdout.split('\n').find((line) => line.includes(id) && line.includes('unreadable')) ?? '';
    expect(failedLine(renamed.id)).toMatch(/stored row unreadable \(snapshot, unknown_state\): .*'enrollingMembers' does not exist/);
    expect(failedLine(truncated.id)).toMatch(/stored row unreadable \(snapshot, bad_json\): the stored snapshot is not JSON/);
    expect(failedLine(badInput.id)).toMatch(/stored row unreadable \(input, bad_json\): the stored input is not JSON/);
    const finalRows = await raw.rows('rows');
    expect(finalRows.filter((r) => healthy.includes(r.id)).map((r) => r.state)).toEqual(['done', 'done']);
    // Every customer has one MX user: the healthy ones were resumed, not created again.
    for (const id of ids) expect(sandbox.state().users.filter((u) => u.id === id), id).toHaveLength(1);

    const report = readJson<{ customers: { id: string; state: string; reason: string }[]; failures: { customer: string; error: { kind: string; cause: string; column: string } }[] }>(
      join(dir, '.mx-lifecycle/rows.report.json'),
    );
    expect(report.failures.map((f) => [f.customer, f.error.kind, f.error.column, f.error.cause]).toSorted()).toEqual([
      [badInput.id, 'unreadable_row', 'input', 'bad_json'],
      [renamed.id, 'unreadable_row', 'snapshot', 'unknown_state'],
      [truncated.id, 'unreadable_row', 'snapshot', 'bad_json'],
    ].toSorted());

    const status = await cli(['status', '--job', 'rows', ...raw.storeFlags, '--json'], { cwd: dir });
    expect(status.code, status.stderr).toBe(1);
    const shown = JSON.parse(status.stdout) as { counts: Record<string, number>; failed: { id: string; reason: string }[] };
    expect(shown.counts).toMatchObject({ done: 2, failed: 3, active: 0, pending: 0 });
    expect(Object.fromEntries(shown.failed.map((f) => [f.id, f.reason.replace(/:.*$/s, '')]))).toEqual({
      [renamed.id]: 'stored row unreadable (snapshot, unknown_state)',
      [truncated.id]: 'stored row unreadable (snapshot, bad_json)',
      [badInput.id]: 'stored row unreadable (input, bad_json)',
    });

    const exported = await cli(['export', '--job', 'rows', ...raw.storeFlags], { cwd: dir });
    expect(exported.code, exported.stderr).toBe(0);
    const csv = parse(exported.stdout, { columns: true }) as Record<string, string>[];
    expect(csv.map((r) => [r.customer_id, r.outcome, r.error_kind, r.reason])).toEqual(ids.map((id) => {
      if (id === renamed.id) return [id, 'failed', 'unreadable_row', 'snapshot: unknown_state'];
      if (id === truncated.id) return [id, 'failed', 'unreadable_row', 'snapshot: bad_json'];
      if (id === badInput.id) return [id, 'failed', 'unreadable_row', 'input: bad_json'];
      return [id, 'connected', '', ''];
    }));

    const dashboard = cli(['dashboard', '--job', 'rows', ...raw.storeFlags], { cwd: dir });
    try {
      const url = /dashboard: (http:\/\/\S+)/.exec(await dashboard.stderrLine(/dashboard: http/))?.[1] ?? '';
      const state = (await (await fetch(`${url}/api/state`)).json()) as { counts: { items: Record<string, number> }; failed: { id: string; reason: string }[] };
      expect(state.counts.items).toMatchObject({ done: 2, failed: 3 });
      expect(state.failed.map((f) => [f.id, /unreadable_row/.test(f.reason)]).toSorted()).toEqual([[badInput.id, true], [renamed.id, true], [truncated.id, true]].toSorted());
    } finally {
      dashboard.kill('SIGTERM');
      expect((await dashboard).code).toBe(0);
    }

    const reportText = readFileSync(join(dir, '.mx-lifecycle/rows.report.json'), 'utf8');
    for (const out of [again.stdout, again.stderr, status.stdout, exported.stdout, reportText]) expect(out).not.toContain(API_KEY);
  }, 240_000);
});
