/**
 * A throwaway Redis for the test run: `redis-server` from the PATH on a free loopback port, with no
 * persistence, in a temporary folder that goes when it stops.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { freeLoopbackPort, redisProblem } from './probe.js';

/** A server this run started: where it answers, and how to end it (the process and its folder). */
export interface StartedService {
  url: string;
  /** The server's pid, so a last-moment exit handler can still signal it. */
  pid: number;
  /** The temporary folder the server ran in; `stop` removes it. */
  dir: string;
  stop(): Promise<void>;
}

/**
 * The first executable `redis-server` on the PATH, or undefined.
 * @example
 * findOnPath('redis-server') // '/usr/bin/redis-server'
 */
export function findOnPath(name: string, path = process.env.PATH ?? ''): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    try {
      accessSync(join(dir, name), constants.X_OK);
      return join(dir, name);
    } catch {
      // not in this folder
    }
  }
  return undefined;
}

/**
 * Starts `binary` on a free port of 127.0.0.1 and resolves once it answers PING.
 * @example
 * const redis = await startRedis('/usr/bin/redis-server'); // redis.url: 'redis://127.0.0.1:41873'
 * await redis.stop();
 */
export async function startRedis(binary: string): Promise<StartedService> {
  const dir = mkdtempSync(join(tmpdir(), 'mx-lifecycle-redis-'));
  const port = await freeLoopbackPort();
  const url = `redis://127.0.0.1:${port}`;
  // No RDB or AOF file: the data is a test run's and dies with it.
  const child = spawn(binary, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no'], {
    cwd: dir, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  let gone = false;
  void exited.then(() => (gone = true));
  const stop = async (): Promise<void> => {
    if (!gone) child.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (gone) {
      await stop();
      throw new Error(`redis-server ${binary} exited before it answered: ${output.trim().split('\n').at(-1) ?? ''}`);
    }
    if ((await redisProblem(url)) === undefined) return { url, pid: child.pid ?? 0, dir, stop };
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`redis-server ${binary} did not answer at ${url} within 15 s`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
