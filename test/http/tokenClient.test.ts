import { afterEach, describe, expect, it } from 'vitest';
import { createMxClient, type ObservableMxClient } from '../../src/api/index.js';
import type { ApiError } from '../../src/errors/types.js';
import type { ClientEvent } from '../../src/http/events.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { errorOf, valueOf } from './results.js';
import { startStub, type SeenRequest, type StubReply, type StubServer } from './loopback.js';

const user = { guid: 'USR-1', id: 'customer-1', email: null, is_disabled: false, metadata: null };
const expired: StubReply = {
  status: 401,
  headers: { 'www-authenticate': 'Bearer error="invalid_token", error_description="The access token expired"' },
  json: { error: 'The access token has expired.' },
};

/** A token endpoint handing out tok-1, tok-2, …, and an API that refuses the tokens `refuse` names. */
function tokenApi(refuse: (token: string) => boolean) {
  let issued = 0;
  return (request: SeenRequest): StubReply => {
    if (request.path === '/oauth/token') {
      issued += 1;
      return { status: 200, json: { access_token: `tok-${issued}`, token_type: 'Bearer', expires_in: 300 } };
    }
    const token = request.authorization?.replace(/^Bearer /, '') ?? '';
    return refuse(token) ? expired : { status: 200, json: { user } };
  };
}

describe('tokens in the client', () => {
  let stub: StubServer | undefined;
  let sandbox: Sandbox | undefined;
  let client: ObservableMxClient | undefined;
  afterEach(async () => {
    await client?.close();
    await stub?.close();
    await sandbox?.close();
    client = undefined;
    stub = undefined;
    sandbox = undefined;
  });

  it('refreshes when the API says the token expired and replays that request once', async () => {
    stub = await startStub(tokenApi((token) => token === 'tok-1'));
    client = createMxClient({ baseUrl: stub.url, clientId: 'c', apiKey: 'k', auth: 'token' });
    const events: ClientEvent[] = [];
    client.events.onAny((e) => events.push(e));
    const result = await client.readUser('USR-1');
    expect(result.isOk() && result.value.guid).toBe('USR-1');
    const paths = stub.requests.map((r) => `${r.method} ${r.path} ${r.authorization?.split(' ')[0]}`);
    expect(paths).toEqual(['POST /oauth/token Basic', 'GET /users/USR-1 Bearer', 'POST /oauth/token Basic', 'GET /users/USR-1 Bearer']);
    expect(stub.requests[3]!.authorization).toBe('Bearer tok-2');
    expect(events.filter((e) => e.type === 'retried')).toMatchObject([{ reason: 'token_expired', attempt: 1 }]);
    expect(events.filter((e) => e.type === 'token_refreshed').map((e) => e.type === 'token_refreshed' && e.reason)).toEqual(['initial', 'reactive']);
  });

  it('replays only once: a second refusal goes back to the caller as token_expired', async () => {
    stub = await startStub(tokenApi(() => true));
    client = createMxClient({ baseUrl: stub.url, clientId: 'c', apiKey: 'k', auth: 'token' });
    const result = await client.readUser('USR-1');
    expect(result.isErr() && result.error.kind).toBe('token_expired');
    expect(stub.requests.filter((r) => r.path === '/users/USR-1')).toHaveLength(2);
    expect(stub.requests.filter((r) => r.path === '/oauth/token')).toHaveLength(2);
  });

  it('halts on a wrong key: one token request, and every call gets the same unauthorized error', async () => {
    sandbox = await startSandbox({ auth: 'token' });
    client = createMxClient({ baseUrl: sandbox.url, clientId: 'sandbox-client', apiKey: 'wrong-key', auth: 'token' });
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => client!.createUser({ id: `nobody-${i}` })));
    const kinds = new Set(results.map((r) => (r.isErr() ? r.error.kind : 'ok')));
    expect([...kinds]).toEqual(['unauthorized']);
    expect(errorOf(await client.readUser('USR-x')).kind).toBe('unauthorized');
    const { stats } = sandbox.state();
    expect(stats.requests).toBe(1);
    expect(stats.tokensIssued).toBe(0);
  });

  it('runs 10 s of traffic on 2-s tokens without the caller ever seeing token_expired', async () => {
    sandbox = await startSandbox({ auth: 'token', tokenTtlSeconds: 2 });
    client = createMxClient({
      baseUrl: sandbox.url,
      clientId: 'sandbox-client',
      apiKey: 'sandbox-key',
      auth: 'token',
      rate: { perSecond: 40 },
    });
    let refusedByApi = 0;
    client.events.on('response', (e) => {
      if (e.kind === 'token_expired') refusedByApi += 1;
    });
    const created = await client.createUser({ id: 'steady' });
    expect(created.isOk()).toBe(true);
    const { guid } = valueOf(created);
    const errors: ApiError[] = [];
    let calls = 0;
    const until = Date.now() + 10_000;
    const worker = async (): Promise<void> => {
      while (Date.now() < until) {
        const result = await client!.readUser(guid);
        calls += 1;
        if (result.isErr()) errors.push(result.error);
      }
    };
    await Promise.all([worker(), worker(), worker()]);
    const { stats } = sandbox.state();
    console.log(`2-s tokens: ${calls} calls in 10 s, ${stats.tokensIssued} tokens, ${refusedByApi} refused as expired by the API`);
    expect(errors).toEqual([]);
    expect(calls).toBeGreaterThan(200);
    // Refreshed about every second (half the lifetime), not on every call.
    expect(stats.tokensIssued).toBeGreaterThanOrEqual(8);
    expect(stats.tokensIssued).toBeLessThanOrEqual(14);
  });
});
