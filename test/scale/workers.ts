/**
 * What the scale-out tests share: real `mx-lifecycle onboard` worker processes, a fresh PostgreSQL
 * schema per test, the Redis URL, and a watcher that reads the items table to learn which worker
 * held which customer. PostgreSQL and Redis are the ones the global setup chose
 * (test/support/services).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import pg from 'pg';

import { PG_URL, REDIS_URL } from '../support/services/urls.js';

export { PG_URL, REDIS_URL };

export const REPO = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const MAIN = join(REPO, 'src/cli/main.ts');
/** tsx's loader, for running the project's TypeScript in child processes. */
export const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

let counter = 0;
/** A name no other test (or earlier run) uses: for schemas, jobs and sandbox clients. */
export const uniqueName = (prefix: string): string => `${prefix}_${process.pid}_${Date.now().toString(36)}_${++counter}`;

/** The store URL of a schema: the test database's URL with `?schema=`. */
export function storeUrl(schema: string): string {
  const url = new URL(PG_URL);
  url.searchParams.set('schema', schema);
  return url.toString();
}

export interface Worker {
  /** 1, 2, 3: the order the test started them in. */
  n: number;
  child: ChildProcess;
  pid: number;
  /** Resolves when the process has exited: its code (null after a signal), stdout and stderr. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
  /** What it has written so far. */
  output(): { stdout: string; stderr: string };
}

/** Every worker a test started, so `afterEach` can end the ones still running. */
export const running = new Set<ChildProcess>();
const tempDirs = new Set<string>();
const tempDir = (prefix: string): string => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.add(dir);
  return dir;
};

/** Starts `mx-lifecycle onboard ...args` as its own process, with only the environment given. */
export function startWorker(n: number, args: string[], env: Record<string, string>): Worker {
  const dir = tempDir('mx-scale-');
  const child = spawn(process.execPath, ['--import', TSX, MAIN, 'onboard', ...args, '--report', join(dir, 'report.json')], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((done) => {
    child.on('close', (code, signal) => {
      running.delete(child);
      done({ code, signal, stdout, stderr });
    });
  });
  if (child.pid === undefined) throw new Error('mx-lifecycle onboard did not start');
  return { n, child, pid: child.pid, exited, output: () => ({ stdout, stderr }) };
}

/** Ends every worker still running (a failed test must not leave one behind) and removes their folders. */
export function killAll(): void {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
}

/** One JSONL customer; the mxbank password picks how the connection ends. */
export function customerLine(id: string, passwords: readonly string[]): string {
  return JSON.stringify({
    id,
    email: `${id}@example.com`,
    members: passwords.map((password, i) => ({
      id: `${id}-m${i}`,
      institution_code: 'mxbank',
      credentials: { username: 'mxuser', password },
    })),
  });
}

export interface PlannedCustomer {
  id: string;
  passwords: string[];
}

export interface PlannedInput {
  /** The JSONL file. */
  path: string;
  ids: string[];
  /** Connections in the file, all customers together. */
  members: number;
  lines: PlannedCustomer[];
}

/**
 * `count` customers with a mix of outcomes: most connect, some are denied or locked (need action),
 * some get an MFA challenge nobody answers (need action), a few have two connections or none.
 */
export function writeCustomers(count: number, prefix: string): PlannedInput {
  const dir = tempDir('mx-scale-input-');
  const ids: string[] = [];
  const planned: PlannedCustomer[] = [];
  let members = 0;
  const lines: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const id = `${prefix}-${String(i).padStart(4, '0')}`;
    const passwords =
      i % 50 === 7 ? [] : i % 20 === 3 ? ['denied'] : i % 30 === 11 ? ['locked'] : i % 25 === 5 ? ['challenge'] : i % 10 === 9 ? ['password', 'password'] : ['password'];
    ids.push(id);
    members += passwords.length;
    planned.push({ id, passwords });
    lines.push(customerLine(id, passwords));
  }
  const path = join(dir, 'customers.jsonl');
  writeFileSync(path, `${lines.join('\n')}\n`);
  return { path, ids, members, lines: planned };
}

