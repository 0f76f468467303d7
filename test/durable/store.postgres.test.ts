/**
 * What only the PostgreSQL store has: workers that migrate one schema at the same moment, a schema
 * from a newer release refused, a caller's pool left open, and a URL's password kept out of the tables.
 */
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createPostgresStore, openStore, PG_SCHEMA_VERSION } from '../../src/durable/store/index.js';
import { PG_URL } from '../support/services/urls.js';

const prefix = `mx_pgstore_${process.pid}_${Date.now().toString(36)}`;
let schemaCounter = 0;
const freshSchema = () => `${prefix}_${++schemaCounter}`;

const admin = new pg.Pool({ connectionString: PG_URL, max: 2 });
afterAll(async () => {
  const { rows } = await admin.query<{ name: string }>(
    'SELECT nspname AS name FROM pg_namespace WHERE nspname LIKE $1', [`${prefix}%`],
  );
  for (const { name } of rows) await admin.query(`DROP SCHEMA "${name}" CASCADE`);
  await admin.end();
});

describe('PostgreSQL store schema', () => {
  it('is created exactly once when several workers start at the same moment', async () => {
    const schema = freshSchema();
    const workers = Array.from({ length: 5 }, () => createPostgresStore({ connectionString: PG_URL, schema, poolSize: 1 }));
    try {
      const results = await Promise.allSettled(workers.map((worker) => worker.ensureJob('job', 'onboard')));
      expect(results.map((result) => result.status)).toEqual(Array(5).fill('fulfilled'));
      const meta = await admin.query(`SELECT key, value FROM "${schema}".meta`);
      expect(meta.rows).toEqual([{ key: 'schema_version', value: String(PG_SCHEMA_VERSION) }]);
      const tables = await admin.query(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name`, [schema],
      );
      expect(tables.rows.map((row: { table_name: string }) => row.table_name)).toEqual(['end_user_events', 'item_history', 'items', 'jobs', 'meta']);
      expect((await admin.query(`SELECT id FROM "${schema}".jobs`)).rows).toEqual([{ id: 'job' }]);
    } finally {
      await Promise.all(workers.map((worker) => worker.close()));
    }
  });

  it('refuses a schema from a newer mx-lifecycle, and one whose version it cannot read', async () => {
    const schema = freshSchema();
    const first = createPostgresStore({ connectionString: PG_URL, schema });
    await first.init();
    await first.close();
    await admin.query(`UPDATE "${schema}".meta SET value = '42' WHERE key = 'schema_version'`);
    const newer = createPostgresStore({ connectionString: PG_URL, schema });
    const refusal = await newer.init().then(() => null, (error: unknown) => error);
    expect(refusal).toMatchObject({ code: 'MX_STORE_SCHEMA_TOO_NEW' });
    expect((refusal as Error).message).toContain('schema version 42');
    await newer.close();
    expect((await admin.query(`SELECT value FROM "${schema}".meta`)).rows).toEqual([{ value: '42' }]);

    await admin.query(`UPDATE "${schema}".meta SET value = 'x' WHERE key = 'schema_version'`);
    const confused = createPostgresStore({ connectionString: PG_URL, schema });
    await expect(confused.init()).rejects.toMatchObject({ code: 'MX_STORE_BAD_SCHEMA' });
    await confused.close();
  });

  it('adds the machines version to a schema the previous release made, and its rows read as stored before versions were kept', async () => {
    const schema = freshSchema();
    // The schema as schema version 1 left it, with a customer in the middle of its job.
    await admin.query(`CREATE SCHEMA "${schema}";
      CREATE TABLE "${schema}".meta (key text PRIMARY KEY, value text NOT NULL);
      INSERT INTO "${schema}".meta VALUES ('schema_version', '1');
      CREATE TABLE "${schema}".jobs (id text PRIMARY KEY, kind text NOT NULL, created_at timestamptz NOT NULL DEFAULT now(), halt text);
      CREATE TABLE "${schema}".items (job_id text NOT NULL REFERENCES "${schema}".jobs (id), id text NOT NULL, seq bigint NOT NULL,
        input text, state text NOT NULL, snapshot text, due_at double precision, outcome text,
        updated_at timestamptz NOT NULL DEFAULT now(), lease_owner text, lease_until timestamptz,
        PRIMARY KEY (job_id, id), UNIQUE (job_id, seq));
      INSERT INTO "${schema}".jobs (id, kind) VALUES ('old', 'onboard');
      INSERT INTO "${schema}".items (job_id, id, seq, input, state, snapshot) VALUES ('old', 'c1', 1, '{"externalId":"c1"}', 'active', '{"value":"members"}');`);
    const store = createPostgresStore({ connectionString: PG_URL, schema });
    try {
      expect(await store.getItem('old', 'c1')).toMatchObject({ input: { externalId: 'c1' }, snapshot: { value: 'members' }, machineVersion: null, unreadable: null });
      expect((await admin.query(`SELECT value FROM "${schema}".meta`)).rows).toEqual([{ value: String(PG_SCHEMA_VERSION) }]);
      await store.claimItems('old', { owner: 'w', limit: 1, leaseMs: 60_000 });
      await store.saveItems('old', 'w', [{ id: 'c1', state: 'active', snapshot: { value: 'members' }, machineVersion: 1, dueAt: null }]);
      expect((await admin.query(`SELECT machine_version FROM "${schema}".items`)).rows).toEqual([{ machine_version: 1 }]);
    } finally {
      await store.close();
    }
  });

  it('accepts only a plain identifier as schema name, and needs somewhere to connect', () => {
    expect(() => createPostgresStore({ connectionString: PG_URL, schema: 'x"; DROP TABLE y; --' })).toThrow(
      expect.objectContaining({ code: 'MX_STORE_BAD_OPTIONS' }),
    );
    expect(() => createPostgresStore({ connectionString: '' })).toThrow(/createPostgresStore\(\{ connectionString: /);
  });
});

describe('PostgreSQL store connections', () => {
  it('leaves a pool it was given open when it closes', async () => {
    const pool = new pg.Pool({ connectionString: PG_URL, max: 2 });
    const store = createPostgresStore({ pool, schema: freshSchema() });
    await store.ensureJob('job', 'offboard');
    await store.close();
    await expect(store.getJob('job')).rejects.toMatchObject({ code: 'MX_STORE_CLOSED' });
    expect((await pool.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    await pool.end();
  });

  it('keeps the URL\'s password out of every table and takes the schema from the URL', async () => {
    const password = 'pw_Zr8Kq2vLx0';
    const url = new URL(PG_URL);
    url.password = password;
    const schema = freshSchema();
    url.searchParams.set('schema', schema);
    const store = openStore(url.toString());
    expect(store.kind).toBe('postgres');
    await store.ensureJob('job', 'onboard');
    await store.addItems('job', [{ id: 'c1', input: { marker: 'stored-input' } }]);
    await store.claimItems('job', { owner: 'w1', limit: 1, leaseMs: 60_000 });
    await store.saveItems('job', 'w1', [{ id: 'c1', state: 'active', snapshot: { marker: 'stored-snapshot' }, dueAt: null }]);
    await store.close();
    const dump = await admin.query<{ row: string }>(
      `SELECT to_jsonb(t)::text AS row FROM "${schema}".meta t
       UNION ALL SELECT to_jsonb(t)::text FROM "${schema}".jobs t
       UNION ALL SELECT to_jsonb(t)::text FROM "${schema}".items t`,
    );
    const text = dump.rows.map((row) => row.row).join('\n');
    expect(text).toContain('stored-input');
    expect(text).toContain('stored-snapshot');
    expect(text).not.toContain(password);
    expect(text).not.toContain('postgres://');
  });

  it('sets lease_until leaseMs after the server\'s now()', async () => {
    const schema = freshSchema();
    const store = createPostgresStore({ connectionString: PG_URL, schema });
    await store.ensureJob('job', 'onboard');
    await store.addItems('job', [{ id: 'c1', input: null }]);
    await store.claimItems('job', { owner: 'w1', limit: 1, leaseMs: 90_000 });
    const { rows } = await admin.query<{ ms: number }>(
      `SELECT extract(epoch FROM lease_until - now()) * 1000 AS ms FROM "${schema}".items WHERE id = 'c1'`,
    );
    expect(Number(rows[0]!.ms)).toBeGreaterThan(80_000);
    expect(Number(rows[0]!.ms)).toBeLessThanOrEqual(90_000);
    await store.close();
  });

  it('renews and saves one worker\'s items at the same time without deadlocking', async () => {
    const store = createPostgresStore({ connectionString: PG_URL, schema: freshSchema(), poolSize: 4 });
    await store.ensureJob('job', 'onboard');
    await store.addItems('job', Array.from({ length: 1_000 }, (_, i) => ({ id: `c${String(i).padStart(4, '0')}`, input: null })));
    const held = await store.claimItems('job', { owner: 'w1', limit: 1_000, leaseMs: 60_000 });
    // Saves list the items in the opposite order to the table's, which is what used to deadlock.
    const reversed = held.toReversed();
    const failures: string[] = [];
    const counts = { saves: 0, renewals: 0 };
    const until = Date.now() + 2_500;
    const saver = async () => {
      while (Date.now() < until) {
        const batch = reversed.map((item) => ({ id: item.id, state: 'active' as const, snapshot: { at: Date.now() }, dueAt: null }));
        await store.saveItems('job', 'w1', batch).then((ids) => {
          counts.saves += 1;
          if (ids.length !== 1_000) failures.push(`saved ${ids.length}`);
        }, (error: Error) => failures.push(error.message));
      }
    };
    const renewer = async () => {
      while (Date.now() < until) {
        await store.renewLeases('job', 'w1', 60_000).then((ids) => {
          counts.renewals += 1;
          if (ids.length !== 1_000) failures.push(`renewed ${ids.length}`);
        }, (error: Error) => failures.push(error.message));
      }
    };
    await Promise.all([saver(), saver(), renewer()]);
    await store.close();
    expect(failures).toEqual([]);
    expect(counts.saves).toBeGreaterThan(1);
    expect(counts.renewals).toBeGreaterThan(1);
  });
});
