/**
 * `onboard --webhook-port` and `offboard --webhook-port` as a person runs them, with the sandbox
 * sending MX-shaped webhooks (docs.mx.com/resources/webhooks, HTTP Basic): members finish on the
 * webhooks rather than the 30-s fallback poll, bad flags are one line and exit 64, and the webhook
 * password never reaches the output, the report, the store or the inspector.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createServer as createNetServer, type Server } from 'node:net';
import { join } from 'node:path';
import { WebSocket } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { cli, freePort, customer, messages, workdir, writeJsonl } from './harness.js';

const PLANTED = 'planted-webhook-pw-5d1e';
const AUTH = `mx:${PLANTED}`;
const BEARER = 'planted-webhook-bearer-7c2a9f';


let sandbox: Sandbox;
let webhookPort: number;
beforeAll(async () => {
  webhookPort = await freePort();
  sandbox = await startSandbox({
    auth: 'basic', aggregationMs: 1_500, webhooks: { url: `http://127.0.0.1:${webhookPort}/webhooks/mx`, auth: AUTH, faults: 0.2, faultKinds: ['duplicate', 'reorder'] },
  });
});
afterAll(async () => {
  await sandbox.close();
});

const env = () => ({ MX_BASE_URL: sandbox.url, MX_CLIENT_ID: 'sandbox-client', MX_API_KEY: 'sandbox-key', MX_WEBHOOK_AUTH: AUTH });

describe('onboard and offboard with a webhook receiver', () => {
  it('finishes members on webhooks, offboards with the same flags, and never shows the webhook password', async () => {
    const dir = workdir();
    const input = writeJsonl(dir, 'hooked.jsonl', [customer('h-1', ['password']), customer('h-2', ['denied']), customer('h-3', ['password'])]);
    const inspectPort = await freePort();
    const run = cli(['onboard', input, '--webhook-port', String(webhookPort), '--inspect', String(inspectPort)], { cwd: dir, env: env() });
    await run.stderrLine(/inspector: open/);
    const events: string[] = [];
    const socket = new WebSocket(`ws://127.0.0.1:${inspectPort}`);
    socket.addEventListener('message', (event) => events.push(String(event.data)));
    const onboarded = await run;
    socket.close();
    expect(onboarded.code, onboarded.stderr).toBe(1);
    const lines = messages(onboarded.stderr);
    expect(lines).toContain(`mx-lifecycle onboard: webhooks: listening on http://127.0.0.1:${webhookPort}/webhooks/mx (members are polled every 30 s as the fallback)`);
    const summary = lines.find((l) => l.startsWith('mx-lifecycle onboard: webhooks: ') && l.includes('received'));
    expect(summary).toMatch(/webhooks: \d+ received, [3-9] woke a member/);
    expect(onboarded.stdout).toContain('3 customers: 2 done, 1 need action, 0 failed');

    const offboarded = await cli(['offboard', input, '--webhook-port', String(webhookPort)], { cwd: dir, env: env() });
    expect(offboarded.code, offboarded.stderr).toBe(0);
    expect(messages(offboarded.stderr).some((l) => /offboard: webhooks: \d+ received/.test(l))).toBe(true);
    expect(sandbox.state().users.filter((u) => u.id?.startsWith('h-'))).toEqual([]);

    const files = readdirSync(join(dir, '.mx-lifecycle')).map((name) => join(dir, '.mx-lifecycle', name));
    expect(files.some((f) => f.endsWith('.report.json'))).toBe(true);
    const places: [string, string][] = [
      ['stdout', onboarded.stdout + offboarded.stdout],
      ['stderr', onboarded.stderr + offboarded.stderr],
      ['inspector events', events.join('\n')],
      ['sandbox state', JSON.stringify(sandbox.state())],
      ...files.map((file): [string, string] => [file, readFileSync(file).toString('latin1')]),
    ];
    expect(events.length).toBeGreaterThan(0);
    for (const [where, text] of places) {
      for (const secret of [PLANTED, Buffer.from(AUTH).toString('base64')]) expect(text.includes(secret), `${secret} in ${where}`).toBe(false);
    }
  }, 60_000);

  it('says in one line (exit 64) what is wrong with the webhook flags', async () => {
    const dir = workdir();
    const input = writeJsonl(dir, 'c.jsonl', [customer('x-1', ['password'])]);
    const base = { MX_BASE_URL: sandbox.url, MX_CLIENT_ID: 'sandbox-client', MX_API_KEY: 'sandbox-key' };
    const cases: [string[], Record<string, string>, RegExp][] = [
      [['--webhook-port', '9'], base, /webhook credentials are missing: set MX_WEBHOOK_AUTH/],
      [['--webhook-port', '9', '--webhook-auth', 'nocolon'], base, /--webhook-auth must be USER:PASSWORD/],
      [['--webhook-path', '/x'], base, /--webhook-path needs --webhook-port/],
      [['--webhook-port', 'http'], { ...base, MX_WEBHOOK_AUTH: AUTH }, /--webhook-port must be a whole number/],
      // The bearer token MX presents (docs.mx.com/resources/webhooks, OAuth 2 client credentials) is a secret too.
      [['--webhook-port', 'http', '--webhook-bearer', BEARER], base, /--webhook-port must be a whole number/],
      [['--webhook-port', '9', '--webhook-bearer', `${BEARER} x`], base, /--webhook-bearer must be at least 16/],
    ];
    for (const [flags, environment, pattern] of cases) {
      const result = await cli(['onboard', input, ...flags], { cwd: dir, env: environment });
      expect(result.code, result.stderr).toBe(64);
      expect(messages(result.stderr)).toHaveLength(1);
      expect(result.stderr).toMatch(pattern);
      expect(result.stderr).not.toContain(PLANTED);
      expect(result.stderr + result.stdout).not.toContain(BEARER);
    }
  });

  it('refuses a webhook port that is taken, in one line', async () => {
    const dir = workdir();
    const input = writeJsonl(dir, 'c.jsonl', [customer('y-1', ['password'])]);
    const taken: Server = createNetServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as { port: number }).port;
    try {
      const result = await cli(['onboard', input, '--webhook-port', String(port)], { cwd: dir, env: env() });
      expect(result.code, result.stderr).toBe(64);
      expect(result.stderr).toContain(`--webhook-port ${port} on 127.0.0.1 is in use: pick another port`);
      expect(result.stderr).not.toMatch(/\n\s+at /);
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });
});