/** Creates nothing: openStore creates the schema. Drops it (and everything in it) afterwards. */
export async function dropSchema(admin: pg.Pool, schema: string): Promise<void> {
  await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
}

/** The pid in a lease owner (`host:pid:random`), which the runtime makes for a PostgreSQL store. */
export function pidOfOwner(owner: string): number | null {
  const parts = owner.split(':');
  const pid = Number(parts.at(-2));
  return Number.isInteger(pid) ? pid : null;
}

export interface ItemHistory {
  /** The owners that held the item's lease, in the order they were first seen. */
  owners: string[];
  /** The last owner seen while the item was open: the worker that finished it. */
  lastOwner: string | null;
  /** When the item was first seen final (epoch ms). */
  finalAt: number | null;
  /** When each owner was first seen holding it (epoch ms). */
  firstSeen: Map<string, number>;
}

export interface LeaseWatch {
  histories: Map<string, ItemHistory>;
  /** The open items an owner holds right now, read fresh from the table. */
  heldBy(owner: string): Promise<Array<{ id: string; leaseUntil: number }>>;
  stop(): Promise<void>;
}

const FINAL = new Set(['done', 'needsAction', 'failed', 'cancelled']);

/**
 * Reads the items table every `everyMs` and keeps, per item, who held its lease. An item that is
 * claimed and finished between two reads is missed, which only makes the per-worker figures rough.
 */
export function watchLeases(admin: pg.Pool, schema: string, job: string, everyMs = 100): LeaseWatch {
  const histories = new Map<string, ItemHistory>();
  const stopping = new AbortController();
  const read = async (): Promise<void> => {
    const { rows } = await admin.query<{ id: string; state: string; lease_owner: string | null }>(
      `SELECT id, state, lease_owner FROM "${schema}".items WHERE job_id = $1`,
      [job],
    );
    const now = Date.now();
    for (const row of rows) {
      let history = histories.get(row.id);
      if (!history) histories.set(row.id, (history = { owners: [], lastOwner: null, finalAt: null, firstSeen: new Map() }));
      if (FINAL.has(row.state)) {
        history.finalAt ??= now;
      } else if (row.lease_owner) {
        if (!history.firstSeen.has(row.lease_owner)) {
          history.firstSeen.set(row.lease_owner, now);
          history.owners.push(row.lease_owner);
        }
        history.lastOwner = row.lease_owner;
      }
    }
  };
  const loop = (async () => {
    // The schema appears when the first worker starts; until then there is nothing to read.
    while (!stopping.signal.aborted) {
      await read().catch(() => undefined);
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    histories,
    async heldBy(owner) {
      // FOR UPDATE waits for a transaction that already holds one of these rows (a dead worker's
      // last save, sent before it died and committed after) and reads the rows as it left them.
      const client = await admin.connect();
      try {
        await client.query('BEGIN');
        const { rows } = await client.query<{ id: string; lease_until: number }>(
          `SELECT id, floor(extract(epoch FROM lease_until) * 1000)::float8 AS lease_until FROM "${schema}".items
           WHERE job_id = $1 AND lease_owner = $2 AND state NOT IN ('done', 'needsAction', 'failed', 'cancelled') FOR UPDATE`,
          [job, owner],
        );
        await client.query('COMMIT');
        return rows.map((row) => ({ id: row.id, leaseUntil: row.lease_until }));
      } finally {
        client.release();
      }
    },
    async stop() {
      stopping.abort();
      await loop;
      await read().catch(() => undefined);
    },
  };
}

/** How many items each worker finished, by the pid in the last lease owner seen. */
export function itemsPerWorker(watch: LeaseWatch, workers: readonly Worker[]): Record<string, number> {
  const perPid = new Map<number, number>();
  let unseen = 0;
  for (const history of watch.histories.values()) {
    const pid = history.lastOwner ? pidOfOwner(history.lastOwner) : null;
    if (pid === null) unseen += 1;
    else perPid.set(pid, (perPid.get(pid) ?? 0) + 1);
  }
  const figures: Record<string, number> = {};
  for (const worker of workers) figures[`worker ${worker.n}`] = perPid.get(worker.pid) ?? 0;
  if (unseen > 0) figures['not seen leased'] = unseen;
  return figures;
}
