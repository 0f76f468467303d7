/**
 * What the surroundings of a run can do to it, with real processes: a second process on the same
 * SQLite job, a wrong Redis URL, signals, unwritable or unreadable files, a store that is not there.
 * Each ends with one line and a documented exit code, never a hang or a stack trace.
 */
import { spawn } from 'node:child_process';
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { cli, customer, fastFlags, messages, REPO, workdir, writeJsonl } from './harness.js';
import { REDIS_URL } from '../support/services/urls.js';

let sandbox: Sandbox;
let env: Record<string, string>;
/** A Redis address on loopback that accepts connections and never answers a byte. */
let silentRedis: string;
let silent: TcpServer;
const held: Socket[] = [];
beforeAll(async () => {
  sandbox = await startSandbox({ aggregationMs: 50, auth: 'basic' });
  env = { MX_BASE_URL: sandbox.url, MX_API_KEY: 'sandbox-key' };
  silent = createTcpServer((socket) => void held.push(socket));
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  silentRedis = `redis://127.0.0.1:${(silent.address() as { port: number }).port}`;
});
afterAll(async () => {
  await sandbox.close();
  for (const socket of held) socket.destroy();
  await new Promise<void>((resolve) => silent.close(() => resolve()));
});

const customers = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => customer(`${prefix}-${i}`, []));
const usersWith = (prefix: string) => sandbox.state().users.filter((u) => u.id?.startsWith(`${prefix}-`));

/** Runs the CLI under coreutils' `timeout`, as a service manager or a CI step would. */
function underTimeout(seconds: number, args: string[], cwd: string): Promise<{ code: number | null; stderr: string; ms: number }> {
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  const started = Date.now();
  const child = spawn('timeout', ['-s', 'TERM', String(seconds), process.execPath, '--import', tsx, join(REPO, 'src/cli/main.ts'), ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), (seconds + 20) * 1000);
    child.on('close', (code) => {
      clearTimeout(kill);
      resolve({ code, stderr, ms: Date.now() - started });
    });
  });
}

describe('one SQLite job, two processes', () => {
  it('refuses the second process with one line (exit 75) while the first runs every customer once', async () => {
    const dir = workdir();
    // 90 customers at 3/s take 30 s: the second process starts well inside the first one's run.
    const input = writeJsonl(dir, 'twice.jsonl', customers('twice', 90));
    const flags = [...fastFlags, '--rate', '3', '--concurrency', '2'];
    const first = cli(['onboard', input, ...flags], { cwd: dir, env });
    while (usersWith('twice').length === 0) await new Promise((resolve) => setTimeout(resolve, 50));
    const second = await cli(['onboard', input, ...flags], { cwd: dir, env });
    expect(second.code, second.stderr).toBe(75);
    expect(messages(second.stderr)).toEqual([
      expect.stringMatching(/^mx-lifecycle onboard: job "twice" is already running in another process on .*twice\.sqlite; wait for it to end/),
    ]);
    first.kill('SIGINT');
    expect((await first).code).toBe(130);
    // The lock went with the first process: the same command runs again at once and finishes the job.
    const again = await cli(['onboard', input, ...fastFlags, '--concurrency', '8'], { cwd: dir, env });
    expect(again.code, again.stderr).toBe(0);
    // Each customer was created exactly once: the refused process sent nothing.
    expect(usersWith('twice')).toHaveLength(90);
    expect(new Set(usersWith('twice').map((u) => u.id)).size).toBe(90);
  });
});

