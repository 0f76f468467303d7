/**
 * The three store backends a store test runs against: memory, a real SQLite file in a folder of the
 * test's own, and a real PostgreSQL schema of its own. The folder and every schema are dropped when
 * the test file ends.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll } from 'vitest';
import type { SnapshotStore } from '../../../src/durable/store/contract.js';
import { createMemoryStore, createPostgresStore, createSqliteStore } from '../../../src/durable/store/index.js';
import { PG_URL } from '../../support/services/urls.js';

/** The backends, named; `prefix` names the temp folder and the PostgreSQL schemas. */
export function storeBackends(prefix: string): { dir: string; schemaName: () => string; backends: { name: string; open: () => SnapshotStore }[] } {
  const dir = mkdtempSync(join(tmpdir(), `mx-${prefix}-`));
  const schemas: string[] = [];
  const schemaName = () => {
    const name = `mx_${prefix.replace(/\W/g, '_')}_${Math.random().toString(36).slice(2, 10)}`;
    schemas.push(name);
    return name;
  };
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    for (const s of schemas) await admin.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
    await admin.end();
  });
  return {
    dir,
    schemaName,
    backends: [
      { name: 'memory', open: () => createMemoryStore() },
      { name: 'sqlite', open: () => createSqliteStore({ path: join(dir, `${Math.random().toString(36).slice(2)}.sqlite`) }) },
      { name: 'postgres', open: () => createPostgresStore({ connectionString: PG_URL, schema: schemaName() }) },
    ],
  };
}
