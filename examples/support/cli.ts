/**
 * The command line as the examples run it: `mx-lifecycle ...args` as a child process in a folder,
 * with only the environment given, as a person would type it.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/**
 * A runner of `mx-lifecycle` in `dir` with `env`; each run resolves with its exit code and stdout.
 * Given `onStderr`, each run's stderr is handed to it as it comes (a worker's messages).
 *
 * @example
 * const mx = commandLine(dir, { PATH: process.env.PATH ?? '', MX_API_KEY: 'sandbox-key' });
 * const { code, stdout } = await mx('status', '--job', 'march');
 */
export function commandLine(dir: string, env: Record<string, string>, onStderr?: (text: string) => void) {
  return (...args: string[]): Promise<{ code: number | null; stdout: string }> =>
    new Promise((resolve) => {
      const child = spawn(process.execPath, ['--import', TSX, MAIN, ...args], { cwd: dir, env, stdio: ['ignore', 'pipe', onStderr ? 'pipe' : 'ignore'] });
      let stdout = '';
      child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr?.on('data', (chunk: Buffer) => onStderr?.(chunk.toString()));
      child.on('close', (code) => resolve({ code, stdout }));
    });
}
