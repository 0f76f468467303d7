/**
 * Runs the real command line as a child process (node + tsx on src/cli/main.ts, the same code the
 * `bin` runs once built), in a temporary working folder with a controlled environment.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll } from 'vitest';

export const REPO = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const MAIN = join(REPO, 'src/cli/main.ts');
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliRun extends Promise<CliResult> {
  /** Sends a signal to the process (SIGINT is what Ctrl-C sends). */
  kill(signal: NodeJS.Signals): void;
  /** Resolves with the first stderr line that matches. */
  stderrLine(pattern: RegExp): Promise<string>;
}

const workdirs: string[] = [];
// Registered when a test file imports this module, so it runs after the file's own afterAll hooks
// (vitest runs them last-registered first): the folders go once nothing runs in them any more.
afterAll(() => {
  for (const dir of workdirs.splice(0)) rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
});

/** A fresh working folder for one test, removed when the test file ends. */
export const workdir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'mx-cli-'));
  workdirs.push(dir);
  return dir;
};

/**
 * Starts `mx-lifecycle ...args` in `cwd`. The environment is only what is given (plus PATH), so a
 * developer's MX_API_KEY cannot leak into a test.
 */
export function cli(args: string[], options: { cwd: string; env?: Record<string, string>; timeoutMs?: number }): CliRun {
  const child = spawn(process.execPath, ['--import', TSX, MAIN, ...args], {
    cwd: options.cwd,
    env: { PATH: process.env.PATH ?? '', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const watchers: { pattern: RegExp; resolve: (line: string) => void }[] = [];
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
    for (let i = watchers.length - 1; i >= 0; i -= 1) {
      const watcher = watchers[i];
      const line = watcher && stderr.split('\n').find((l) => watcher.pattern.test(l));
      if (watcher && line !== undefined) {
        watchers.splice(i, 1);
        watcher.resolve(line);
      }
    }
  });
  const timeoutMs = options.timeoutMs ?? 45_000;
  const done = new Promise<CliResult>((resolveRun, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`mx-lifecycle ${args.join(' ')} did not end within ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolveRun({ code, stdout, stderr });
    });
  });
  return Object.assign(done, {
    kill: (signal: NodeJS.Signals) => void child.kill(signal),
    stderrLine: (pattern: RegExp) =>
      new Promise<string>((resolveLine, reject) => {
        const line = stderr.split('\n').find((l) => pattern.test(l));
        if (line !== undefined) return resolveLine(line);
        watchers.push({ pattern, resolve: resolveLine });
        void done.then(() => reject(new Error(`no stderr line matched ${pattern}: ${stderr}`)), reject);
      }),
  });
}

/** One customer line of a JSONL input. */
export function customer(id: string, passwords: string[], username = 'mxuser'): Record<string, unknown> {
  return {
    id,
    email: `${id}@example.com`,
    members: passwords.map((password, i) => ({ id: `${id}-m${i}`, institution_code: 'mxbank', credentials: { username, password } })),
  };
}

/** Writes a JSONL file of customers (or raw lines) and returns its path. */
export function writeJsonl(dir: string, name: string, lines: (Record<string, unknown> | string)[]): string {
  const path = join(dir, name);
  writeFileSync(path, `${lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n')}\n`);
  return path;
}

export function readJson<T = Record<string, unknown>>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

/** The non-progress stderr lines: what a person reads as messages. */
export const messages = (stderr: string): string[] =>
  stderr.split('\n').filter((line) => line.trim() !== '' && !line.startsWith('{"type":"progress"'));

/** Flags every job test passes: fast polling, and the sandbox's published test client. */
export const fastFlags = ['--poll-interval-ms', '100', '--client-id', 'sandbox-client'];

/** A TCP port that was free a moment ago, for a server the test cannot start on port 0 itself. */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createNetServer();
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}
