/**
 * What only the SQLite store has: a file created on first use, WAL, a versioned schema that refuses
 * a newer one, several processes on one file, and bytes on disk that hold what was stored and no more.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { createSqliteStore, openStore, SQLITE_SCHEMA_VERSION } from '../../src/durable/store/index.js';

const root = mkdtempSync(join(tmpdir(), 'mx-store-sqlite-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let fileCounter = 0;
const freshPath = () => join(root, `case-${++fileCounter}`, 'deeper', 'jobs.sqlite');

describe('SQLite store file', () => {
  it('creates its folder and file on first use, owner-only, in WAL mode at the current schema version', async () => {
    const path = freshPath();
    const store = createSqliteStore({ path });
    expect(existsSync(path)).toBe(false);
    await store.ensureJob('job', 'onboard');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(existsSync(`${path}-wal`)).toBe(true);
    const peek = new Database(path, { readonly: true });
    expect(peek.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(peek.prepare('SELECT key, value FROM meta').all()).toEqual([{ key: 'schema_version', value: String(SQLITE_SCHEMA_VERSION) }]);
    peek.close();
    await store.close();
  });

  it('adds the machines version to a file the previous release made, and its rows read as stored before versions were kept', async () => {
    const path = freshPath();
    const first = createSqliteStore({ path });
    await first.init();
    await first.close();
    // The file as schema version 1 left it, with a customer in the middle of its job.
    const old = new Database(path);
    old.exec(`DROP TABLE items; DROP TABLE jobs; DROP TABLE IF EXISTS end_user_events; DROP TABLE IF EXISTS item_history; DROP TABLE IF EXISTS item_counts; UPDATE meta SET value = '1';
      CREATE TABLE jobs (id TEXT PRIMARY KEY, kind TEXT NOT NULL, created_at INTEGER NOT NULL, halt TEXT);
      CREATE TABLE items (job_id TEXT NOT NULL REFERENCES jobs (id), id TEXT NOT NULL, seq INTEGER NOT NULL, input TEXT,
        state TEXT NOT NULL, snapshot TEXT, due_at INTEGER, outcome TEXT, updated_at INTEGER NOT NULL, lease_owner TEXT,
        lease_until INTEGER, PRIMARY KEY (job_id, id));
      INSERT INTO jobs VALUES ('old', 'onboard', 1, NULL);
      INSERT INTO items (job_id, id, seq, input, state, snapshot, updated_at) VALUES ('old', 'c1', 1, '{"externalId":"c1"}', 'active', '{"value":"members"}', 1);`);
    old.close();
    const store = createSqliteStore({ path });
    expect(await store.getItem('old', 'c1')).toMatchObject({ input: { externalId: 'c1' }, snapshot: { value: 'members' }, machineVersion: null, unreadable: null });
    await store.claimItems('old', { owner: 'w', limit: 1, leaseMs: 60_000 });
    await store.saveItems('old', 'w', [{ id: 'c1', state: 'active', snapshot: { value: 'members' }, machineVersion: 1, dueAt: null }]);
    await store.close();
    const peek = new Database(path, { readonly: true });
    expect(peek.prepare(`SELECT value FROM meta WHERE key = 'schema_version'`).get()).toEqual({ value: String(SQLITE_SCHEMA_VERSION) });
    expect(peek.prepare('SELECT machine_version FROM items').all()).toEqual([{ machine_version: 1 }]);
    peek.close();
  });

  it('refuses a file from a newer mx-lifecycle and leaves it as it was', async () => {
    const path = freshPath();
    const first = createSqliteStore({ path });
    await first.ensureJob('job', 'onboard');
    await first.close();
    const edit = new Database(path);
    edit.prepare(`UPDATE meta SET value = '99' WHERE key = 'schema_version'`).run();
    edit.close();

    const newer = createSqliteStore({ path });
    const refusal = await newer.init().then(() => null, (error: unknown) => error);
    expect(refusal).toMatchObject({ code: 'MX_STORE_SCHEMA_TOO_NEW' });
    expect((refusal as Error).message).toContain('schema version 99');
    expect((refusal as Error).message).toContain('upgrade mx-lifecycle');
    await expect(newer.getJob('job')).rejects.toMatchObject({ code: 'MX_STORE_SCHEMA_TOO_NEW' });

    const check = new Database(path, { readonly: true });
    expect(check.prepare(`SELECT value FROM meta WHERE key = 'schema_version'`).get()).toEqual({ value: '99' });
    expect(check.prepare('SELECT id FROM jobs').all()).toEqual([{ id: 'job' }]);
    check.close();
  });

  it('refuses a file whose schema version it cannot read', async () => {
    const path = freshPath();
    await createSqliteStore({ path }).init();
    const edit = new Database(path);
    edit.prepare(`UPDATE meta SET value = 'two' WHERE key = 'schema_version'`).run();
    edit.close();
    await expect(createSqliteStore({ path }).init()).rejects.toMatchObject({ code: 'MX_STORE_BAD_SCHEMA' });
  });

  it('lets processes that open one new file at once share its items without overlap', async () => {
    const path = freshPath();
    const seed = createSqliteStore({ path });
    await seed.ensureJob('shared', 'onboard');
    await seed.addItems('shared', Array.from({ length: 600 }, (_, i) => ({ id: `c${i}`, input: i })));
    await seed.close();
    // The migration race needs an untouched file too: the children race on the second path.
    const untouched = freshPath();
    const script = join(root, 'claimer.mts');
    writeFileSync(script, `
      import { existsSync, writeFileSync } from 'node:fs';
      import { createSqliteStore } from ${JSON.stringify(resolve('src/durable/store/index.ts'))};
      const [path, untouched, owner, barrier] = process.argv.slice(2);
      const sleep = (ms) => new Promise((done) => setTimeout(done, ms));
      // Start together: wait until all three processes have loaded.
      writeFileSync(barrier + '.' + owner, '');
      while (!['p1', 'p2', 'p3'].every((p) => existsSync(barrier + '.' + p))) await sleep(5);
      await createSqliteStore({ path: untouched }).init();
      const store = createSqliteStore({ path, busyTimeoutMs: 20000 });
      const mine = [];
      for (;;) {
        const batch = await store.claimItems('shared', { owner, limit: 25, leaseMs: 60000, exclude: new Set(mine) });
        if (batch.length === 0) break;
        mine.push(...batch.map((item) => item.id));
        if (mine.length === batch.length) {
          // Each holds its first batch before any goes on: the claims overlap in time however the
          // machine schedules the processes (a busy one let the first take all 600 alone).
          writeFileSync(barrier + '.claimed.' + owner, '');
          while (!['p1', 'p2', 'p3'].every((p) => existsSync(barrier + '.claimed.' + p))) await sleep(5);
        }
        await sleep(2);
        await store.saveItems('shared', owner, batch.map((item) => ({ id: item.id, state: 'done', snapshot: { by: owner }, dueAt: null })));
      }
      process.stdout.write(JSON.stringify(mine));
    `);
    const run = promisify(execFile);
    const outputs = await Promise.all(['p1', 'p2', 'p3'].map((owner) =>
      run(process.execPath, ['--import', 'tsx', script, path, untouched, owner, join(root, `barrier-${fileCounter}`)], { timeout: 45_000 })));
    const claimed = outputs.map(({ stdout }) => JSON.parse(stdout) as string[]);
    const all = claimed.flat();
    expect(all).toHaveLength(600);
    expect(new Set(all).size).toBe(600);
    for (const ids of claimed) expect(ids.length).toBeGreaterThan(0);
    const store = createSqliteStore({ path });
    expect((await store.counts('shared')).done).toBe(600);
    // Every item was finished by the process that claimed it, and by no other.
    const claimedBy = new Map(claimed.flatMap((ids, p) => ids.map((id) => [id, `p${p + 1}`] as const)));
    for (const item of await store.listItems('shared')) expect((item.snapshot as { by: string }).by).toBe(claimedBy.get(item.id));
    await store.close();
    const migrated = new Database(untouched, { readonly: true });
    expect(migrated.prepare('SELECT value FROM meta').all()).toEqual([{ value: String(SQLITE_SCHEMA_VERSION) }]);
    migrated.close();
  }, 60_000);
});

describe('SQLite store bytes', () => {
  it('hold what was stored and nothing from the environment around it', async () => {
    const secret = 'sk_live_9fQ2xWm4TtB7v3Lp';
    const path = freshPath();
    process.env.MX_API_KEY = secret;
    try {
      const store = openStore(`sqlite:${path}`);
      await store.ensureJob('bytes-job', 'onboard');
      await store.addItems('bytes-job', [{ id: 'cust-7', input: { id: 'cust-7', email: 'marker-input@example.com' } }]);
      await store.claimItems('bytes-job', { owner: 'worker-a', limit: 1, leaseMs: 60_000 });
      await store.saveItems('bytes-job', 'worker-a', [
        { id: 'cust-7', state: 'done', snapshot: { value: 'done', marker: 'marker-snapshot' }, dueAt: null, outcome: { marker: 'marker-outcome' } },
      ]);
      // Read while open, so the WAL is still there with the latest pages in it.
      const bytes = Buffer.concat([readFileSync(path), readFileSync(`${path}-wal`)]).toString('latin1');
      for (const stored of ['marker-input@example.com', 'marker-snapshot', 'marker-outcome', 'bytes-job', 'cust-7']) {
        expect(bytes).toContain(stored);
      }
      expect(bytes).not.toContain(secret);
      expect(bytes).not.toContain(path);

      const peek = new Database(path, { readonly: true });
      expect(peek.prepare('SELECT name FROM sqlite_master WHERE type = ? ORDER BY name').all('table')).toEqual([
        { name: 'end_user_events' }, { name: 'item_counts' }, { name: 'item_history' }, { name: 'items' }, { name: 'jobs' }, { name: 'meta' },
      ]);
      expect(peek.prepare('SELECT * FROM item_counts').all()).toEqual([{ job_id: 'bytes-job', state: 'done', n: 1 }, { job_id: 'bytes-job', state: 'pending', n: 0 }]);
      expect(peek.prepare('SELECT * FROM meta').all()).toEqual([{ key: 'schema_version', value: String(SQLITE_SCHEMA_VERSION) }]);
      expect(peek.prepare('SELECT * FROM items').all()).toEqual([{
        job_id: 'bytes-job', id: 'cust-7', seq: 1,
        input: '{"id":"cust-7","email":"marker-input@example.com"}',
        state: 'done', snapshot: '{"value":"done","marker":"marker-snapshot"}', due_at: null,
        outcome: '{"marker":"marker-outcome"}', updated_at: expect.any(Number), lease_owner: null, lease_until: null,
        machine_version: null,
      }]);
      peek.close();
      await store.close();
    } finally {
      delete process.env.MX_API_KEY;
    }
  });
});
