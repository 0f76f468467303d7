/**
 * `stats.byRoute`: every API request counted under its method and the path template of the API
 * version it asked for, so a test or bench can say which calls a job made. The counts add up to
 * `stats.requests`, whatever the request's outcome (refused, rate limited, unknown path).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/index.js';
import { Api, started } from './helpers.js';

let sandbox: Sandbox;
let api: Api;
beforeAll(async () => {
  sandbox = await started();
  api = await Api.connect(sandbox);
});
afterAll(() => sandbox.close());

const sum = (counts: Record<string, number>): number => Object.values(counts).reduce((a, b) => a + b, 0);

describe('stats.byRoute', () => {
  it('counts each request by method and its version\'s path template, adding up to stats.requests', async () => {
    sandbox.reset();
    const userGuid = await api.createUser('route-1');
    const created = await api.createMember(userGuid, 'route-1-m');
    const memberGuid = created.json.member.guid as string;
    await api.call('GET', '/institutions/mxbank/credentials');
    await api.call('GET', `/users/${userGuid}/members/${memberGuid}/status`);
    await api.call('GET', `/users/${userGuid}/members/${memberGuid}/status`);
    // v20250224 names the user and member by external id: its templates say *_identifier.
    const v2 = { accept: 'application/json', 'accept-version': 'v20250224' };
    await api.call('GET', '/users/route-1/members/route-1-m/status', undefined, v2);
    await api.call('GET', '/institutions/mxbank/credentials', undefined, v2);
    // Refused requests count too: a wrong method, an unknown path, a missing user.
    await api.call('PATCH', `/users/${userGuid}`);
    await api.call('GET', '/no/such/path');
    await api.call('GET', '/users/USR-missing/members');

    const { stats } = sandbox.state();
    expect(stats.byRoute).toEqual({
      'POST /users': 1,
      'POST /users/{user_guid}/members': 1,
      'GET /institutions/{institution_code}/credentials': 1,
      'GET /users/{user_guid}/members/{member_guid}/status': 2,
      'GET /users/{user_identifier}/members/{member_identifier}/status': 1,
      'GET /institutions/{institution_identifier}/credentials': 1,
      'PATCH /users/{user_guid}': 1,
      'GET (no route)': 1,
      'GET /users/{user_guid}/members': 1,
    });
    expect(sum(stats.byRoute)).toBe(stats.requests);
  });

  it('counts rate-limited requests and token requests, and empties on reset', async () => {
    // One request per 100 s: the bucket cannot refill while the test runs, however slow the machine.
    const limited = await started({ rateLimit: 0.01, burst: 1 });
    try {
      const client = await Api.connect(limited);
      const replies = await Promise.all(Array.from({ length: 4 }, () => client.call('GET', '/users')));
      expect(replies.map((r) => r.status).toSorted()).toEqual([200, 429, 429, 429]);
      const { stats } = limited.state();
      expect(stats.rateLimited).toBe(3);
      expect(stats.byRoute).toEqual({ 'POST /oauth/token': 1, 'GET /users': 4 });
      expect(sum(stats.byRoute)).toBe(stats.requests);
      limited.reset();
      expect(limited.state().stats.byRoute).toEqual({});
    } finally {
      await limited.close();
    }
  });

  it('keys by template only: a secret in a path never reaches the ground truth', async () => {
    sandbox.reset();
    const planted = 'planted-link-secret-41ce';
    await api.call('GET', `/no/such/${planted}`);
    await api.call('GET', `/users/${planted}/members/${planted}/status`, undefined, { accept: 'application/json', 'accept-version': 'v20250224' });
    const state = await fetch(`${sandbox.url}/__sandbox/state`).then((r) => r.text());
    expect(state).not.toContain(planted);
    expect(sandbox.state().stats.byRoute).toEqual({ 'GET (no route)': 1, 'GET /users/{user_identifier}/members/{member_identifier}/status': 1 });
  });

  it('is in GET /__sandbox/state too', async () => {
    sandbox.reset();
    await api.call('GET', '/users');
    const state = (await fetch(`${sandbox.url}/__sandbox/state`).then((r) => r.json())) as { stats: { byRoute: Record<string, number> } };
    expect(state.stats.byRoute).toEqual({ 'GET /users': 1 });
  });
});
