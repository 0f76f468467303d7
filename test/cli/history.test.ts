/**
 * `mx-lifecycle history`: one customer that went through duplicate recovery (its MX user existed
 * already: MX answers 409 and the user is found by its external id), an MFA answer given from a
 * second process, and a retry with corrected credentials. Its history lists those steps in order,
 * with the requests (method, path template, status) and statuses, and neither the history nor the
 * store holds a secret: the API key, the passwords and the MFA answer are planted and looked for.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HistoryStep } from '../../src/durable/store/contract.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { cli, customer, workdir, writeJsonl, type CliResult } from './harness.js';

const KEY = 'sk-planted-history-7c3e1b';
const CLIENT = 'history-client';
const PLAIN = 'Planted-Plain-Password-41d0';
const CORRECTED = 'Planted-Corrected-Password-9a2f';
const WRONG_ANSWER = 'planted-mfa-answer-5be8';

let sandbox: Sandbox;
let env: Record<string, string>;
const flags = ['--poll-interval-ms', '100', '--client-id', CLIENT];
beforeAll(async () => {
  sandbox = await startSandbox({ aggregationMs: 100, auth: 'basic', clients: [{ id: CLIENT, key: KEY }] });
  env = { MX_BASE_URL: sandbox.url, MX_API_KEY: KEY };
});
afterAll(async () => {
  await sandbox.close();
});

/** Creates the MX user before the job does, so the job's create answers 409 "already exists". */
async function createUserAtMx(id: string): Promise<void> {
  const response = await fetch(`${sandbox.url}/users`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${CLIENT}:${KEY}`).toString('base64')}`,
      accept: 'application/json', 'accept-version': 'v20250224', 'content-type': 'application/json',
    },
    body: JSON.stringify({ user: { id, email: `${id}@example.com` } }),
  });
  expect(response.status).toBe(200);
}

const statusOf = (id: string) => sandbox.state().members.find((m) => m.id === id)?.connection_status;

