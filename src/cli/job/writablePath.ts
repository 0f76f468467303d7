/**
 * Whether a file can be written at a path, found without `mkdir(..., { recursive: true })`: under
 * /proc, Node 20's recursive mkdir never returns (it spun at 98 % CPU on `--report /proc/nope/r.json`),
 * so the missing folders are made one level at a time and the first refusal ends the check.
 */
import { mkdir, open, rm, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

/** Why a file cannot be written: the error code and the path that refused it. */
export interface Unwritable {
  code: string;
  at: string;
}

const codeOf = (error: unknown): string => (error as NodeJS.ErrnoException).code ?? String(error);

/**
 * Makes the missing folders of `path` (owner-only) and proves a file can be created beside it:
 * `null`, or what refused. A folder on the way that is a file is `ENOTDIR` at that file.
 *
 * @example
 * const problem = await checkWritable('reports/march.json');
 * if (problem) console.error(`${problem.at}: ${problem.code}`);
 */
export async function checkWritable(path: string): Promise<Unwritable | null> {
  const missing: string[] = [];
  for (let at = resolve(dirname(path)); ; ) {
    try {
      if (!(await stat(at)).isDirectory()) return { code: 'ENOTDIR', at };
      break;
    } catch (error) {
      if (codeOf(error) !== 'ENOENT') return { code: codeOf(error), at };
      missing.unshift(at);
      if (dirname(at) === at) return { code: 'ENOENT', at };
      at = dirname(at);
    }
  }
  for (const folder of missing) {
    try {
      await mkdir(folder, { mode: 0o700 });
    } catch (error) {
      if (codeOf(error) !== 'EEXIST') return { code: codeOf(error), at: folder };
    }
  }
  const probe = `${path}.${process.pid}.check`;
  try {
    await (await open(probe, 'wx', 0o600)).close();
    await rm(probe, { force: true });
    return null;
  } catch (error) {
    return { code: codeOf(error), at: path };
  }
}

/**
 * What refused a path, for a message: the error code, and for a folder that is a file, which one.
 *
 * @example
 * unwritableReason({ code: 'ENOTDIR', at: '/home/me/notes.txt' }) // 'ENOTDIR: /home/me/notes.txt is a file, not a folder'
 */
export function unwritableReason(problem: Unwritable): string {
  return problem.code === 'ENOTDIR' ? `${problem.code}: ${problem.at} is a file, not a folder` : problem.code;
}

/**
 * One line for a command's flag whose path cannot be written, or `null` when it can.
 *
 * @example
 * await writableProblem('--report', '/proc/nope/r.json') // '--report /proc/nope/r.json cannot be written (ENOENT); pick a writable path'
 */
export async function writableProblem(flag: string, path: string): Promise<string | null> {
  const problem = await checkWritable(path);
  return problem === null ? null : `${flag} ${path} cannot be written (${unwritableReason(problem)}); pick a writable path`;
}
