/**
 * Picks a store backend from the one string a user passes on the command line (`--store`).
 */
import type { SnapshotStore } from './contract.js';
import { storeError } from './storeError.js';
import { createMemoryStore } from './memory.js';
import { createPostgresStore } from './postgres.js';
import { createSqliteStore } from './sqlite.js';

const SQLITE_FILE = /\.(sqlite3?|db)$/i;
const USAGE = 'use sqlite:PATH, a file path ending .sqlite or .db, postgres://USER@HOST:PORT/DB[?schema=NAME], or memory:';

/**
 * Opens the store a URL names; the schema is created on first use (or call `init()`).
 *
 * - `sqlite:PATH` (also `sqlite:///abs/path`), or a plain path ending `.sqlite`, `.sqlite3` or `.db`: SQLite.
 * - `postgres://…` or `postgresql://…`: PostgreSQL; a `schema` query parameter picks the schema
 *   (default `mx_lifecycle`) and is not passed on to the server.
 * - `memory:`: a store that forgets everything on exit (tests only).
 *
 * An error never repeats the URL beyond its scheme, which may carry a password.
 *
 * @example
 * ```ts
 * const store = openStore(process.env.MX_STORE ?? 'sqlite:./mx-lifecycle.sqlite');
 * await store.init();
 * ```
 */
export function openStore(url: string): SnapshotStore {
  const target = parseStoreUrl(url);
  if (target.kind === 'memory') return createMemoryStore();
  if (target.kind === 'sqlite') return createSqliteStore({ path: target.path });
  return createPostgresStore({ connectionString: target.connectionString, ...(target.schema ? { schema: target.schema } : {}) });
}

/** What a store URL names. */
export type StoreTarget =
  | { kind: 'memory' }
  | { kind: 'sqlite'; path: string }
  | { kind: 'postgres'; connectionString: string; schema: string | null };

/**
 * Reads a store URL the way `openStore` does, without opening anything; a URL it cannot use throws
 * an `MX_STORE_BAD_URL` store error.
 *
 * @example
 * ```ts
 * parseStoreUrl('sqlite:jobs/march.sqlite'); // { kind: 'sqlite', path: 'jobs/march.sqlite' }
 * ```
 */
export function parseStoreUrl(url: string): StoreTarget {
  if (url === 'memory:') return { kind: 'memory' };
  if (url.startsWith('sqlite:')) {
    const rest = url.slice('sqlite:'.length);
    const path = rest.startsWith('//') ? rest.slice(2) : rest;
    if (path === '') throw storeError('MX_STORE_BAD_URL', `the sqlite: store needs a file path, e.g. sqlite:./jobs.sqlite`);
    return { kind: 'sqlite', path };
  }
  if (/^postgres(ql)?:\/\//i.test(url)) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw storeError('MX_STORE_BAD_URL', `the postgres:// store URL cannot be parsed; ${USAGE}`);
    }
    const schema = parsed.searchParams.get('schema');
    parsed.searchParams.delete('schema');
    return { kind: 'postgres', connectionString: parsed.toString(), schema };
  }
  if (SQLITE_FILE.test(url)) return { kind: 'sqlite', path: url };
  const colon = url.indexOf(':');
  const shown = colon > 0 ? `${url.slice(0, Math.min(colon, 20))}:…` : url;
  throw storeError('MX_STORE_BAD_URL', `unsupported store ${JSON.stringify(shown)}; ${USAGE}`);
}
