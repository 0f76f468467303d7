/**
 * What the CLI derives from a store URL: a job's default store and report, the SQLite file it
 * names, and a form fit to print. The URL itself is read by the store's own parser.
 */
import { dirname, join } from 'node:path';
import { parseStoreUrl } from '../../durable/index.js';

/**
 * The default store of a job: a SQLite file under ./.mx-lifecycle (gitignored).
 *
 * @example
 * defaultStoreOf('march') // 'sqlite:.mx-lifecycle/march.sqlite'
 */
export const defaultStoreOf = (job: string): string => `sqlite:${join('.mx-lifecycle', `${job}.sqlite`)}`;

/**
 * The SQLite file a store URL names, or null for another backend.
 *
 * @example
 * sqlitePathOf('sqlite:jobs/march.sqlite') // 'jobs/march.sqlite'
 */
export function sqlitePathOf(store: string): string | null {
  try {
    const target = parseStoreUrl(store);
    return target.kind === 'sqlite' ? target.path : null;
  } catch {
    return null;
  }
}

/**
 * The report beside a SQLite store, or under ./.mx-lifecycle for other stores.
 *
 * @example
 * defaultReportOf('sqlite:jobs/march.sqlite', 'march') // 'jobs/march.report.json'
 */
export function defaultReportOf(store: string, job: string): string {
  const sqlite = sqlitePathOf(store);
  return join(sqlite && sqlite !== ':memory:' ? dirname(sqlite) : '.mx-lifecycle', `${job}.report.json`);
}

/**
 * A store URL fit to print: a PostgreSQL password becomes `***`.
 *
 * @example
 * describeStore('postgres://app:s3cret@db/jobs') // 'postgres://app:***@db/jobs'
 */
export function describeStore(store: string): string {
  if (!/^postgres(ql)?:\/\//i.test(store)) return store;
  try {
    const url = new URL(store);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return 'postgres://…';
  }
}

/**
 * The ` --store URL` a follow-up command needs, printed scrubbed, or '' for the job's default store.
 *
 * @example
 * storeFlagOf('sqlite:.mx-lifecycle/march.sqlite', 'march') // ''
 */
export function storeFlagOf(store: string, job: string): string {
  return store === defaultStoreOf(job) ? '' : ` --store ${describeStore(store)}`;
}