describe('mx-lifecycle history', () => {
  it('lists duplicate recovery, the MFA answer and the retry in order, with requests and statuses, and no secret', async () => {
    const dir = workdir();
    await createUserAtMx('h-1');
    const input = writeJsonl(dir, 'hist.jsonl', [customer('h-1', ['challenge', 'challenge']), customer('h-2', ['password'])]);
    const onboarding = cli(['onboard', input, ...flags, '--mfa-wait', '2m', '--json'], { cwd: dir, env, timeoutMs: 90_000 });
    // The first member answered right, the second wrong (MX Bank then says REJECTED).
    const answers = join(dir, 'answers.json');
    writeFileSync(answers, JSON.stringify({ 'h-1-m0': ['correct'], 'h-1-m1': [WRONG_ANSWER] }));
    const runs: CliResult[] = [];
    const answered = new Set<string>();
    const deadline = Date.now() + 45_000;
    while (answered.size < 2 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 300));
      if (statusOf('h-1-m0') !== 'CHALLENGED' && statusOf('h-1-m1') !== 'CHALLENGED') continue;
      const run = await cli(['answer', '--job', 'hist', '--answers', answers, '--client-id', CLIENT], { cwd: dir, env });
      runs.push(run);
      for (const m of run.stdout.matchAll(/^answered \S+ (\S+)/gm)) answered.add(m[1] ?? '');
    }
    const onboard = await onboarding;
    expect(onboard.code, onboard.stderr).toBe(1);
    expect(JSON.parse(onboard.stdout).counts).toMatchObject({ done: 1, needsAction: 1 });

    const corrected = writeJsonl(dir, 'corrected.jsonl', [customer('h-1', [PLAIN, CORRECTED])]);
    const retry = await cli(['retry', '--job', 'hist', '--needs-action', corrected, ...flags, '--json'], { cwd: dir, env, timeoutMs: 60_000 });
    expect(retry.code, retry.stderr).toBe(0);
    expect(['h-1-m0', 'h-1-m1'].map(statusOf)).toEqual(['CONNECTED', 'CONNECTED']);

    const shown = await cli(['history', '--job', 'hist', '--customer', 'h-1', '--json'], { cwd: dir });
    expect(shown.code, shown.stderr).toBe(0);
    const { steps } = JSON.parse(shown.stdout) as { steps: HistoryStep[] };
    const at = (find: (step: HistoryStep) => boolean, after = -1) => steps.findIndex((step, i) => i > after && find(step));

    // Duplicate recovery: the create answered 409, classified duplicate, and the user was found.
    const duplicate = at((s) => s.machine === 'user' && s.state === 'recoveringDuplicate');
    expect(steps[duplicate]).toMatchObject({
      event: 'xstate.error.actor.createUser', error: { kind: 'duplicate', status: 409 },
      requests: [{ method: 'POST', path: '/users', status: 409 }],
    });
    const found = at((s) => s.machine === 'user' && s.state === 'ready', duplicate);
    expect(steps[found]?.event).toBe('xstate.done.actor.findUser');
    expect(steps[found]?.requests?.every((r) => r.method === 'GET' && r.status === 200)).toBe(true);
    // The MFA challenge, then the answers: the right one connected, the wrong one REJECTED.
    const challenged = at((s) => s.actor === 'h-1-m1' && s.connectionStatus === 'CHALLENGED', found);
    const rejected = at((s) => s.actor === 'h-1-m1' && s.connectionStatus === 'REJECTED', challenged);
    expect(challenged).toBeGreaterThan(found);
    expect(rejected).toBeGreaterThan(challenged);
    const m0Challenged = at((s) => s.actor === 'h-1-m0' && s.connectionStatus === 'CHALLENGED');
    expect(at((s) => s.actor === 'h-1-m0' && s.connectionStatus === 'CONNECTED', m0Challenged)).toBeGreaterThan(m0Challenged);
    // The retry, and after it the corrected credentials through update member, then CONNECTED.
    const retried = at((s) => s.machine === 'operator' && s.event === 'retry', rejected);
    expect(retried).toBeGreaterThan(rejected);
    const updated = at((s) => s.actor === 'h-1-m1' && (s.requests ?? []).some((r) => r.method === 'PUT' && r.path === '/users/{user_guid}/members/{member_guid}'), retried);
    expect(updated).toBeGreaterThan(retried);
    expect(at((s) => s.actor === 'h-1-m1' && s.connectionStatus === 'CONNECTED', updated)).toBeGreaterThan(updated);
    expect(steps.map((s) => s.at)).toEqual(steps.map((s) => s.at).toSorted((a, b) => a - b));

    // Path templates only: no guid, no query, no URL.
    const requests = steps.flatMap((s) => s.requests ?? []);
    expect(requests.length).toBeGreaterThan(5);
    for (const request of requests) expect(request.path).toMatch(/^(\/([a-z_]+|\{[a-z_]+\}))+$/);

    // The text form, and status naming no failed customer here.
    const text = await cli(['history', '--job', 'hist', '--customer', 'h-1'], { cwd: dir });
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/user {2}recoveringDuplicate {2}<- xstate\.error\.actor\.createUser {2}POST \/users 409 \d+ ms {2}error duplicate \(409\)/);
    const missing = await cli(['history', '--job', 'hist', '--customer', 'nobody'], { cwd: dir });
    expect(missing.code).toBe(64);
    expect(missing.stderr).toMatch(/--customer nobody is not in job hist/);

    const store = join(dir, '.mx-lifecycle');
    const rested = [
      ...readdirSync(store).map((f) => readFileSync(join(store, f)).toString('latin1')),
      shown.stdout, text.stdout, onboard.stdout, onboard.stderr, retry.stdout, retry.stderr, ...runs.flatMap((r) => [r.stdout, r.stderr]),
    ];
    for (const bytes of rested) {
      for (const secret of [KEY, PLAIN, CORRECTED, WRONG_ANSWER]) expect(bytes).not.toContain(secret);
    }
    for (const bytes of [shown.stdout, text.stdout]) {
      expect(bytes).not.toContain('127.0.0.1');
      expect(bytes).not.toMatch(/USR-|MBR-/);
    }
  }, 150_000);
});
