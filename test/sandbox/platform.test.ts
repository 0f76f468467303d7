/**
 * The sandbox on its defaults speaks MX Platform: Basic auth, `Accept-Version` per request, MX
 * Platform's own statuses (docs.mx.com/api-reference/platform-api/overview/errors) with
 * `{"error": {"message": "…"}}` bodies, and MX's mxbank test table
 * (docs.mx.com/resources/test-platform/mxbank/, "Testing with MX Bank").
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { basic, request, sleep, type Reply } from './helpers.js';

const AGGREGATION_MS = 150;
let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox({ aggregationMs: AGGREGATION_MS, slowMs: 3_000, minAggregationIntervalMs: 0 });
});
afterAll(async () => {
  await sandbox.close();
});

type Version = 'v20250224' | 'v20111101';
const ACCEPT: Record<Version, string> = { v20250224: 'application/json', v20111101: 'application/vnd.mx.api.v1+json' };

function call(method: string, path: string, body?: unknown, version: Version | null = 'v20250224', extra: Record<string, string> = {}): Promise<Reply> {
  const headers: Record<string, string> = { authorization: basic(), accept: ACCEPT[version ?? 'v20250224'], ...extra };
  if (version !== null) headers['accept-version'] = version;
  if (body !== undefined) headers['content-type'] = 'application/json';
  return request(`${sandbox.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
}

const login = (password: string) => [{ guid: 'CRD-username', value: 'mxuser' }, { guid: 'CRD-password', value: password }];

async function userOf(id: string, version: Version = 'v20250224'): Promise<string> {
  const reply = await call('POST', '/users', { user: { id } }, version);
  expect(reply.status).toBe(200);
  return reply.json.user.guid as string;
}

async function memberOf(user: string, id: string, password: string, institution = 'mxbank'): Promise<Reply> {
  const credentials = institution === 'mxbank' ? login(password) : undefined;
  return call('POST', `/users/${user}/members`, { member: { id, institution_code: institution, credentials } });
}

/** Polls the status until `is_being_aggregated` is false (or the member is CHALLENGED). */
async function settled(user: string, member: string): Promise<Record<string, any>> {
  for (let i = 0; i < 300; i++) {
    const status = (await call('GET', `/users/${user}/members/${member}/status`)).json.member;
    if (!status.is_being_aggregated || status.connection_status === 'CHALLENGED') return status;
    await sleep(20);
  }
  throw new Error('still aggregating');
}

describe('defaults', () => {
  it('takes Basic client_id:api_key and refuses a request without it', async () => {
    expect((await call('GET', '/users')).status).toBe(200);
    const bare = await request(`${sandbox.url}/users`, { headers: { 'accept-version': 'v20250224' } });
    expect([bare.status, bare.json]).toEqual([401, { error: { message: 'Invalid MX-API-Key or MX-Client-ID provided.' } }]);
  });

  it('answers 406 naming both versions when Accept-Version is missing or unknown', async () => {
    for (const version of [null, 'v1', 'v20990101']) {
      const reply = await call('GET', '/users', undefined, null, version === null ? {} : { 'accept-version': version });
      expect(reply.status).toBe(406);
      expect(reply.json.error.message).toContain('v20250224');
      expect(reply.json.error.message).toContain('v20111101');
    }
  });

  it('answers each version in its own media type', async () => {
    expect((await call('GET', '/users', undefined, 'v20250224')).headers.get('content-type')).toMatch(/^application\/json/);
    expect((await call('GET', '/users', undefined, 'v20111101')).headers.get('content-type')).toMatch(/^application\/vnd\.mx\.api\.v1\+json/);
  });
});

