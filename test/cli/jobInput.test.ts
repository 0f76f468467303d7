/**
 * Two input files with the same base name make the same job name: the second is refused with one
 * line asking for --job (exit 64) instead of silently joining the first's job and overwriting its
 * report. Nothing here reaches MX: every input's rows are bad, so the jobs have no customer.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, fastFlags, messages, readJson, workdir } from './harness.js';

const env = { MX_BASE_URL: 'http://127.0.0.1:9', MX_API_KEY: 'sandbox-key' };

describe('a job name made from an input file', () => {
  it('refuses a second file with the same base name, asks for --job, and leaves the first report alone', async () => {
    const dir = workdir();
    writeFileSync(join(dir, 'small.csv'), 'user_id,email\nUSR-bad,\n');
    writeFileSync(join(dir, 'small.jsonl'), '{not json\n');
    const first = await cli(['onboard', 'small.csv', ...fastFlags], { cwd: dir, env });
    expect(first.code, first.stderr).toBe(1);
    const report = join(dir, '.mx-lifecycle/small.report.json');
    expect(readJson<{ input: string }>(report).input).toBe('small.csv');

    const second = await cli(['onboard', 'small.jsonl', ...fastFlags], { cwd: dir, env });
    expect(second.code, second.stderr).toBe(64);
    expect(messages(second.stderr)).toEqual([
      'mx-lifecycle onboard: job small was made from small.csv, not small.jsonl: pass --job NAME to run small.jsonl as its own job (or --job small to add its customers to this one) (see mx-lifecycle onboard --help)',
    ]);
    expect(readJson<{ input: string }>(report).input).toBe('small.csv');

    // The same file again is the same job (a rerun), and --job names a job on purpose.
    expect((await cli(['onboard', join(dir, 'small.csv'), ...fastFlags], { cwd: dir, env })).code).not.toBe(64);
    const named = await cli(['onboard', 'small.jsonl', '--job', 'small-jsonl', ...fastFlags], { cwd: dir, env });
    expect(named.code, named.stderr).toBe(1);
  });
});
