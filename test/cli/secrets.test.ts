/**
 * Plants every kind of secret the CLI handles (an API key given on the command line, the bearer
 * tokens of token auth, member user names and passwords) and looks for each one in everything the
 * CLI leaves behind or sends out: stdout, stderr (with JSON logs at debug level), the report, the
 * SQLite files, the inspector's WebSocket events, and everything the dashboard serves: the page,
 * its event stream, each customer's timeline and /metrics.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { join } from 'node:path';
import { WebSocket } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { cli, freePort, customer, readJson, workdir, writeJsonl } from './harness.js';

const KEY = 'sk-planted-7c1e0b5a9d';
const CLIENT = 'planted-client';
const PASSWORD = 'Planted-Pass-3f9c';
const USERNAME = 'planted-user-77ad';

let sandbox: Sandbox;
let proxy: Server;
let proxyUrl: string;
/** Every access token the sandbox issued, read off the wire by a recording proxy. */
const tokens: string[] = [];

/** Forwards to the sandbox and keeps the `access_token` of every token response. */
function startRecordingProxy(target: string): Promise<Server> {
  const server = createServer((req, res) => {
    const upstream = request(`${target}${req.url ?? '/'}`, { method: req.method, headers: req.headers }, (answer) => {
      const chunks: Buffer[] = [];
      answer.on('data', (chunk: Buffer) => chunks.push(chunk));
      answer.on('end', () => {
        const body = Buffer.concat(chunks);
        if (req.url?.startsWith('/oauth/token') && answer.statusCode === 200) {
          tokens.push((JSON.parse(body.toString('utf8')) as { access_token: string }).access_token);
        }
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        res.end(body);
      });
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}


beforeAll(async () => {
  // Short-lived tokens, so the run holds more than one; slow aggregation, so the inspector has time to be watched.
  sandbox = await startSandbox({ auth: 'token', tokenTtlSeconds: 2, aggregationMs: 1_500, clients: [{ id: CLIENT, key: KEY }] });
  proxy = await startRecordingProxy(sandbox.url);
  proxyUrl = `http://127.0.0.1:${(proxy.address() as { port: number }).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => proxy.close(resolve));
  await sandbox.close();
});

describe('secrets', () => {
  it('never show up in output, logs, report, store, inspector events or the dashboard', async () => {
    const dir = workdir();
    const input = writeJsonl(dir, 'vault.jsonl', [
      customer('vault-1', ['password']),
      // Any password not in MX's mxbank table connects ("Testing with MX Bank").
      customer('vault-2', [PASSWORD]),
      customer('vault-3', ['password'], USERNAME),
      customer('vault-4', ['challenge']),
    ]);
    const port = await freePort();
    const run = cli(
      ['onboard', input, '--base-url', proxyUrl, '--client-id', CLIENT, '--api-key', KEY, '--auth', 'token', '--inspect', String(port), '--poll-interval-ms', '200', '--json',
        '--dashboard', '--log-format', 'json', '--log-level', 'debug'],
      { cwd: dir },
    );
    const announced = await run.stderrLine(/inspector: open/);
    expect(announced).toContain(`http://127.0.0.1:${port}`);
    const events: string[] = [];
    const socket = new WebSocket(`ws://127.0.0.1:${port}`);
    socket.addEventListener('message', (event) => events.push(String(event.data)));
    const dashboardUrl = /dashboard: (http:\/\/\S+)/.exec(await run.stderrLine(/dashboard: http/))?.[1] ?? '';
    const served: string[] = [];
    const stream = new AbortController();
    const sse = fetch(`${dashboardUrl}/events`, { signal: stream.signal })
      .then(async (response) => {
        const reader = response.body?.getReader();
        for (;;) {
          const chunk = await reader?.read();
          if (!chunk || chunk.done) break;
          served.push(Buffer.from(chunk.value).toString('utf8'));
        }
      })
      .catch(() => undefined);
    const state = { finished: false };
    const polling = (async () => {
      while (!state.finished) {
        for (const path of ['/', '/dashboard.js', '/api/state', '/api/items', '/metrics', ...['vault-1', 'vault-2', 'vault-3', 'vault-4'].map((id) => `/api/items/${id}`)]) {
          served.push(await fetch(`${dashboardUrl}${path}`).then((r) => r.text(), () => ''));
        }
        await new Promise((resolve) => setTimeout(resolve, 150));
      }
    })();
    const result = await run;
    state.finished = true;
    stream.abort();
    await Promise.all([sse, polling]);
    socket.close();

    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr.match(/--api-key is visible to other users/g)).toHaveLength(1);
    const report = readJson<{ customers: { id: string; state: string; reason: string }[] }>(join(dir, '.mx-lifecycle/vault.report.json'));
    expect(report.customers.map((c) => [c.id, c.state])).toEqual([
      ['vault-1', 'done'], ['vault-2', 'done'], ['vault-3', 'needsAction'], ['vault-4', 'needsAction'],
    ]);
    expect(report.customers[3]?.reason).toMatch(/an MFA challenge is waiting for the customer's answer/);

    // The inspector relayed the machines' events.
    const parsed = events.map((e) => JSON.parse(e) as { type: string });
    expect(parsed.some((e) => e.type === '@xstate.actor')).toBe(true);
    expect(parsed.some((e) => e.type === '@xstate.snapshot')).toBe(true);

    expect(tokens.length).toBeGreaterThan(1);
    // The dashboard was read while the job ran: timelines, the event stream and the metrics.
    const dashboardText = served.join('\n');
    expect(dashboardText).toContain('"timeline":[{');
    expect(dashboardText).toContain('event: state');
    expect(dashboardText).toContain('mx_lifecycle_requests_total{');
    expect(result.stderr).toMatch(/"msg":"customer needs action"/);
    const basic = Buffer.from(`${CLIENT}:${KEY}`).toString('base64');
    const secrets = [KEY, basic, PASSWORD, USERNAME, ...tokens];
    const storeFiles = readdirSync(join(dir, '.mx-lifecycle')).map((name) => join(dir, '.mx-lifecycle', name));
    expect(storeFiles.some((f) => f.endsWith('.sqlite'))).toBe(true);
    const places: [string, string][] = [
      ['stdout', result.stdout],
      ['stderr', result.stderr],
      ['inspector events', events.join('\n')],
      ['dashboard, its stream and /metrics', served.join('\n')],
      ...storeFiles.map((file): [string, string] => [file, readFileSync(file).toString('latin1')]),
    ];
    for (const [where, text] of places) {
      for (const secret of secrets) expect(text.includes(secret), `${secret} in ${where}`).toBe(false);
    }
  });
});
