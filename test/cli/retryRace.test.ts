/**
 * `retry` while the original `onboard` still runs the job, as two real processes. retry must own
 * the customers before it changes them: on SQLite it takes the job's run lock first (and, refused,
 * changes nothing); on PostgreSQL it leases the customers it re-opens to itself in the same write,
 * so the original worker cannot run them first with the old passwords, and the corrected ones
 * reach MX through update member ("updating a member's credentials ... will trigger an
 * aggregation", MX Platform API reference, Update member).
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SnapshotStore } from '../../src/durable/index.js';
import { createPostgresStore, createSqliteStore } from '../../src/durable/store/index.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { cli, customer, fastFlags, messages, workdir, writeJsonl, type CliRun } from './harness.js';

const PG_URL = process.env.MX_LIFECYCLE_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test';
const CORRECTED = 'Planted-Corrected-race-71c3';

let sandbox: Sandbox;
let env: Record<string, string>;
beforeAll(async () => {
  // `slow` stays DELAYED for slowMs: the hold-1 customer keeps the onboard running until cancelled.
  sandbox = await startSandbox({ aggregationMs: 100, slowMs: 1e9, auth: 'basic' });
  env = { MX_BASE_URL: sandbox.url, MX_API_KEY: 'sandbox-key' };
});
afterAll(async () => {
  await sandbox.close();
});
// A failed expectation must not leave onboard polling hold-1 for ever.
const started: CliRun[] = [];
afterEach(async () => {
  for (const run of started.splice(0)) {
    run.kill('SIGKILL');
    await run.catch(() => undefined);
  }
});

const until = async (condition: () => Promise<boolean>, what: string, ms = 90_000) => {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
};
const membersOf = (prefix: string) => sandbox.state().members.filter((m) => m.id?.startsWith(prefix));

/** Starts onboard and waits until its denied customers need action while it still runs hold-1. */
async function onboardRunning(dir: string, prefix: string, store: SnapshotStore, storeFlags: string[]) {
  const input = writeJsonl(dir, 'race.jsonl', [
    customer(`${prefix}-den-1`, ['INVALID']), customer(`${prefix}-den-2`, ['INVALID']), customer(`${prefix}-hold-1`, ['slow']),
  ]);
  const onboard = cli(['onboard', input, '--job', 'race', ...storeFlags, ...fastFlags], { cwd: dir, env, timeoutMs: 180_000 });
  started.push(onboard);
  let exited = false;
  void onboard.then(() => (exited = true), () => (exited = true));
  const stateOf = async (id: string) => (await store.getItem('race', `${prefix}-${id}`))?.state;
  await until(async () => {
    if (exited) throw new Error(`onboard ended early: ${(await onboard).stderr}`);
    return (await store.getJob('race')) !== null && (await stateOf('den-1')) === 'needsAction' && (await stateOf('den-2')) === 'needsAction'
      && (await stateOf('hold-1')) === 'active';
  }, 'denied customers need action while hold-1 runs');
  const corrected = writeJsonl(dir, 'corrected.jsonl', [customer(`${prefix}-den-1`, [CORRECTED]), customer(`${prefix}-den-2`, [CORRECTED])]);
  return { onboard, corrected, stateOf, running: () => !exited };
}

async function cancelHold(dir: string, prefix: string, storeFlags: string[], onboard: CliRun) {
  const cancel = await cli(['cancel', '--job', 'race', '--customer', `${prefix}-hold-1`, ...storeFlags], { cwd: dir, env });
  expect(cancel.code, cancel.stderr).toBe(0);
  return onboard;
}

