/**
 * `--webhook-auth` on the command line gets the note `--api-key` gets: `ps` shows a flag's value to
 * every user of the machine, the environment variable does not. The note never holds the value.
 * Nothing here reaches MX: the input's one line is bad, so the job has no customer.
 */
import { describe, expect, it } from 'vitest';
import { cli, fastFlags, messages, workdir, writeJsonl } from './harness.js';

const PASSWORD = 'planted-webhook-pass-61c2';
const env = { MX_BASE_URL: 'http://127.0.0.1:9', MX_API_KEY: 'sandbox-key' };
const NOTE = 'mx-lifecycle onboard: note: --webhook-auth is visible to other users of this machine (ps); MX_WEBHOOK_AUTH is safer';

describe('--webhook-auth on the command line', () => {
  it('is noted once, without its value', async () => {
    const dir = workdir();
    const input = writeJsonl(dir, 'note.jsonl', ['{not json']);
    const run = await cli(['onboard', input, ...fastFlags, '--webhook-port', '0', '--webhook-auth', `mx:${PASSWORD}`], { cwd: dir, env });
    expect(run.code, run.stderr).toBe(1);
    expect(messages(run.stderr).filter((line) => line === NOTE)).toHaveLength(1);
    expect(`${run.stdout}${run.stderr}`).not.toContain(PASSWORD);
  });

  it('is not noted when the credentials come from MX_WEBHOOK_AUTH', async () => {
    const dir = workdir();
    const input = writeJsonl(dir, 'quiet.jsonl', ['{not json']);
    const run = await cli(['onboard', input, ...fastFlags, '--webhook-port', '0'], { cwd: dir, env: { ...env, MX_WEBHOOK_AUTH: `mx:${PASSWORD}` } });
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).not.toContain('--webhook-auth is visible');
  });
});