describe("MX Platform's statuses", () => {
  it('409 "already exists" on a second create, naming the existing guid', async () => {
    const guid = await userOf('dup-user');
    const again = await call('POST', '/users', { user: { id: 'dup-user' } });
    expect([again.status, again.json]).toEqual([409, { error: { message: `User already exists with guid ${guid}` } }]);
    const member = (await memberOf(guid, 'dup-member', 'password')).json.member.guid as string;
    const second = await memberOf(guid, 'dup-member', 'password');
    expect([second.status, second.json.error.message]).toEqual([409, `Member already exists with guid ${member}`]);
    expect(sandbox.state().members.filter((m) => m.id === 'dup-member')).toHaveLength(1);
  });

  it('404 for an unknown user or member, and a bare 404 for an unknown path', async () => {
    const user = await userOf('four-oh-four');
    expect((await call('GET', '/users/USR-nobody')).json).toEqual({ error: { message: 'User not found.' } });
    expect((await call('GET', `/users/${user}/members/MBR-nobody`)).status).toBe(404);
    const path = await call('GET', '/no/such/path');
    expect([path.status, path.text]).toEqual([404, '']);
  });

  it('202 and no new aggregation while one runs; 409 when a job of another type runs', async () => {
    const user = await userOf('busy');
    const member = (await memberOf(user, 'busy-m', 'slow')).json.member.guid as string;
    const again = await call('POST', `/users/${user}/members/${member}/aggregate`);
    expect([again.status, again.json.member.is_being_aggregated]).toEqual([202, true]);
    const verify = await call('POST', `/users/${user}/members/${member}/verify`);
    expect([verify.status, verify.json.error.message]).toEqual([409, 'The member already has a job of a different type running.']);
  });

  it('202 without a new aggregation within the minimum interval', async () => {
    const throttled = await startSandbox({ aggregationMs: 20, minAggregationIntervalMs: 60_000 });
    try {
      const headers = { authorization: basic(), 'accept-version': 'v20250224', 'content-type': 'application/json' };
      const user = (await request(`${throttled.url}/users`, { method: 'POST', headers, body: '{"user":{"id":"t"}}' })).json.user.guid;
      const body = JSON.stringify({ member: { institution_code: 'mxbank', credentials: login('password') } });
      const member = (await request(`${throttled.url}/users/${user}/members`, { method: 'POST', headers, body })).json.member.guid;
      await sleep(60);
      const aggregate = await request(`${throttled.url}/users/${user}/members/${member}/aggregate`, { method: 'POST', headers });
      expect([aggregate.status, aggregate.json.member.is_being_aggregated, aggregate.json.member.connection_status]).toEqual([202, false, 'CONNECTED']);
      // The ground truth counts aggregate requests, refused ones too: a client that says it sent none can be checked.
      expect(throttled.state().stats.aggregateRequests).toBe(1);
    } finally {
      await throttled.close();
    }
  });

  it('405 on resume when the member is not CHALLENGED', async () => {
    const user = await userOf('late-answer');
    const member = (await memberOf(user, 'late-m', 'password')).json.member.guid as string;
    await settled(user, member);
    const resume = await call('PUT', `/users/${user}/members/${member}/resume`, { member: { challenges: [{ guid: 'CRD-x', value: 'correct' }] } });
    expect([resume.status, resume.json.error.message]).toEqual([405, 'The member is not CHALLENGED, so there is nothing to resume.']);
  });
});

describe('v20250224 paths and shapes', () => {
  it('takes the external id or the guid for {user_identifier} and {member_identifier}', async () => {
    const guid = await userOf('ext-user');
    const member = (await memberOf(guid, 'ext-member', 'password')).json.member.guid as string;
    expect((await call('GET', '/users/ext-user')).json.user.guid).toBe(guid);
    expect((await call('GET', '/users/ext-user/members/ext-member')).json.member.guid).toBe(member);
    expect((await call('GET', `/users/${guid}/members/${member}/status`)).status).toBe(200);
    // v20111101 paths name records by guid only.
    expect((await call('GET', '/users/ext-user', undefined, 'v20111101')).status).toBe(404);
  });

  it('refuses skip_aggregation on create member, which only v20111101 has', async () => {
    const user = await userOf('skipper');
    const body = { member: { institution_code: 'mxbank', credentials: login('password'), skip_aggregation: true } };
    expect((await call('POST', `/users/${user}/members`, body)).status).toBe(422);
    const old = await call('POST', `/users/${user}/members`, body, 'v20111101');
    expect([old.status, old.json.member.is_being_aggregated]).toEqual([200, false]);
  });
});

