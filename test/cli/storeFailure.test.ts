/**
 * A store that fails in the middle of a run, with a real full disk: the SQLite store lives on a
 * 400 KiB tmpfs mounted by the test (the write-ahead log fills it within a second of the run).
 * Before, the run retried its last write for ever: 0 requests/s, no message, and SIGTERM printed
 * "every customer's state is saved" without ending the process. Now the run ends with one line
 * and exit 69, and a signal ends the process whatever the store is doing.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, statfsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { storeFailure } from '../../src/cli/job/storeFailure.js';
import { describeStore } from '../../src/cli/job/storeUrl.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { cli, customer, fastFlags, messages, workdir, writeJsonl } from './harness.js';

let sandbox: Sandbox;
let env: Record<string, string>;
beforeAll(async () => {
  sandbox = await startSandbox({ aggregationMs: 50, auth: 'basic' });
  env = { MX_BASE_URL: sandbox.url, MX_API_KEY: 'sandbox-key' };
});
afterAll(async () => {
  await sandbox.close();
});

/** Mounts a 400 KiB tmpfs for the store; the test fails (it is not skipped) when it cannot. */
function smallDisk(dir: string): { path: string; unmount(): void } {
  const path = join(dir, 'disk');
  mkdirSync(path);
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=400k', 'tmpfs', path], { stdio: 'pipe' });
  } catch (error) {
    throw new Error(`this test needs root to mount a 400 KiB tmpfs at ${path}: ${String((error as { stderr?: unknown }).stderr ?? error)}`, { cause: error });
  }
  return { path, unmount: () => execFileSync('umount', ['-l', path]) };
}

const usersWith = (prefix: string) => sandbox.state().users.filter((u) => u.id?.startsWith(`${prefix}-`));
const diskFull = (path: string) => statfsSync(path).bavail === 0;

function startRun(prefix: string) {
  const dir = workdir();
  const disk = smallDisk(dir);
  const input = writeJsonl(dir, `${prefix}.jsonl`, Array.from({ length: 200 }, (_, i) => customer(`${prefix}-${i}`, ['password'])));
  const run = cli(
    ['onboard', input, ...fastFlags, '--rate', '100', '--concurrency', '16', '--store', `sqlite:${join(disk.path, 'job.sqlite')}`, '--report', join(dir, 'report.json')],
    { cwd: dir, env, timeoutMs: 60_000 },
  );
  return { run, disk };
}

it('ends a run whose disk fills with one line and exit 69', { timeout: 90_000 }, async () => {
  const { run, disk } = startRun('fulldisk');
  try {
    const result = await run;
    expect(result.code, result.stderr).toBe(69);
    expect(messages(result.stderr)).toEqual([
      expect.stringMatching(/^mx-lifecycle onboard: the store sqlite:.*disk\/job\.sqlite is full \(SQLITE_FULL: database or disk is full\): the job stopped; free some space, then run the same command again to continue$/),
    ]);
    // The disk filled in the middle of the run, not before it: MX had customers from it.
    expect(usersWith('fulldisk').length).toBeGreaterThan(0);
    expect(diskFull(disk.path)).toBe(true);
  } finally {
    disk.unmount();
  }
});

