import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/index.js';
import { Api, basic, MX_ACCEPT, request, sleep, started, tokenFor } from './helpers.js';

let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await started({
    tokenTtlSeconds: 1,
    clients: [
      { id: 'sandbox-client', key: 'sandbox-key' },
      { id: 'lonely', key: 'lonely-key', associated: false },
    ],
  });
});
afterAll(() => sandbox.close());

const get = (url: string, authorization?: string) =>
  request(url, { headers: { accept: MX_ACCEPT, ...(authorization ? { authorization } : {}) } });

describe('token auth (the default)', () => {
  it('issues a Bearer token for Basic client_id:api_key, with expires_in = the TTL', async () => {
    const reply = await request(`${sandbox.url}/oauth/token`, { method: 'POST', headers: { authorization: basic() } });
    expect(reply.status).toBe(200);
    expect(reply.json).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: 1 });
    expect(reply.headers.get('cache-control')).toBe('no-store');
    expect((await get(`${sandbox.url}/users`, `Bearer ${reply.json.access_token}`)).status).toBe(200);
  });

  it('answers a wrong key, an unknown client or no Authorization with 401 unauthorized', async () => {
    for (const authorization of [basic('sandbox-client', 'wrong'), basic('nobody', 'sandbox-key'), undefined, 'Basic !!!']) {
      const reply = await request(`${sandbox.url}/oauth/token`, { method: 'POST', headers: authorization ? { authorization } : {} });
      expect(reply.status).toBe(401);
      expect(reply.json).toEqual({ error: 'Unauthorized: the client id, API key or token is not valid.' });
    }
    expect((await request(`${sandbox.url}/oauth/token`)).status).toBe(405);
  });

  it('refuses API calls without a valid Bearer token (Basic is not enough in token mode)', async () => {
    for (const authorization of [undefined, 'Bearer not-a-token', basic()]) {
      const reply = await get(`${sandbox.url}/users`, authorization);
      expect([reply.status, reply.json.error]).toEqual([401, 'Unauthorized: the client id, API key or token is not valid.']);
    }
  });

  it('answers an expired token (TTL 1 s) with 401 token-expired, and a fresh token works', async () => {
    const token = await tokenFor(sandbox.url);
    expect((await get(`${sandbox.url}/users`, `Bearer ${token}`)).status).toBe(200);
    await sleep(1_100);
    const expired = await get(`${sandbox.url}/users`, `Bearer ${token}`);
    expect([expired.status, expired.json]).toEqual([401, { error: 'The access token has expired.' }]);
    expect(expired.headers.get('www-authenticate')).toContain('invalid_token');
    expect((await get(`${sandbox.url}/users`, `Bearer ${await tokenFor(sandbox.url)}`)).status).toBe(200);
  });

  it('counts the tokens it issued', async () => {
    const before = sandbox.state().stats.tokensIssued;
    await tokenFor(sandbox.url);
    await tokenFor(sandbox.url);
    expect(sandbox.state().stats.tokensIssued).toBe(before + 2);
  });

  it('answers a user create by a client that is not associated with 500 "Client must be associated."', async () => {
    const lonely = await Api.connect(sandbox, 'lonely', 'lonely-key');
    const reply = await lonely.call('POST', '/users', { user: { id: 'nobody-home' } });
    expect([reply.status, reply.json]).toEqual([500, { error: 'Create user failed: Client must be associated.' }]);
    expect(sandbox.state().users.some((u) => u.id === 'nobody-home')).toBe(false);
  });
});

describe('basic auth', () => {
  it('takes Basic client_id:api_key on every request and refuses Bearer tokens', async () => {
    const plain = await started({ auth: 'basic' });
    try {
      const api = new Api(plain.url, basic());
      expect((await api.call('POST', '/users', { user: { id: 'basic-1' } })).status).toBe(200);
      expect((await get(`${plain.url}/users`, basic('sandbox-client', 'nope'))).status).toBe(401);
      const bearer = `Bearer ${await tokenFor(plain.url)}`;
      expect((await get(`${plain.url}/users`, bearer)).status).toBe(401);
    } finally {
      await plain.close();
    }
  });
});