describe('--redis and signals', () => {
  it('fails a Redis that refuses connections within the deadline, with one line (exit 2)', async () => {
    const dir = workdir();
    const input = writeJsonl(dir, 'redis.jsonl', customers('redis-bad', 2));
    const run = await underTimeout(20, ['onboard', input, ...fastFlags, '--redis', 'redis://127.0.0.1:1'], dir);
    expect(run.code, run.stderr).toBe(2);
    expect(messages(run.stderr)).toEqual([expect.stringMatching(/^mx-lifecycle onboard: cannot reach Redis at redis:\/\/127\.0\.0\.1:1 \(ECONNREFUSED\)/)]);
    expect(usersWith('redis-bad')).toHaveLength(0);
  });

  it('fails a Redis that never answers after the 5-s deadline, not never (exit 2)', async () => {
    const dir = workdir();
    const input = writeJsonl(dir, 'blackhole.jsonl', customers('redis-hole', 1));
    // A server on loopback that takes the connection and never answers: neither an answer nor a refusal.
    const run = await underTimeout(20, ['onboard', input, ...fastFlags, '--redis', silentRedis], dir);
    expect(run.code, run.stderr).toBe(2);
    expect(run.ms).toBeLessThan(15_000);
    expect(messages(run.stderr)).toEqual([expect.stringMatching(new RegExp(`^mx-lifecycle onboard: cannot reach Redis at ${silentRedis.replaceAll('.', '\\.')}`))]);
  });

  it('ends on the first SIGTERM in the middle of a run sharing its limit through Redis', async () => {
    const dir = workdir();
    const input = writeJsonl(dir, 'term.jsonl', customers('term', 200));
    const redis = REDIS_URL;
    // 200 customers at 5/s take 40 s: at 10 s the run is under way, even on a loaded machine.
    const run = await underTimeout(10, ['onboard', input, ...fastFlags, '--rate', '5', '--redis', redis], dir);
    // timeout(1) says 124 when it had to send its signal; a process that outlived it would be SIGKILLed at +20 s.
    expect(run.code, run.stderr).toBe(124);
    expect(run.ms).toBeLessThan(18_000);
    expect(run.stderr).toMatch(/stopping; writing every customer's state/);
  });
});

describe('every signal ends the process', () => {
  it('on SIGTERM while it waits for a Redis that never answers', async () => {
    const dir = workdir();
    const input = writeJsonl(dir, 'hang.jsonl', customers('hang', 1));
    const run = await underTimeout(2, ['onboard', input, ...fastFlags, '--redis', silentRedis], dir);
    expect(run.code, run.stderr).toBe(124);
    expect(run.ms).toBeLessThan(4_500);
  });

  it('on SIGINT in the middle of a run (exit 130), with every state saved', async () => {
    const dir = workdir();
    const input = writeJsonl(dir, 'int.jsonl', customers('int', 60));
    const run = cli(['onboard', input, ...fastFlags, '--rate', '5'], { cwd: dir, env, timeoutMs: 20_000 });
    while (usersWith('int').length === 0) await new Promise((resolve) => setTimeout(resolve, 50));
    run.kill('SIGINT');
    const result = await run;
    expect(result.code, result.stderr).toBe(130);
    expect(result.stdout).toMatch(/interrupted|not finished/);
  });

  it('on SIGTERM while it starts up, before the first request', async () => {
    const dir = workdir();
    const input = writeJsonl(dir, 'early.jsonl', customers('early', 5));
    const run = await underTimeout(0.3, ['onboard', input, ...fastFlags], dir);
    expect(run.code, run.stderr).toBe(124);
    expect(run.ms).toBeLessThan(5_000);
  });
});

describe('files and the store', () => {
  it('writes the report 0600 in a .mx-lifecycle folder 0700', async () => {
    const dir = workdir();
    const input = writeJsonl(dir, 'modes.jsonl', customers('modes', 1));
    const run = await cli(['onboard', input, ...fastFlags], { cwd: dir, env });
    expect(run.code, run.stderr).toBe(0);
    expect(statSync(join(dir, '.mx-lifecycle')).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, '.mx-lifecycle/modes.report.json')).mode & 0o777).toBe(0o600);
  });

  it('refuses an unwritable --report before the first request (exit 64, one line)', async () => {
    const dir = workdir();
    const input = writeJsonl(dir, 'noreport.jsonl', customers('noreport', 3));
    writeFileSync(join(dir, 'a-file'), 'x');
    const run = await cli(['onboard', input, ...fastFlags, '--report', join(dir, 'a-file/report.json')], { cwd: dir, env });
    expect(run.code, run.stderr).toBe(64);
    expect(messages(run.stderr)).toEqual([expect.stringMatching(/^mx-lifecycle onboard: --report .*a-file\/report\.json cannot be written \((ENOTDIR|EEXIST)\b/)]);
    expect(usersWith('noreport')).toHaveLength(0);
    expect(existsSync(join(dir, '.mx-lifecycle/noreport.sqlite'))).toBe(false);
  });

  it('treats a file of only blank lines as empty (exit 64)', async () => {
    const dir = workdir();
    const input = join(dir, 'blank.jsonl');
    writeFileSync(input, '\n\n   \n\r\n');
    const run = await cli(['onboard', input, ...fastFlags], { cwd: dir, env });
    expect(run.code, run.stderr).toBe(64);
    expect(messages(run.stderr)).toEqual([expect.stringMatching(/blank\.jsonl is empty/)]);
  });

  it('exits 69 with one line when the store cannot be reached', async () => {
    const dir = workdir();
    const input = writeJsonl(dir, 'nostore.jsonl', customers('nostore', 1));
    const pg = await cli(['onboard', input, ...fastFlags, '--store', 'postgres://nobody@127.0.0.1:1/none'], { cwd: dir, env });
    expect(pg.code, pg.stderr).toBe(69);
    expect(messages(pg.stderr)).toEqual([expect.stringMatching(/^mx-lifecycle onboard: cannot open the store postgres:\/\/nobody@127\.0\.0\.1:1\/none: .*ECONNREFUSED/)]);
    writeFileSync(join(dir, 'a-file'), 'x');
    const sqlite = await cli(['onboard', input, ...fastFlags, '--store', `sqlite:${join(dir, 'a-file/job.sqlite')}`, '--report', join(dir, 'r.json')], { cwd: dir, env });
    expect(sqlite.code, sqlite.stderr).toBe(69);
    expect(messages(sqlite.stderr)).toHaveLength(1);
  });
});

describe('the sandbox and slow clients', () => {
  it('drops a connection that never finishes its request headers', async () => {
    const { connect } = await import('node:net');
    const slow = await startSandbox({ headersTimeoutMs: 300 });
    try {
      const port = Number(new URL(slow.url).port);
      const started = Date.now();
      const closedAfter = await new Promise<number>((resolve) => {
        const socket = connect(port, '127.0.0.1', () => socket.write('GET /users HTTP/1.1\r\nHost: 127.0.0.1\r\n'));
        socket.on('data', () => undefined);
        socket.on('close', () => resolve(Date.now() - started));
        setTimeout(() => socket.destroy(), 10_000).unref();
      });
      expect(closedAfter).toBeLessThan(5_000);
    } finally {
      await slow.close();
    }
  });
});
