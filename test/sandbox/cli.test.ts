/**
 * The CLI as users run it: a real child process. It is started through tsx's own binary (what
 * `npx tsx` runs): npm's exec wrapper does not pass SIGTERM on, which would hide the exit code.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { optionsFromFlags } from '../../src/cli/commands/sandbox.js';
import { Api, request } from './helpers.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TSX = fileURLToPath(new URL('../../node_modules/.bin/tsx', import.meta.url));

function cli(args: string[]): { child: ChildProcess; stdout: () => string; stderr: () => string; lines: AsyncIterableIterator<string> } {
  const child = spawn(TSX, ['src/cli/main.ts', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const waiting: Array<(line: string) => void> = [];
  const ready: string[] = [];
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    const before = out.split('\n').length - 1;
    out += chunk;
    const all = out.split('\n');
    for (const line of all.slice(before, -1)) {
      const next = waiting.shift();
      if (next) next(line);
      else ready.push(line);
    }
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const lines: AsyncIterableIterator<string> = {
    [Symbol.asyncIterator]() {
      return this;
    },
    next: () =>
      new Promise((resolve) => {
        const line = ready.shift();
        if (line !== undefined) resolve({ value: line, done: false });
        else waiting.push((l) => resolve({ value: l, done: false }));
      }),
  };
  return { child, stdout: () => out, stderr: () => err, lines };
}

async function exitOf(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  const [code] = (await once(child, 'exit')) as [number | null];
  return code;
}

describe('mx-lifecycle sandbox', () => {
  it('prints where it listens first, serves, and exits 0 on SIGTERM without printing a key it was given', async () => {
    const run = cli(['sandbox', '--port', '0', '--auth', 'token', '--client', 'cli-client:cli-secret-key-81f0', '--aggregation-ms', '50']);
    try {
      const first = (await run.lines.next()).value as string;
      expect(first).toMatch(/^mx-lifecycle sandbox listening on http:\/\/127\.0\.0\.1:\d+$/);
      const url = first.slice('mx-lifecycle sandbox listening on '.length);
      const api = await Api.connect({ url }, 'cli-client', 'cli-secret-key-81f0');
      const guid = await api.createUser('from-cli');
      expect((await api.call('GET', `/users/${guid}`)).json.user.id).toBe('from-cli');
      expect((await request(`${url}/__sandbox/state`)).json.users).toHaveLength(1);
      run.child.kill('SIGTERM');
      expect(await exitOf(run.child)).toBe(0);
      expect(run.stdout()).not.toContain('cli-secret-key-81f0');
      expect(run.stderr()).not.toContain('cli-secret-key-81f0');
      await expect(fetch(`${url}/users`)).rejects.toThrow();
    } finally {
      run.child.kill('SIGKILL');
    }
  });

  it('names the default test client when none is given, and stops on SIGINT too', async () => {
    const run = cli(['sandbox']);
    try {
      await run.lines.next();
      expect((await run.lines.next()).value).toContain('sandbox-client (key sandbox-key)');
      run.child.kill('SIGINT');
      expect(await exitOf(run.child)).toBe(0);
    } finally {
      run.child.kill('SIGKILL');
    }
  });

  it.each([
    [['sandbox', '--faults', '2'], '--faults must be a number from 0 to 1'],
    [['sandbox', '--port', 'eighty'], "--port must be a number, not 'eighty'"],
    [['sandbox', '--dialect', 'soap'], '--dialect must be one of platform, mx-sso, nexus, mgx, mcc'],
    [['sandbox', '--frobnicate'], "Unknown option '--frobnicate'"],
    [['launch'], "unknown command 'launch'"],
    [[], 'a command is needed'],
  ])('exits 64 with one clear line for %j', async (args, message) => {
    const run = cli(args);
    expect(await exitOf(run.child)).toBe(64);
    const lines = run.stderr().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(message);
    expect(run.stderr()).not.toMatch(/\n\s+at /);
  });

  it('maps every flag to its option', () => {
    expect(optionsFromFlags([
      '--port', '8080', '--rate-limit', '20', '--burst', '5', '--faults', '0.1', '--fault-kinds', 'reset, lost', '--seed', '7',
      '--token-ttl', '2', '--auth', 'basic', '--dialect', 'nexus', '--aggregation-ms', '100', '--latency-ms', '5',
      '--challenge-window-ms', '900', '--slow-ms', '300', '--timeout-fault-ms', '400', '--widget-url-ttl-ms', '5000',
      '--client', 'a:ka', '--client', 'b:kb:unassociated',
    ])).toEqual({
      port: 8080, rateLimit: 20, burst: 5, faults: 0.1, faultKinds: ['reset', 'lost'], seed: 7, tokenTtlSeconds: 2, auth: 'basic',
      dialect: 'nexus', aggregationMs: 100, latencyMs: 5, challengeWindowMs: 900, slowMs: 300, timeoutFaultMs: 400, widgetUrlTtlMs: 5000,
      clients: [{ id: 'a', key: 'ka' }, { id: 'b', key: 'kb', associated: false }],
    });
    expect(optionsFromFlags([])).toEqual({});
    const problem = (argv: string[]): unknown => {
      try {
        optionsFromFlags(argv);
        return undefined;
      } catch (e) {
        return e;
      }
    };
    expect(problem(['--auth', 'oauth'])).toEqual({ usage: "--auth must be 'token' or 'basic'" });
    expect(problem(['--rate-limit=-1'])).toEqual({ usage: '--rate-limit must be a number from 0 to 1000000000' });
    expect(problem(['--token-ttl', 'x'])).toEqual({ usage: "--token-ttl must be a number, not 'x'" });
    expect(problem(['--widget-url-ttl-ms', '0'])).toEqual({ usage: '--widget-url-ttl-ms must be a number from 1 to 1000000000' });
  });

  it('prints nothing of the Connect widget URLs and oauth_window_uris it hands out and serves', async () => {
    const run = cli(['sandbox', '--port', '0', '--aggregation-ms', '50', '--widget-url-ttl-ms', '60000']);
    try {
      const url = ((await run.lines.next()).value as string).slice('mx-lifecycle sandbox listening on '.length);
      const api = new Api(url, `Basic ${Buffer.from('sandbox-client:sandbox-key').toString('base64')}`);
      const v = { 'accept-version': 'v20250224' };
      const user = await api.createUser('cli-end-user');
      const widget = (await api.call('POST', `/users/${user}/widget_urls`, { widget_url: { widget_type: 'connect_widget' } }, v)).json.widget_url.url as string;
      const oauth = (await api.call('POST', `/users/${user}/members`, { member: { institution_code: 'oauthbank', is_oauth: true } }, v)).json.member.oauth_window_uri as string;
      const form = (fields: Record<string, string>) => ({ method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() });
      expect((await request(widget)).status).toBe(200);
      expect((await request(widget, form({ institution_code: 'mxbank', username: 'mxuser', password: 'cli-typed-4b7e' }))).status).toBe(200);
      expect((await request(oauth, form({ outcome: 'authorized' }))).status).toBe(200);
      expect((await request(oauth)).status).toBe(410);
      run.child.kill('SIGTERM');
      expect(await exitOf(run.child)).toBe(0);
      for (const secret of [widget.split('/').pop() as string, oauth.split('/').pop() as string, 'cli-typed-4b7e']) {
        expect(run.stdout()).not.toContain(secret);
        expect(run.stderr()).not.toContain(secret);
      }
    } finally {
      run.child.kill('SIGKILL');
    }
  });
});