describe('the mxbank table', () => {
  it.each([
    ['anything-else', 'CONNECTED'],
    ['BAD_REQUEST', 'FAILED'],
    ['UNAUTHORIZED', 'DENIED'],
    ['INVALID', 'DENIED'],
    ['LOCKED', 'LOCKED'],
    ['DISABLED', 'DENIED'],
    ['SERVER_ERROR', 'FAILED'],
    ['UNAVAILABLE', 'FAILED'],
    // The sandbox's own words for statuses MX's table has no password for.
    ['prevented', 'PREVENTED'],
    ['impeded', 'IMPEDED'],
  ])('%s → %s, with is_being_aggregated true while it runs and false after', async (password, status) => {
    const user = await userOf(`table-${password}`);
    const created = await memberOf(user, `table-${password}-m`, password);
    expect(created.json.member.is_being_aggregated).toBe(true);
    const end = await settled(user, created.json.member.guid);
    expect([end.connection_status, end.is_being_aggregated]).toEqual([status, false]);
    expect(sandbox.state().members.find((m) => m.guid === created.json.member.guid)?.connection_status).toBe(status);
  });

  it.each([
    ['challenge', 'TEXT'],
    ['options', 'OPTIONS'],
    ['image', 'IMAGE_DATA'],
  ])('%s raises a %s challenge, inline in the status, answered with "correct"', async (password, type) => {
    const user = await userOf(`mfa-${password}`);
    const member = (await memberOf(user, `mfa-${password}-m`, password)).json.member.guid as string;
    const status = await settled(user, member);
    expect(status.connection_status).toBe('CHALLENGED');
    expect(status.challenges).toHaveLength(1);
    expect(status.challenges[0].type).toBe(type);
    const answer = { member: { challenges: [{ guid: status.challenges[0].guid, value: 'correct' }] } };
    expect((await call('PUT', `/users/${user}/members/${member}/resume`, answer)).status).toBe(202);
    expect((await settled(user, member)).connection_status).toBe('CONNECTED');
  });

  it('an MFA answer other than "correct" is REJECTED; SERVER_ERROR as an answer is FAILED', async () => {
    for (const [value, end] of [['wrong', 'REJECTED'], ['SERVER_ERROR', 'FAILED']] as const) {
      // A user each: a second member with the same credentials would be a duplicate.
      const user = await userOf(`mfa-wrong-${value}`);
      const member = (await memberOf(user, `mfa-wrong-${value}`, 'challenge')).json.member.guid as string;
      const guid = (await settled(user, member)).challenges[0].guid as string;
      await call('PUT', `/users/${user}/members/${member}/resume`, { member: { challenges: [{ guid, value }] } });
      expect((await settled(user, member)).connection_status).toBe(end);
    }
  });
});

describe('update member, oauthbank, empty bodies, delete', () => {
  it('update member with new credentials aggregates again with the new outcome', async () => {
    const user = await userOf('updater');
    const member = (await memberOf(user, 'updater-m', 'LOCKED')).json.member.guid as string;
    expect((await settled(user, member)).connection_status).toBe('LOCKED');
    const update = await call('PUT', `/users/${user}/members/${member}`, { member: { credentials: login('password') } });
    expect([update.status, update.json.member.is_being_aggregated]).toEqual([200, true]);
    expect((await settled(user, member)).connection_status).toBe('CONNECTED');
    expect(sandbox.state().members.find((m) => m.guid === member)?.connection_status).toBe('CONNECTED');
  });

  it('an oauthbank member waits in PENDING with an oauth_window_uri, and aggregating does not change that', async () => {
    const user = await userOf('oauth-user');
    const created = await memberOf(user, 'oauth-m', '', 'oauthbank');
    expect(created.json.member).toMatchObject({ connection_status: 'PENDING', is_oauth: true, is_being_aggregated: false });
    expect(created.json.member.oauth_window_uri).toMatch(new RegExp(`^${sandbox.url}/widgets/oauth/`));
    const guid = created.json.member.guid as string;
    await call('POST', `/users/${user}/members/${guid}/aggregate`);
    await sleep(AGGREGATION_MS * 2);
    expect((await call('GET', `/users/${user}/members/${guid}/status`)).json.member.connection_status).toBe('PENDING');
    // oauth_window_uris are one-time use (MX's OAuth guide): each request issues a new one.
    const again = (await call('GET', `/users/${user}/members/${guid}/oauth_window_uri`)).json.member.oauth_window_uri as string;
    expect(again).toMatch(new RegExp(`^${sandbox.url}/widgets/oauth/`));
    expect(again).not.toBe(created.json.member.oauth_window_uri);
  });

  it('accepts an aggregate POST with an empty form-encoded body, as the official SDK sends it', async () => {
    const user = await userOf('sdk-like');
    const member = (await memberOf(user, 'sdk-like-m', 'password')).json.member.guid as string;
    await settled(user, member);
    const reply = await call('POST', `/users/${user}/members/${member}/aggregate`, undefined, 'v20250224', {
      'content-type': 'application/x-www-form-urlencoded', 'content-length': '0',
    });
    expect([reply.status, reply.json.member.is_being_aggregated]).toEqual([202, true]);
  });

  it('deleting a user deletes its members', async () => {
    const user = await userOf('leaver');
    await memberOf(user, 'leaver-a', 'password');
    await memberOf(user, 'leaver-b', 'password');
    expect((await call('DELETE', `/users/${user}`)).status).toBe(204);
    expect(sandbox.state().members.filter((m) => m.user_guid === user)).toEqual([]);
    expect((await call('GET', `/users/${user}/members`)).status).toBe(404);
  });
});
