import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/index.js';
import { Api, MX_ACCEPT, request, started } from './helpers.js';

let sandbox: Sandbox;
let api: Api;

beforeAll(async () => {
  sandbox = await started();
  api = await Api.connect(sandbox);
});
afterAll(() => sandbox.close());

describe('the wire, as MX documents it', () => {
  it('tolerates a missing Accept and generic JSON types, and answers a wrong version with 406', async () => {
    const bare = await request(`${sandbox.url}/users`, { headers: { authorization: api.authorization } });
    expect(bare.status).toBe(200);
    for (const accept of ['application/json', '*/*', `${MX_ACCEPT}; q=1`, `text/html, ${MX_ACCEPT}`]) {
      expect((await api.call('GET', '/users', undefined, { accept })).status).toBe(200);
    }
    for (const accept of ['application/vnd.mx.api.v2+json', 'text/html', 'application/xml']) {
      const reply = await api.call('GET', '/users', undefined, { accept });
      expect([accept, reply.status]).toEqual([accept, 406]);
      expect(reply.json).toEqual({ error: 'The request cannot be accepted. A required header may be missing or invalid.' });
    }
  });

  it('answers a POST or PUT with a body but without Content-Type: application/json with the bare 404', async () => {
    const guid = await api.createUser('ct-1');
    const post = await request(`${sandbox.url}/users`, {
      method: 'POST', headers: { authorization: api.authorization, accept: MX_ACCEPT }, body: '{"user":{"id":"ct-2"}}',
    });
    expect([post.status, post.text]).toEqual([404, '']);
    const put = await api.call('PUT', `/users/${guid}`, { user: { email: 'x@example.com' } }, { 'content-type': 'text/plain' });
    expect([put.status, put.text]).toEqual([404, '']);
    // A POST with no body at all needs no type (the official SDK's aggregateMember sends form-encoded, length 0).
    const aggregate = await request(`${sandbox.url}/users/${guid}/members/MBR-x/aggregate`, {
      method: 'POST', headers: { authorization: api.authorization, 'content-type': 'application/x-www-form-urlencoded', 'content-length': '0' },
    });
    expect([aggregate.status, aggregate.json]).toEqual([500, { error: 'Member not found.' }]);
    expect(sandbox.state().users.some((u) => u.id === 'ct-2')).toBe(false);
  });

  it('answers an unknown route (a trailing slash included) with the bare 404', async () => {
    for (const path of ['/nope', '/users/', '/users/USR-1/accounts', '/institutions/mxbank/branches', '/users/USR-1/members/MBR-1/identify']) {
      const reply = await api.call('GET', path);
      expect([path, reply.status, reply.text]).toEqual([path, 404, '']);
    }
  });

  it('answers a wrong method with 405 and Allow', async () => {
    const reply = await api.call('PATCH', '/users');
    expect([reply.status, reply.headers.get('allow'), reply.json]).toEqual([405, 'GET, POST', { error: 'Method not allowed.' }]);
    expect((await api.call('PATCH', '/users/USR-1/members/MBR-1', {})).headers.get('allow')).toBe('GET, PUT, DELETE');
  });

  it('answers malformed JSON with 400 and a body over 1 MB with 413, and keeps serving', async () => {
    const empty = await api.call('POST', '/users', undefined, {});
    expect(empty.json).toEqual({ error: 'Missing required parameters: user.' });
    const broken = await request(`${sandbox.url}/users`, {
      method: 'POST',
      headers: { authorization: api.authorization, 'content-type': 'application/json' },
      body: '{"user": {"id": ',
    });
    expect([broken.status, broken.json]).toEqual([400, { error: 'The request body is not valid JSON.' }]);
    const huge = await request(`${sandbox.url}/users`, {
      method: 'POST',
      headers: { authorization: api.authorization, 'content-type': 'application/json' },
      body: JSON.stringify({ user: { id: 'huge', metadata: 'x'.repeat(1_100_000) } }),
    });
    expect([huge.status, huge.json]).toEqual([413, { error: 'The request body is larger than 1 MB.' }]);
    expect((await api.call('GET', '/users?id=huge')).json.users).toEqual([]);
    expect((await api.call('POST', '/users', { user: { id: 'after-huge' } })).status).toBe(200);
  });

  it('keeps connections alive between requests', async () => {
    const sockets = new Set<unknown>();
    const { Agent } = await import('node:http');
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      for (let i = 0; i < 5; i++) {
        await new Promise<void>((resolve, reject) => {
          const req = httpRequest(`${sandbox.url}/users`, { agent, headers: { authorization: api.authorization } }, (res) => {
            sockets.add(res.socket);
            expect(res.headers.connection).toBe('keep-alive');
            res.resume();
            res.on('end', resolve);
          });
          req.on('error', reject);
          req.end();
        });
      }
      expect(sockets.size).toBe(1);
    } finally {
      agent.destroy();
    }
  });

  it('serves the ground truth without auth, and reset empties it', async () => {
    await api.createUser('truth-1');
    const state = await request(`${sandbox.url}/__sandbox/state`);
    expect(state.status).toBe(200);
    expect(state.json.users.some((u: any) => u.id === 'truth-1')).toBe(true);
    expect(state.json.stats).toMatchObject({ requests: expect.any(Number), byStatus: expect.any(Object), rateLimited: 0, faultsInjected: 0 });
    expect((await request(`${sandbox.url}/__sandbox/state`, { method: 'POST' })).status).toBe(405);
    expect((await request(`${sandbox.url}/__sandbox/nope`)).status).toBe(404);
    const reset = await request(`${sandbox.url}/__sandbox/reset`, { method: 'POST' });
    expect(reset.status).toBe(204);
    const after = await request(`${sandbox.url}/__sandbox/state`);
    expect(after.json.users).toEqual([]);
    expect(after.json.stats.requests).toBe(0);
    // Tokens outlive a reset, so a rehearsal can reset between runs without logging in again.
    expect((await api.call('GET', '/users')).status).toBe(200);
  });

  it('counts requests by status', async () => {
    const fresh = await started();
    try {
      const client = await Api.connect(fresh);
      await client.call('GET', '/users');
      await client.call('GET', '/users/USR-missing');
      await client.call('GET', '/nope');
      expect(fresh.state().stats).toMatchObject({ requests: 4, byStatus: { 200: 2, 400: 1, 404: 1 }, tokensIssued: 1 });
    } finally {
      await fresh.close();
    }
  });

  it('adds latencyMs to every API request, but not to the ground truth', async () => {
    const slow = await started({ latencyMs: 250 });
    try {
      const began = Date.now();
      const client = await Api.connect(slow);
      await client.call('GET', '/users');
      expect(Date.now() - began).toBeGreaterThanOrEqual(480);
      const truthAt = Date.now();
      await request(`${slow.url}/__sandbox/state`);
      expect(Date.now() - truthAt).toBeLessThan(250);
    } finally {
      await slow.close();
    }
  });
});
