/**
 * `export --output` onto a file that exists: the file becomes owner-only (0600) like every file the
 * tool writes, whatever its mode was; the rows hold customer ids and guids.
 */
import { chmodSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, fastFlags, workdir, writeJsonl } from './harness.js';

describe('export --output', () => {
  it('narrows an existing 0644 file to 0600 and replaces its content', async () => {
    const dir = workdir();
    // A job with no customer (its one line is bad): made without a request to MX.
    const input = writeJsonl(dir, 'modes.jsonl', ['{not json']);
    const onboard = await cli(['onboard', input, ...fastFlags], { cwd: dir, env: { MX_BASE_URL: 'http://127.0.0.1:9', MX_API_KEY: 'k' } });
    expect(onboard.code, onboard.stderr).toBe(1);
    const out = join(dir, 'out.csv');
    writeFileSync(out, 'old content that is longer than the header row of an export, by a good margin\n');
    chmodSync(out, 0o644);
    const run = await cli(['export', '--job', 'modes', '--output', out], { cwd: dir });
    expect(run.code, run.stderr).toBe(0);
    expect(statSync(out).mode & 0o777).toBe(0o600);
  });

  it('says so when the file cannot be written (exit 64)', async () => {
    const dir = workdir();
    const input = writeJsonl(dir, 'nowrite.jsonl', ['{not json']);
    await cli(['onboard', input, ...fastFlags], { cwd: dir, env: { MX_BASE_URL: 'http://127.0.0.1:9', MX_API_KEY: 'k' } });
    const run = await cli(['export', '--job', 'nowrite', '--output', join(dir, 'missing/out.csv')], { cwd: dir });
    expect(run.code, run.stderr).toBe(64);
    expect(run.stderr).toMatch(/--output .*missing\/out\.csv cannot be written \(ENOENT\)/);
  });
});
