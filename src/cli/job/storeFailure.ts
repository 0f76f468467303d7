/**
 * A store that fails in the middle of a run (a full disk, a read-only file or folder, an I/O
 * error, a database that went away) ends the run with one line that says what to fix, and exit 69.
 */
import { EXIT_UNAVAILABLE } from '../ui/output.js';

const FULL = /^(SQLITE_FULL|ENOSPC|EDQUOT|53100)$/;
const READ_ONLY = /^(SQLITE_READONLY\w*|SQLITE_CANTOPEN\w*|SQLITE_PERM|SQLITE_AUTH|EROFS|EACCES|EPERM|25006|42501)$/;
const IO = /^(SQLITE_IOERR\w*|SQLITE_CORRUPT\w*|EIO|58030|XX001)$/;
const OTHER = /^(E[A-Z]+|SQLITE_[A-Z_]+|08[0-9A-Z]{3}|57P0[1-3]|53[0-9A-Z]{3})$/;

/**
 * The exit code and one line for a store failure during a run, or `null` when `error` is not one.
 *
 * @example
 * storeFailure(Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' }), 'sqlite:/data/march.sqlite')
 * // { code: 69, message: 'the store sqlite:/data/march.sqlite is full (SQLITE_FULL: database or disk is full): the job stopped; free some space, then run the same command again to continue' }
 */
export function storeFailure(error: unknown, store: string): { code: number; message: string } | null {
  if (!(error instanceof Error)) return null;
  const code = (error as NodeJS.ErrnoException).code;
  if (typeof code !== 'string' || !OTHER.test(code) && !FULL.test(code) && !READ_ONLY.test(code) && !IO.test(code)) return null;
  const said = `${code}: ${error.message.split('\n')[0] ?? ''}`;
  const again = 'then run the same command again to continue';
  const what = FULL.test(code)
    ? `is full (${said}): the job stopped; free some space, ${again}`
    : READ_ONLY.test(code)
      ? `cannot be written (${said}): the job stopped; make the file and its folder writable, ${again}`
      : IO.test(code)
        ? `failed to write (${said}): the job stopped; check the disk, ${again}`
        : `failed (${said}): the job stopped; check that the store is up, ${again}`;
  return { code: EXIT_UNAVAILABLE, message: `the store ${store} ${what}` };
}
