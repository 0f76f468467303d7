/**
 * A worker that joins a PostgreSQL job while another worker is still adding its customers runs the
 * job with it; it does not say "already finished" and exit 0 having done nothing (issue 22: a
 * scheduler recorded a success for a worker that never worked, and the three-worker scale test
 * failed on it now and then on a busy machine).
 *
 * The race is made certain rather than hoped for: the job row is held FOR NO KEY UPDATE by the
 * test, as a worker's own submit holds it, so both workers read the job before any of its rows and
 * then queue behind the lock; the test lets go only once PostgreSQL shows both waiting on it.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/durable/store/index.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { PG_URL } from '../support/services/urls.js';
import { cli, customer, workdir, writeJsonl, type CliRun } from './harness.js';

let sandbox: Sandbox;
const admin = new pg.Client({ connectionString: PG_URL });
// A second connection: inside the holder's transaction, pg_stat_activity is a snapshot taken at its first read.
const watcher = new pg.Client({ connectionString: PG_URL });
const schema = `mx_join_${randomUUID().slice(0, 8)}`;
const started: CliRun[] = [];

beforeAll(async () => {
  sandbox = await startSandbox({ auth: 'basic' });
  await admin.connect();
  await watcher.connect();
});
afterEach(async () => {
  for (const run of started.splice(0)) {
    run.kill('SIGKILL');
    await run.catch(() => undefined);
  }
});
afterAll(async () => {
  await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
  await admin.end();
  await watcher.end();
  await sandbox.close();
});

const lastJson = (stdout: string): Record<string, unknown> => JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as Record<string, unknown>;

describe('a worker joining a job whose customers are still being added', () => {
  it('runs the job with the other worker and ends with the job’s true result, never "already finished"', async () => {
    const store = `${PG_URL}?schema=${schema}`;
    const job = 'filling';
    const opened = openStore(store);
    await opened.init();
    await opened.ensureJob(job, 'onboard');
    await opened.close();

    const dir = workdir();
    // One customer is denied by the sandbox: the job's true result is exit 1 (some need action).
    const lines = Array.from({ length: 12 }, (_, i) => customer(`join-${i}`, [i === 5 ? 'denied' : 'password']));
    const input = writeJsonl(dir, 'customers.jsonl', lines);
    const args = ['onboard', input, '--job', job, '--store', store, '--client-id', 'sandbox-client', '--poll-interval-ms', '100', '--json'];
    const env = { MX_BASE_URL: sandbox.url, MX_API_KEY: 'sandbox-key' };

    await admin.query('BEGIN');
    await admin.query(`SELECT 1 FROM "${schema}".jobs WHERE id = $1 FOR NO KEY UPDATE`, [job]);
    const workers = [0, 1].map(() => {
      const run = cli(args, { cwd: dir, env, timeoutMs: 240_000 });
      started.push(run);
      return run;
    });
    // Both have read the job (no rows yet) and wait on its row in their submit.
    const deadline = Date.now() + 120_000;
    for (;;) {
      const { rows } = await watcher.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%FOR NO KEY UPDATE%' AND query LIKE '%${schema}%'`,
      );
      if ((rows[0]?.n ?? 0) >= 2) break;
      if (Date.now() > deadline) throw new Error('the two workers did not both wait on the job row within 120 s');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await admin.query('COMMIT');

    const results = await Promise.all(workers);
    for (const result of results) {
      expect(result.code, result.stdout + result.stderr).toBe(1);
      expect(lastJson(result.stdout)).toMatchObject({ result: 'finished', counts: { done: 11, needsAction: 1 } });
    }
    const users = sandbox.state().users.filter((u) => String(u.id).startsWith('join-'));
    expect(users).toHaveLength(12);
  }, 300_000);
});
