/**
 * One process at a time runs a job of a SQLite store. The SQLite runtime claims items under one
 * owner for every process (so a restart after a crash takes its items back at once, without
 * waiting out leases), which also meant a second process on the same file ran every customer a
 * second time. The run lock is an exclusive SQLite lock on a small file beside the store: the
 * operating system drops it when the process ends, however it ends (SIGKILL included), so a stale
 * lock never blocks the next run.
 */
import { closeSync, openSync } from 'node:fs';
import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import { storeError } from './_internals/common.js';

/** A held run lock; `release` gives it back (closing the process does too). */
export interface RunLock {
  release(): void;
}

const SAFE = /^[A-Za-z0-9_.-]{1,100}$/;

/**
 * The lock file of `jobId` beside the store file at `path`.
 *
 * @example
 * runLockPath('.mx-lifecycle/march.sqlite', 'march') // '.mx-lifecycle/march.sqlite.march.lock'
 */
export function runLockPath(path: string, jobId: string): string {
  const name = SAFE.test(jobId) ? jobId : createHash('sha256').update(jobId).digest('hex').slice(0, 16);
  return `${path}.${name}.lock`;
}

/**
 * Takes the run lock of `jobId`, or throws a store error with code `MX_STORE_JOB_BUSY` when another
 * process holds it.
 *
 * @example
 * const lock = acquireRunLock('.mx-lifecycle/march.sqlite', 'march');
 * try { … } finally { lock.release(); }
 */
export function acquireRunLock(path: string, jobId: string): RunLock {
  const file = runLockPath(path, jobId);
  closeSync(openSync(file, 'a', 0o600));
  const db = new Database(file, { timeout: 0 });
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    // The first write takes the exclusive lock, and EXCLUSIVE locking mode keeps it until close.
    db.exec('CREATE TABLE IF NOT EXISTS run (pid INTEGER); DELETE FROM run; INSERT INTO run (pid) VALUES (' + String(process.pid) + ')');
  } catch (error) {
    db.close();
    if ((error as { code?: string }).code === 'SQLITE_BUSY') {
      throw storeError(
        'MX_STORE_JOB_BUSY',
        `job "${jobId}" is already running in another process on ${path}; wait for it to end, or use a PostgreSQL store to run several workers`,
      );
    }
    throw error;
  }
  let released = false;
  return {
    release() {
      if (released) return;
      released = true;
      db.close();
    },
  };
}

/**
 * The run locks one store holds, shared by everything that runs on that store: `retry` takes the
 * job's lock before it re-opens customers and keeps it while the run it starts on the same store
 * takes it again, so no other process can run them in between. The file lock itself is taken once
 * and given back when the last holder releases it.
 *
 * @example
 * const locks = createSharedRunLocks('.mx-lifecycle/march.sqlite');
 * const outer = locks.take('march'); // the file lock
 * const inner = locks.take('march'); // the same lock, shared
 * inner.release(); outer.release();   // given back now
 */
export function createSharedRunLocks(path: string) {
  const held = new Map<string, { lock: RunLock; holders: number }>();
  return {
    take(jobId: string): RunLock {
      let entry = held.get(jobId);
      if (!entry) {
        entry = { lock: acquireRunLock(path, jobId), holders: 0 };
        held.set(jobId, entry);
      }
      const shared = entry;
      shared.holders += 1;
      let released = false;
      return {
        release() {
          if (released) return;
          released = true;
          shared.holders -= 1;
          if (shared.holders > 0) return;
          held.delete(jobId);
          shared.lock.release();
        },
      };
    },
    releaseAll(): void {
      for (const { lock } of held.values()) lock.release();
      held.clear();
    },
  };
}
