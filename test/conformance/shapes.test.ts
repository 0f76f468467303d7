/**
 * Every body the sandbox answers on the lifecycle's endpoints, in each API version, against that
 * version's OpenAPI file with closed schemas: a field the spec does not have fails, and so does a
 * field the lifecycle reads going missing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { basic, request, sleep, type Reply } from '../sandbox/helpers.js';
import { expectShape, schemasFor } from './schemas.js';
import type { SpecVersion } from './specDir.js';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ aggregationMs: 50 });
});
afterAll(() => sandbox.close());

const login = (password: string) => [{ guid: 'CRD-username', value: 'mxuser' }, { guid: 'CRD-password', value: password }];

it('reads the spec shapes it validates against (the schemas are not empty)', () => {
  for (const version of ['v20250224', 'v20111101'] as const) {
    expect(Object.keys((schemasFor(version).UserResponseBody.properties as any).user.properties)).toEqual(
      ['email', 'guid', 'id', 'is_disabled', 'metadata'],
    );
  }
});

describe.each(['v20250224', 'v20111101'] as const)('%s', (version: SpecVersion) => {
  const call = (method: string, path: string, body?: unknown): Promise<Reply> => {
    const headers: Record<string, string> = { authorization: basic(), 'accept-version': version };
    if (body !== undefined) headers['content-type'] = 'application/json';
    return request(`${sandbox.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  };

  it('users, members, status, challenges, credentials and resume answer in the spec shapes', async () => {
    const created = await call('POST', '/users', { user: { id: `shape-${version}`, email: 'a@example.com' } });
    expectShape(version, 'UserResponseBody', created.json);
    const user = created.json.user.guid as string;
    expectShape(version, 'UserResponseBody', (await call('GET', `/users/${user}`)).json);
    expectShape(version, 'UserResponseBody', (await call('PUT', `/users/${user}`, { user: { metadata: 'x' } })).json);
    expectShape(version, 'UsersResponseBody', (await call('GET', '/users')).json);
    expectShape(version, 'CredentialsResponseBody', (await call('GET', '/institutions/mxbank/credentials')).json);
    const member = await call('POST', `/users/${user}/members`, { member: { id: `m-${version}`, institution_code: 'mxbank', credentials: login('challenge') } });
    expectShape(version, 'MemberResponseBody', member.json);
    const guid = member.json.member.guid as string;
    expectShape(version, 'MembersResponseBody', (await call('GET', `/users/${user}/members`)).json);
    let status = await call('GET', `/users/${user}/members/${guid}/status`);
    while (status.json.member.connection_status !== 'CHALLENGED') {
      await sleep(20);
      status = await call('GET', `/users/${user}/members/${guid}/status`);
    }
    expectShape(version, 'MemberStatusResponseBody', status.json);
    const challenges = await call('GET', `/users/${user}/members/${guid}/challenges`);
    expectShape(version, 'ChallengesResponseBody', challenges.json);
    const answer = { member: { challenges: [{ guid: challenges.json.challenges[0].guid, value: 'correct' }] } };
    expectShape(version, 'MemberResponseBody', (await call('PUT', `/users/${user}/members/${guid}/resume`, answer)).json);
    expectShape(version, 'MemberResponseBody', (await call('PUT', `/users/${user}/members/${guid}`, { member: { credentials: login('password') } })).json);
    expectShape(version, 'MemberResponseBody', (await call('POST', `/users/${user}/members/${guid}/aggregate`)).json);
    expectShape(version, 'MemberResponseBody', (await call('GET', `/users/${user}/members/${guid}`)).json);
  });

  it('institutions, OAuth members, their windows and widget URLs answer in the spec shapes', async () => {
    const user = (await call('POST', '/users', { user: { id: `shape-eu-${version}` } })).json.user.guid as string;
    expectShape(version, 'InstitutionsResponseBody', (await call('GET', '/institutions')).json);
    expectShape(version, 'InstitutionResponseBody', (await call('GET', '/institutions/oauthbank')).json);
    const oauth = await call('POST', `/users/${user}/members`, { member: { institution_code: 'oauthbank', is_oauth: true, credentials: [] } });
    expectShape(version, 'MemberResponseBody', oauth.json);
    const window = await call('GET', `/users/${user}/members/${oauth.json.member.guid}/oauth_window_uri`);
    expectShape(version, 'OAuthWindowResponseBody', window.json);
    const widget = await call('POST', `/users/${user}/widget_urls`, { widget_url: { widget_type: 'connect_widget' } });
    expectShape(version, 'WidgetResponseBody', widget.json);
  });
});
