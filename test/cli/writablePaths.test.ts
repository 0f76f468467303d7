/**
 * The paths a job writes are checked before the first request, quickly and with the right flag
 * named. Nothing here reaches MX: the base URL is a closed port, and each run ends before any
 * request.
 */
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, customer, fastFlags, messages, workdir, writeJsonl } from './harness.js';

const env = { MX_BASE_URL: 'http://127.0.0.1:9', MX_API_KEY: 'sandbox-key' };

describe('paths a job writes', () => {
  it('refuses --report under /proc at once instead of spinning in a recursive mkdir (exit 64)', async () => {
    const dir = workdir();
    const input = writeJsonl(dir, 'proc.jsonl', [customer('proc-1', ['password'])]);
    // The deadline is for liveness only: before the fix the process never ended.
    const run = await cli(['onboard', input, ...fastFlags, '--report', '/proc/nope/r.json'], { cwd: dir, env, timeoutMs: 30_000 });
    expect(run.code, run.stderr).toBe(64);
    expect(messages(run.stderr)).toEqual([expect.stringMatching(/^mx-lifecycle onboard: --report \/proc\/nope\/r\.json cannot be written \(E[A-Z]+\); pick a writable path$/)]);
  });

  it('blames the store, not --report, when the SQLite store\'s folder is a file (exit 69, as for any store that cannot be opened)', async () => {
    const dir = workdir();
    const input = writeJsonl(dir, 'under.jsonl', [customer('under-1', ['password'])]);
    writeFileSync(join(dir, 'FILE'), 'x');
    const run = await cli(['onboard', input, ...fastFlags, '--store', 'sqlite:FILE/x.sqlite'], { cwd: dir, env });
    expect(run.code, run.stderr).toBe(69);
    expect(messages(run.stderr)).toEqual([`mx-lifecycle onboard: cannot open the store sqlite:FILE/x.sqlite: ENOTDIR: ${join(dir, 'FILE')} is a file, not a folder`]);
  });

  it('still makes the missing folders of a report, owner-only, one level at a time', async () => {
    const dir = workdir();
    // Only a bad row: the job has no customer, so it ends without a request.
    const input = writeJsonl(dir, 'deep.jsonl', ['{not json']);
    const run = await cli(['onboard', input, ...fastFlags, '--report', 'a/b/c/r.json'], { cwd: dir, env });
    expect(run.code, run.stderr).toBe(1);
    expect(statSync(join(dir, 'a/b/c/r.json')).mode & 0o777).toBe(0o600);
    for (const folder of ['a', 'a/b', 'a/b/c']) expect(statSync(join(dir, folder)).mode & 0o777, folder).toBe(0o700);
  });
});
