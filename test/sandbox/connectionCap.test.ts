/**
 * MX's 429s: "This error is triggered when an IP address exceeds the maximum of 2000 concurrent
 * connections, or the rate limit for requests per second ... is surpassed"
 * (https://docs.mx.com/api-reference/platform-api/v20111101/overview/errors); MX documents no
 * Retry-After nor any rate-limit header. The sandbox's `maxConnections` caps connections per
 * address and `retryAfter: false` drops the header, so the client's own backoff is rehearsed.
 */
import { request as httpRequest } from 'node:http';
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createMxClient, type ObservableMxClient } from '../../src/api/index.js';
import type { ClientEvent } from '../../src/http/events.js';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../src/sandbox/index.js';
import { optionsFromFlags } from '../../src/cli/commands/sandbox.js';
import { basic, sleep } from './helpers.js';

let sandbox: Sandbox | undefined;
let client: ObservableMxClient | undefined;
const sockets: Socket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await client?.close();
  client = undefined;
  await sandbox?.close();
  sandbox = undefined;
});

/** GET /users on a connection of its own (no keep-alive pool), so each call is one more connection. */
function getUsers(port: number): Promise<{ status: number; retryAfter: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, path: '/users', agent: false, headers: { authorization: basic(), accept: 'application/json', 'accept-version': 'v20250224' } },
      (res) => {
        res.resume().on('end', () => resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'] as string | undefined }));
      },
    );
    req.on('error', reject).end();
  });
}

async function holdConnections(target: Sandbox, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const socket = connect(target.port, '127.0.0.1');
    sockets.push(socket);
    await new Promise((resolve) => socket.once('connect', resolve));
  }
  // Liveness only: the server counts them as soon as it accepts them.
  for (const end = Date.now() + 20_000; target.state().stats.maxOpenConnections < count && Date.now() < end;) await sleep(10);
}

describe('a connection opened past the cap', () => {
  const rows: Array<[string, Partial<SandboxOptions>, { status: number; retryAfter: string | undefined; capped: number }]> = [
    ['cap 2 with two held: 429 with Retry-After', { maxConnections: 2 }, { status: 429, retryAfter: '1', capped: 1 }],
    ['cap 2 with two held, retryAfter off: 429 with no Retry-After', { maxConnections: 2, retryAfter: false }, { status: 429, retryAfter: undefined, capped: 1 }],
    ['cap 3 with two held: served', { maxConnections: 3 }, { status: 200, retryAfter: undefined, capped: 0 }],
    ['no cap: served', {}, { status: 200, retryAfter: undefined, capped: 0 }],
  ];
  it.each(rows)('%s', async (_, options, want) => {
    sandbox = await startSandbox(options);
    await holdConnections(sandbox, 2);
    const reply = await getUsers(sandbox.port);
    expect(reply).toEqual({ status: want.status, retryAfter: want.retryAfter });
    expect(sandbox.state().stats.connectionCapped).toBe(want.capped);
    // The held connections go: the address is under the cap again (liveness: their closing takes a moment).
    for (const socket of sockets.splice(0)) socket.destroy();
    let again = await getUsers(sandbox.port);
    for (const end = Date.now() + 20_000; again.status !== 200 && Date.now() < end; again = await getUsers(sandbox.port)) await sleep(20);
    expect(again.status).toBe(200);
  });
});

describe('the client against 429s with no Retry-After', () => {
  it('backs off on its own schedule and still gets every call through', async () => {
    // One request per 4 s: the second call is surely refused, however loaded the machine.
    sandbox = await startSandbox({ rateLimit: 0.25, burst: 1, retryAfter: false });
    client = createMxClient({
      baseUrl: sandbox.url, clientId: 'sandbox-client', apiKey: 'sandbox-key', auth: 'basic',
      rate: { maxRetries: 30, retryBaseMs: 100, retryCapMs: 1_000 },
    });
    const log: (ClientEvent & { at: number })[] = [];
    client.events.onAny((event) => log.push({ ...event, at: Date.now() }));
    const results = await Promise.all(['no-ra-1', 'no-ra-2'].map((id) => client!.createUser({ id })));
    expect(results.every((r) => r.isOk())).toBe(true);
    const limited = log.filter((e): e is Extract<ClientEvent, { type: 'rate_limited' }> & { at: number } => e.type === 'rate_limited');
    expect(limited.length).toBeGreaterThan(0);
    // Every 429 the sandbox sent reached the client, none named a wait, and each was a pause of the client's choosing.
    expect(limited.length).toBe(sandbox.state().stats.rateLimited);
    for (const e of limited) {
      expect(e.retryAfterMs).toBeUndefined();
      expect(e.pauseMs).toBeGreaterThan(0);
      const retry = log.find((r) => r.type === 'request' && r.at >= e.at && 'callId' in r && r.callId === e.callId);
      if (retry) expect(retry.at - e.at).toBeGreaterThanOrEqual(e.pauseMs - 10);
    }
  });
});

describe('the flags', () => {
  const rows: Array<[string[], Partial<SandboxOptions> | string]> = [
    [['--no-retry-after'], { retryAfter: false }],
    [['--max-connections', '2000'], { maxConnections: 2000 }],
    [['--max-connections', 'many'], "--max-connections must be a number, not 'many'"],
    [['--max-connections', '1.5'], '--max-connections must be an integer'],
  ];
  it.each(rows)('%j → %j', (argv, want) => {
    if (typeof want === 'string') expect(() => optionsFromFlags(argv)).toThrow(expect.objectContaining({ usage: expect.stringContaining(want) }));
    else expect(optionsFromFlags(argv)).toEqual(want);
  });
});