it('ends on SIGTERM while the store cannot write', { timeout: 90_000 }, async () => {
  const { run, disk } = startRun('termfull');
  try {
    const child = { ended: false };
    void run.then(() => (child.ended = true), () => (child.ended = true));
    while (!diskFull(disk.path) && !child.ended) await new Promise((resolve) => setTimeout(resolve, 20));
    const signalledAt = Date.now();
    run.kill('SIGTERM');
    const result = await run;
    const ms = Date.now() - signalledAt;
    process.stdout.write(`full disk + SIGTERM: exit ${result.code} ${ms} ms after the signal\n`);
    // Liveness only: the process ends well inside the CLI's 15-s grace, never hangs.
    expect(ms).toBeLessThan(20_000);
    expect([69, 130]).toContain(result.code);
    // The signal reached the run while it was failing, and nothing claimed the states were saved.
    expect(result.stderr).toMatch(/stopping; writing every customer's state/);
    expect(result.stderr).not.toMatch(/state is saved/);
  } finally {
    disk.unmount();
  }
});

/**
 * Mounts a 32 MiB ext4 image through a loop device with `errors=remount-ro`, so the test can turn the
 * store's disk read-only under the open database (ext4's `trigger_fs_error`): the same thing a
 * kernel does to a filesystem that hit an error. A tmpfs cannot be remounted read-only while a file
 * on it is open for writing. The test fails (it is not skipped) when the machine cannot do this.
 */
function ext4Disk(dir: string): { path: string; turnReadOnly(): void; readOnly(): boolean; unmount(): void } {
  const image = join(dir, 'disk.img');
  const path = join(dir, 'ro');
  mkdirSync(path);
  const run = (command: string, args: string[]) => execFileSync(command, args, { stdio: 'pipe', encoding: 'utf8' }).trim();
  let device = '';
  try {
    run('truncate', ['-s', '32M', image]);
    run('mkfs.ext4', ['-q', '-F', image]);
    device = run('losetup', ['-f', '--show', image]);
    run('mount', ['-o', 'errors=remount-ro', device, path]);
  } catch (error) {
    if (device !== '') execFileSync('losetup', ['-d', device]);
    throw new Error(`this test needs root, loop devices and ext4 to make a disk that turns read-only: ${String((error as { stderr?: unknown }).stderr ?? error)}`, { cause: error });
  }
  const name = device.replace('/dev/', '');
  return {
    path,
    turnReadOnly: () => writeFileSync(`/sys/fs/ext4/${name}/trigger_fs_error`, 'store test\n'),
    readOnly: () => readFileSync('/proc/mounts', 'utf8').split('\n').some((line) => line.startsWith(`${device} ${path} `) && /[ ,](ro|emergency_ro)[ ,]/.test(line)),
    unmount: () => {
      execFileSync('umount', ['-l', path]);
      execFileSync('losetup', ['-d', device]);
    },
  };
}

it('ends a run whose disk turns read-only with one line and exit 69', { timeout: 90_000 }, async () => {
  const dir = workdir();
  const disk = ext4Disk(dir);
  try {
    const input = writeJsonl(dir, 'readonly.jsonl', Array.from({ length: 400 }, (_, i) => customer(`readonly-${i}`, ['password'])));
    const run = cli(
      ['onboard', input, ...fastFlags, '--rate', '40', '--concurrency', '8', '--store', `sqlite:${join(disk.path, 'job.sqlite')}`, '--report', join(dir, 'report.json')],
      { cwd: dir, env, timeoutMs: 60_000 },
    );
    const child = { ended: false };
    void run.then(() => (child.ended = true), () => (child.ended = true));
    // Mid-run: MX already has customers from this job when the disk turns read-only.
    while (usersWith('readonly').length < 5 && !child.ended) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(child.ended).toBe(false);
    disk.turnReadOnly();
    expect(disk.readOnly()).toBe(true);
    const result = await run;
    expect(result.code, result.stderr).toBe(69);
    expect(messages(result.stderr)).toEqual([
      expect.stringMatching(/^mx-lifecycle onboard: the store sqlite:.*ro\/job\.sqlite (cannot be written|failed to write) \((SQLITE_\w+|EROFS): .*\): the job stopped; (make the file and its folder writable|check the disk), then run the same command again to continue$/),
    ]);
    expect(usersWith('readonly').length).toBeLessThan(400);
  } finally {
    disk.unmount();
  }
});

it('names the cure for each kind of store failure, and leaves other errors alone', () => {
  const failure = (code: string, message: string) => Object.assign(new Error(message), { code });
  const store = 'sqlite:/data/march.sqlite';
  expect(storeFailure(failure('SQLITE_READONLY', 'attempt to write a readonly database'), store)).toEqual({
    code: 69,
    message: 'the store sqlite:/data/march.sqlite cannot be written (SQLITE_READONLY: attempt to write a readonly database): the job stopped; make the file and its folder writable, then run the same command again to continue',
  });
  expect(storeFailure(failure('SQLITE_IOERR_WRITE', 'disk I/O error'), store)?.message).toMatch(/failed to write \(SQLITE_IOERR_WRITE: disk I\/O error\): the job stopped; check the disk/);
  expect(storeFailure(failure('53100', 'could not extend file'), 'postgres://db/jobs')?.message).toMatch(/^the store postgres:\/\/db\/jobs is full/);
  expect(storeFailure(failure('57P01', 'terminating connection due to administrator command'), store)?.message).toMatch(/failed \(57P01: .*\): the job stopped; check that the store is up/);
  // The line names the store as every other line does: a PostgreSQL password never shows.
  const shown = storeFailure(failure('08006', 'connection terminated unexpectedly'), describeStore('postgres://jobs:s3cret-pw@db.internal/jobs'));
  expect(shown?.message).toMatch(/^the store postgres:\/\/jobs:\*\*\*@db\.internal\/jobs failed \(08006/);
  expect(shown?.message).not.toContain('s3cret-pw');
  expect(storeFailure(new Error('no code'), store)).toBeNull();
  expect(storeFailure({ kind: 'unavailable', status: 0 }, store)).toBeNull();
});
