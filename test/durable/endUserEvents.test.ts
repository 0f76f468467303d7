/**
 * The end-user link events in every store backend (memory, a real SQLite file, a real PostgreSQL
 * schema), and the schema migration that adds them to a database written before they existed.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createPostgresStore, createSqliteStore, endUserEventKey } from '../../src/durable/store/index.js';
import { PG_URL } from '../support/services/urls.js';
import { storeBackends } from './support/backends.js';

const { dir, schemaName, backends } = storeBackends('eue');

describe.each(backends)('end-user events, $name', ({ open }) => {
  it('counts connections invited and opened, once each however often, per job', async () => {
    const store = open();
    try {
      await store.init();
      await store.ensureJob('j1', 'onboard');
      await store.recordEndUserEvent('j1', 'cust-1', 'cust-1-bank', 'invited');
      await store.recordEndUserEvent('j1', 'cust-1', 'cust-1-bank', 'invited');
      await store.recordEndUserEvent('j1', 'cust-1', 'cust-1-bank', 'opened');
      await store.recordEndUserEvent('j1', 'cust-2', 'cust-2-bank', 'invited');
      await store.recordEndUserEvent('j2', 'cust-1', 'cust-1-bank', 'invited');
      expect(await store.endUserCounts('j1')).toEqual({ invited: 2, opened: 1 });
      expect(await store.endUserCounts('j2')).toEqual({ invited: 1, opened: 0 });
      expect(await store.endUserCounts('none')).toEqual({ invited: 0, opened: 0 });
      // Per connection, for export: only the customers asked for, only this job's events.
      const events = await store.endUserEventsOf('j1', ['cust-1', 'cust-3']);
      expect([...events.entries()].map(([key, kinds]) => [key, [...kinds].toSorted()])).toEqual([
        [endUserEventKey('cust-1', 'cust-1-bank'), ['invited', 'opened']],
      ]);
      expect((await store.endUserEventsOf('j1', [])).size).toBe(0);
      await expect(store.recordEndUserEvent('j1', 'c', 'm', 'clicked' as never)).rejects.toMatchObject({ code: 'MX_STORE_BAD_OPTIONS' });
    } finally {
      await store.close();
    }
  });
});

describe('a database written before end-user events', () => {
  it('SQLite: version 1 is migrated and keeps its items', async () => {
    const path = join(dir, 'v1.sqlite');
    const old = new Database(path);
    old.exec(`CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      INSERT INTO meta VALUES ('schema_version', '1');
      CREATE TABLE jobs (id TEXT PRIMARY KEY, kind TEXT NOT NULL, created_at INTEGER NOT NULL, halt TEXT);
      CREATE TABLE items (job_id TEXT NOT NULL REFERENCES jobs (id), id TEXT NOT NULL, seq INTEGER NOT NULL, input TEXT, state TEXT NOT NULL,
        snapshot TEXT, due_at INTEGER, outcome TEXT, updated_at INTEGER NOT NULL, lease_owner TEXT, lease_until INTEGER, PRIMARY KEY (job_id, id));
      INSERT INTO jobs VALUES ('old', 'onboard', 1, NULL);
      INSERT INTO items VALUES ('old', 'cust-1', 1, '{}', 'pending', NULL, NULL, NULL, 1, NULL, NULL);`);
    old.close();
    const store = createSqliteStore({ path });
    try {
      await store.recordEndUserEvent('old', 'cust-1', 'cust-1-bank', 'opened');
      expect(await store.endUserCounts('old')).toEqual({ invited: 0, opened: 1 });
      expect((await store.counts('old')).pending).toBe(1);
      // Version 4 adds the pause: an old job is not paused, and can be.
      expect((await store.getJob('old'))?.pausedAt).toBeNull();
      expect((await store.setPaused('old', true)).pausedAt).toEqual(expect.any(Number));
    } finally {
      await store.close();
    }
  });

  it('PostgreSQL: version 1 is migrated and keeps its items', async () => {
    const schema = schemaName();
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    await admin.query(`CREATE SCHEMA "${schema}";
      CREATE TABLE "${schema}".meta (key text PRIMARY KEY, value text NOT NULL);
      INSERT INTO "${schema}".meta VALUES ('schema_version', '1');
      CREATE TABLE "${schema}".jobs (id text PRIMARY KEY, kind text NOT NULL, created_at timestamptz NOT NULL DEFAULT now(), halt text);
      CREATE TABLE "${schema}".items (job_id text NOT NULL, id text NOT NULL, seq bigint NOT NULL, input text, state text NOT NULL, snapshot text,
        due_at double precision, outcome text, updated_at timestamptz NOT NULL DEFAULT now(), lease_owner text, lease_until timestamptz, PRIMARY KEY (job_id, id));
      INSERT INTO "${schema}".jobs (id, kind) VALUES ('old', 'onboard');
      INSERT INTO "${schema}".items (job_id, id, seq, input, state) VALUES ('old', 'cust-1', 1, '{}', 'pending');`);
    await admin.end();
    const store = createPostgresStore({ connectionString: PG_URL, schema });
    try {
      await store.init();
      await store.recordEndUserEvent('old', 'cust-1', 'cust-1-bank', 'invited');
      expect(await store.endUserCounts('old')).toEqual({ invited: 1, opened: 0 });
      expect((await store.counts('old')).pending).toBe(1);
      expect((await store.getJob('old'))?.pausedAt).toBeNull();
      expect((await store.setPaused('old', true)).pausedAt).toEqual(expect.any(Number));
    } finally {
      await store.close();
    }
  });
});
