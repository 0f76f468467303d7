/**
 * `mx-lifecycle answer` from a second process while `onboard --mfa-wait` runs: a TEXT, an OPTIONS
 * and an IMAGE challenge end connected, and no answer rests anywhere.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { cli, customer, fastFlags, messages, workdir, writeJsonl, type CliResult } from './harness.js';

let sandbox: Sandbox;
let env: Record<string, string>;
const API_KEY = 'answer-planted-key-5521';
const WRONG_ANSWER = 'planted-answer-9931';
beforeAll(async () => {
  sandbox = await startSandbox({ aggregationMs: 100, auth: 'basic', clients: [{ id: 'sandbox-client', key: API_KEY }] });
  env = { MX_BASE_URL: sandbox.url, MX_API_KEY: API_KEY };
});
afterAll(async () => {
  await sandbox.close();
});

const statusOf = (id: string) => sandbox.state().members.find((m) => m.id === id)?.connection_status;

describe('mx-lifecycle answer', () => {
  it('answers TEXT, OPTIONS and IMAGE challenges of a running onboard --mfa-wait job from a second process', async () => {
    const dir = workdir();
    const input = writeJsonl(dir, 'mfa.jsonl', [
      customer('mfa-1', ['challenge']), customer('mfa-2', ['options']), customer('mfa-3', ['image']), customer('mfa-4', ['challenge']),
    ]);
    const running = cli(['onboard', input, ...fastFlags, '--mfa-wait', '2m', '--json'], { cwd: dir, env, timeoutMs: 90_000 });
    const answers = join(dir, 'answers.json');
    // By position, by the option's label, by field name; and a wrong answer, planted to be looked for.
    writeFileSync(answers, JSON.stringify({
      'mfa-1-m0': ['correct'], 'mfa-2-m0': { colour: 'Blue' }, 'mfa-3-m0': { captcha: 'correct' }, 'mfa-4-m0': [WRONG_ANSWER],
    }));
    const runs: CliResult[] = [];
    const answered = new Set<string>();
    const deadline = Date.now() + 30_000;
    while (statusOf('mfa-1-m0') !== 'CHALLENGED' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    while (answered.size < 4 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 300));
      const run = await cli(['answer', '--job', 'mfa', '--answers', answers, '--client-id', 'sandbox-client'], { cwd: dir, env });
      runs.push(run);
      for (const m of run.stdout.matchAll(/^answered \S+ (\S+)/gm)) answered.add(m[1] ?? '');
      // Until the job's members wait, the file names no waiting member: one line, exit 64.
      if (run.code !== 0) expect(run.code, run.stderr).toBe(64);
    }
    expect([...answered].toSorted()).toEqual(['mfa-1-m0', 'mfa-2-m0', 'mfa-3-m0', 'mfa-4-m0']);
    const onboard = await running;
    expect(onboard.code, onboard.stderr).toBe(1);
    expect((JSON.parse(onboard.stdout) as { counts: Record<string, number> }).counts).toMatchObject({ done: 3, needsAction: 1 });
    expect(['mfa-1-m0', 'mfa-2-m0', 'mfa-3-m0', 'mfa-4-m0'].map(statusOf)).toEqual(['CONNECTED', 'CONNECTED', 'CONNECTED', 'REJECTED']);

    const exported = await cli(['export', '--job', 'mfa'], { cwd: dir });
    const nothingWaits = await cli(['answer', '--job', 'mfa', '--client-id', 'sandbox-client', '--answers', answers], { cwd: dir, env });
    expect(nothingWaits.code).toBe(64);
    const rested = [
      readFileSync(join(dir, '.mx-lifecycle/mfa.sqlite')).toString('latin1'),
      readFileSync(join(dir, '.mx-lifecycle/mfa.report.json'), 'utf8'),
      exported.stdout, onboard.stdout, onboard.stderr, ...runs.flatMap((r) => [r.stdout, r.stderr]),
    ];
    for (const text of rested) {
      expect(text).not.toContain(WRONG_ANSWER);
      expect(text).not.toContain(API_KEY);
    }
  }, 90_000);

  it('refuses an answers file that is not JSON, and says when nothing waits', async () => {
    const dir = workdir();
    const input = writeJsonl(dir, 'none.jsonl', [customer('none-1', ['password'])]);
    expect((await cli(['onboard', input, ...fastFlags], { cwd: dir, env })).code).toBe(0);
    writeFileSync(join(dir, 'bad.json'), '{ not json');
    const bad = await cli(['answer', '--job', 'none', '--answers', 'bad.json', '--client-id', 'sandbox-client'], { cwd: dir, env });
    expect(bad.code).toBe(64);
    expect(messages(bad.stderr)).toEqual([expect.stringMatching(/^mx-lifecycle answer: --answers bad.json is not JSON/)]);
    writeFileSync(join(dir, 'ok.json'), '{"none-1-m0": ["x"]}');
    const none = await cli(['answer', '--job', 'none', '--answers', 'ok.json', '--client-id', 'sandbox-client'], { cwd: dir, env });
    expect(none.code).toBe(64);
    expect(none.stderr).toMatch(/names no member of job none that waits for answers; nothing was sent/);
  }, 60_000);
});
