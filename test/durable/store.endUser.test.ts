/**
 * `ListOptions.endUser` in every store backend: the customers whose input may hold a connection its
 * end user makes (`connect` oauth, widget or auto), found without a walk of the whole job, which the
 * end-user counts of `status` did over every customer (8 s of a 10-s status over a million). On
 * SQLite and PostgreSQL the listing must take the partial index built for it.
 */
import Database from 'better-sqlite3';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { endUserTally } from '../../src/durable/index.js';
import { createPostgresStore, createSqliteStore } from '../../src/durable/store/index.js';
import { itemsFor, SQLITE_END_USER_TEST } from '../../src/durable/store/sqliteSchema.js';
import { PG_END_USER_TEST } from '../../src/durable/store/postgresSchema.js';
import { PG_URL } from '../support/services/urls.js';
import { storeBackends } from './support/backends.js';

const { dir, schemaName, backends } = storeBackends('enduser');

/** Inputs as the onboarding program writes them: every member names how it connects. */
const member = (id: string, connect: string) => ({ externalId: id, institutionCode: 'mxbank', connect });
const inputs = [
  { id: 'creds', input: { externalId: 'creds', members: [member('creds-m0', 'credentials')] } },
  { id: 'oauth', input: { externalId: 'oauth', members: [member('oauth-m0', 'credentials'), member('oauth-m1', 'oauth')] } },
  { id: 'none', input: { externalId: 'none', members: [] } },
  { id: 'widget', input: { externalId: 'widget', members: [member('widget-m0', 'widget')] } },
  // Metadata is kept as a JSON string, so its own "connect" cannot pass for a member's.
  { id: 'meta', input: { externalId: 'meta', metadata: JSON.stringify({ connect: 'oauth' }), members: [member('meta-m0', 'credentials')] } },
  { id: 'auto', input: { externalId: 'auto', members: [member('auto-m0', 'auto')] } },
];

describe.each(backends)('items that may hold an end-user connection, $name', ({ open }) => {
  it('lists exactly those whose input names oauth, widget or auto, in order and by page, and counts from them', async () => {
    const store = open();
    try {
      await store.init();
      await store.ensureJob('j', 'onboard');
      await store.addItems('j', inputs);
      const all = await store.listItems('j', { endUser: true });
      expect(all.map((item) => item.id)).toEqual(['oauth', 'widget', 'auto']);
      const page = await store.listItems('j', { endUser: true, afterSeq: all[0]!.seq, limit: 1 });
      expect(page.map((item) => item.id)).toEqual(['widget']);
      expect(await store.listItems('j', { endUser: true, states: ['done'] })).toEqual([]);
      // The tally reads those: the oauth and the widget connections, waiting to start.
      expect(await endUserTally(store, 'j')).toMatchObject({ connections: 2, connected: 0, waiting: 0 });
    } finally {
      await store.close();
    }
  });
});

describe('the end-user listing takes its partial index', () => {
  it('on SQLite', async () => {
    const path = `${dir}/plan.sqlite`;
    const store = createSqliteStore({ path });
    await store.ensureJob('j', 'onboard');
    await store.close();
    const peek = new Database(path, { readonly: true });
    try {
      const plan = peek.prepare(`EXPLAIN QUERY PLAN SELECT id FROM ${itemsFor({ endUser: true })} WHERE job_id = ? AND seq > ? AND ${SQLITE_END_USER_TEST} ORDER BY seq LIMIT ?`)
        .all('j', 0, 10) as Array<{ detail: string }>;
      expect(plan.map((row) => row.detail).join('\n')).toContain('items_end_user_by_seq');
    } finally {
      peek.close();
    }
  });

  it('on PostgreSQL, where the planner chooses it over a job of 5,000 credential customers', async () => {
    const schema = schemaName();
    const store = createPostgresStore({ connectionString: PG_URL, schema });
    await store.init();
    await store.ensureJob('j', 'onboard');
    await store.addItems('j', Array.from({ length: 5_000 }, (_, i) => ({ id: `c${i}`, input: { externalId: `c${i}`, members: [member(`c${i}-m0`, 'credentials')] } })));
    await store.addItems('j', [inputs[1]!]);
    await store.close();
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    try {
      await client.query(`ANALYZE "${schema}".items`);
      const { rows } = await client.query<{ 'QUERY PLAN': string }>(
        `EXPLAIN SELECT i.id FROM "${schema}".items AS i WHERE i.job_id = $1 AND i.seq > $2 AND ${PG_END_USER_TEST('i')} ORDER BY i.seq LIMIT 500`,
        ['j', 0],
      );
      expect(rows.map((row) => row['QUERY PLAN']).join('\n')).toContain('items_end_user_by_seq');
    } finally {
      await client.end();
    }
  });
});