describe('retry while the original onboard still runs the job', () => {
  it('SQLite: refuses with exit 75 and changes nothing; once onboard has ended, the corrected passwords connect', async () => {
    const dir = workdir();
    const prefix = `rs-${randomUUID().slice(0, 6)}`;
    const store = createSqliteStore({ path: join(dir, '.mx-lifecycle/race.sqlite') });
    try {
      const { onboard, corrected, running } = await onboardRunning(dir, prefix, store, []);
      const before = await Promise.all(['den-1', 'den-2'].map((id) => store.getItem('race', `${prefix}-${id}`)));

      const retry = await cli(['retry', '--job', 'race', '--needs-action', corrected, ...fastFlags], { cwd: dir, env });
      expect(running(), 'onboard was still running when retry was refused').toBe(true);
      expect(retry.code, retry.stderr).toBe(75);
      expect(messages(retry.stderr)).toEqual([
        expect.stringMatching(/^mx-lifecycle retry: job "race" is already running in another process on .*race\.sqlite; .*nothing was changed/),
      ]);
      // Nothing was re-opened: the same rows, untouched, so the running onboard has nothing to re-run.
      const after = await Promise.all(['den-1', 'den-2'].map((id) => store.getItem('race', `${prefix}-${id}`)));
      expect(after).toEqual(before);

      expect((await cancelHold(dir, prefix, [], onboard)).code).toBe(1);
      const again = await cli(['retry', '--job', 'race', '--needs-action', corrected, ...fastFlags, '--json'], { cwd: dir, env });
      expect(JSON.parse(again.stdout).counts, again.stderr).toMatchObject({ done: 2, needsAction: 0 });
      for (const id of ['den-1', 'den-2']) {
        expect(membersOf(`${prefix}-${id}`).map((m) => m.connection_status)).toEqual(['CONNECTED']);
      }
      expect(`${retry.stderr}${again.stdout}${again.stderr}`).not.toContain(CORRECTED);
    } finally {
      await store.close();
    }
  }, 240_000);

  it('PostgreSQL: leases what it re-opens, so the corrected passwords reach MX; a customer another worker runs is refused', async () => {
    const dir = workdir();
    const prefix = `rp-${randomUUID().slice(0, 6)}`;
    const schema = `retry_race_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
    const storeFlags = ['--store', `${PG_URL}?schema=${schema}`];
    const store = createPostgresStore({ connectionString: PG_URL, schema });
    try {
      const { onboard, corrected, stateOf, running } = await onboardRunning(dir, prefix, store, storeFlags);

      // A customer the onboard worker holds is not taken from it: one line, exit 75, nothing changed.
      const held = await cli(['retry', '--job', 'race', '--customer', `${prefix}-hold-1`, ...storeFlags, ...fastFlags], { cwd: dir, env });
      expect(held.code, held.stderr).toBe(75);
      expect(messages(held.stderr)).toEqual([expect.stringMatching(new RegExp(`customer ${prefix}-hold-1 is still running \\(active\\).*not re-opened`))]);
      expect(await stateOf('hold-1')).toBe('active');

      const retry = cli(['retry', '--job', 'race', '--needs-action', corrected, ...storeFlags, ...fastFlags, '--json'], { cwd: dir, env, timeoutMs: 180_000 });
      started.push(retry);
      await retry.stderrLine(/2 customers \(needs action\) re-opened/);
      expect(running(), 'onboard was still running when retry re-opened its customers').toBe(true);
      await until(async () => (await stateOf('den-1')) === 'done' && (await stateOf('den-2')) === 'done', 'retry connects both');

      await cancelHold(dir, prefix, storeFlags, onboard);
      const [first, second] = await Promise.all([onboard, retry]);
      expect(first.code, first.stderr).toBe(1);
      expect(JSON.parse(second.stdout).counts, second.stderr).toMatchObject({ done: 2, needsAction: 0, cancelled: 1 });
      // Ground truth at MX: one member each, connected with the corrected password.
      for (const id of ['den-1', 'den-2']) {
        expect(membersOf(`${prefix}-${id}`).map((m) => m.connection_status)).toEqual(['CONNECTED']);
      }
      expect(`${second.stdout}${second.stderr}${first.stdout}${first.stderr}`).not.toContain(CORRECTED);
    } finally {
      await store.close();
      const pool = new pg.Pool({ connectionString: PG_URL, max: 1 });
      await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await pool.end();
    }
  }, 240_000);
});
