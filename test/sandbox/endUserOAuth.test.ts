/**
 * OAuth members and their end user, against MX's documents:
 * - both OpenAPI files: InstitutionResponse has `supports_oauth`; MemberResponse has `is_oauth` and
 *   `oauth_window_uri`; `GET /users/{user_identifier}/members/{member_identifier}/oauth_window_uri`
 *   (v20250224: id or guid; v20111101: `{user_guid}/members/{member_guid}`) answers
 *   `{ member: { guid, oauth_window_uri } }`.
 * - MX's OAuth guide (docs.mx.com/resources/oauth-guide/oauth-in-browsers): create with
 *   `"is_oauth": true`; "you cannot include end-user credentials in your request body when creating
 *   an OAuth member" (…/oauth-in-mobile-apps); "oauth_window_uris are one-time use"; aggregation
 *   "will start after a successful OAuth connection"; error reasons CANCELLED ("The user cancelled
 *   or exited the OAuth process") and DENIED ("The user was unable to authenticate with the provider").
 * - Atrium's Generate OAuth Window URI (docs.mx.com/api-reference/atrium/reference/members/oauth-window-uri):
 *   a new URI sends the end user "through the OAuth process again"; a member whose institution has
 *   no OAuth gets 400 "Member cannot use OAuth.". MX Platform's pages say nothing of that case or
 *   of `is_oauth` at such an institution; the sandbox answers both with that 400.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { apiOf, openPage, submit } from './endUserHelpers.js';

const TTL_MS = 60_000;
let sandbox: Sandbox;
let api: ReturnType<typeof apiOf>;

beforeAll(async () => {
  sandbox = await startSandbox({ aggregationMs: 100, widgetUrlTtlMs: TTL_MS });
  api = apiOf(sandbox);
});
afterAll(async () => {
  await sandbox.close();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('institutions', () => {
  it.each(['v20250224', 'v20111101'] as const)('lists oauthbank with supports_oauth: true and mxbank without (%s)', async (version) => {
    const list = await api.call('GET', '/institutions', undefined, version);
    expect(list.status).toBe(200);
    const byCode = new Map((list.json.institutions as any[]).map((i) => [i.code, i]));
    expect(byCode.get('oauthbank')).toMatchObject({ code: 'oauthbank', supports_oauth: true });
    expect(byCode.get('mxbank')).toMatchObject({ code: 'mxbank', name: 'MX Bank', supports_oauth: false });
    expect(list.json.pagination).toMatchObject({ current_page: 1, total_entries: list.json.institutions.length });
    const one = await api.call('GET', '/institutions/oauthbank', undefined, version);
    expect([one.status, one.json.institution.supports_oauth]).toEqual([200, true]);
    expect((await api.call('GET', '/institutions/nobank', undefined, version)).status).toBe(404);
  });
});

describe('creating an OAuth member', () => {
  it('is PENDING with is_oauth and a one-time oauth_window_uri on the sandbox, and does not aggregate', async () => {
    const user = await api.user('oauth-create');
    const { guid, uri, reply } = await api.oauthMember(user, 'oauth-create-m', { credentials: [] });
    expect(reply.json.member).toMatchObject({ connection_status: 'PENDING', is_oauth: true, is_being_aggregated: false });
    expect(uri).toMatch(new RegExp(`^${sandbox.url}/widgets/oauth/[A-Za-z0-9_-]{43}$`));
    await api.call('POST', `/users/${user}/members/${guid}/aggregate`);
    expect(await api.status(user, guid)).toMatchObject({ connection_status: 'PENDING', is_being_aggregated: false });
    // Reads carry no URI: each is a bearer secret, handed out once.
    const read = await api.call('GET', `/users/${user}/members/${guid}`);
    expect(read.json.member).toMatchObject({ is_oauth: true, oauth_window_uri: null });
    expect(read.text).not.toContain('/widgets/oauth/');
  });

  it('answers 400 for is_oauth at an institution without OAuth, and for an OAuth member with credentials', async () => {
    const user = await api.user('oauth-mismatch');
    const login = [{ guid: 'CRD-username', value: 'mxuser' }, { guid: 'CRD-password', value: 'password' }];
    const noOauth = await api.call('POST', `/users/${user}/members`, { member: { institution_code: 'mxbank', is_oauth: true, credentials: login } });
    expect([noOauth.status, noOauth.json]).toEqual([400, { error: { message: 'Member cannot use OAuth.' } }]);
    const withCredentials = await api.call('POST', `/users/${user}/members`, { member: { institution_code: 'oauthbank', is_oauth: true, credentials: login } });
    expect(withCredentials.status).toBe(400);
    expect(withCredentials.json.error.message).toContain('cannot be created with credentials');
    const plain = await api.member(user, 'oauth-mismatch-m', 'password');
    const window = await api.call('GET', `/users/${user}/members/${plain}/oauth_window_uri`);
    expect([window.status, window.json]).toEqual([400, { error: { message: 'Member cannot use OAuth.' } }]);
    expect(sandbox.state().members.filter((m) => m.user_guid === user)).toHaveLength(1);
  });
});

describe('the OAuth page', () => {
  it('authorized: the member aggregates as an MX Bank member and connects; the URL is spent', async () => {
    const before = sandbox.state().endUser;
    const user = await api.user('oauth-yes');
    const { guid, uri } = await api.oauthMember(user, 'oauth-yes-m');
    const page = await openPage(uri);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(page.text).toContain('<form method="post">');
    expect(page.text).not.toContain('action=');
    for (const outcome of ['authorized', 'denied', 'cancelled']) expect(page.text).toContain(`name="outcome" value="${outcome}"`);
    const done = await submit(uri, { outcome: 'authorized' });
    expect([done.status, done.text]).toEqual([200, expect.stringContaining('Authorized')]);
    expect(await api.settled(user, guid)).toMatchObject({ connection_status: 'CONNECTED', is_being_aggregated: false });
    expect((await api.call('GET', `/users/${user}/members/${guid}`)).json.member.is_oauth).toBe(true);
    expect((await submit(uri, { outcome: 'authorized' })).status).toBe(410);
    const gone = await openPage(uri);
    expect([gone.status, gone.headers.get('content-type')]).toEqual([410, 'text/html; charset=utf-8']);
    const after = sandbox.state().endUser;
    expect(after.oauthWindows.issued - before.oauthWindows.issued).toBe(1);
    expect(after.oauthWindows.completed - before.oauthWindows.completed).toBe(1);
    expect(after.oauthOutcomes.authorized - before.oauthOutcomes.authorized).toBe(1);
    expect(after.gone - before.gone).toBe(2);
    expect(JSON.stringify(sandbox.state())).not.toContain(uri.split('/').pop());
  });

  it('denied: DENIED at once; a fresh URI (v20250224 by external ids) can be completed again', async () => {
    const user = await api.user('oauth-no');
    const { guid, uri } = await api.oauthMember(user, 'oauth-no-m');
    expect((await submit(uri, { outcome: 'denied' })).status).toBe(200);
    expect(await api.status(user, guid)).toMatchObject({ connection_status: 'DENIED', is_being_aggregated: false });
    const fresh = await api.call('GET', '/users/oauth-no/members/oauth-no-m/oauth_window_uri');
    expect(fresh.status).toBe(200);
    expect(fresh.json.member.guid).toBe(guid);
    expect(fresh.json.member.oauth_window_uri).not.toBe(uri);
    expect((await submit(fresh.json.member.oauth_window_uri, { outcome: 'authorized' })).status).toBe(200);
    expect((await api.settled(user, guid)).connection_status).toBe('CONNECTED');
  });

  it('cancelled: nothing changes, the member still waits in PENDING; v20111101 takes guids only', async () => {
    const user = await api.user('oauth-cancel');
    const { guid, uri } = await api.oauthMember(user, 'oauth-cancel-m');
    expect((await submit(uri, { outcome: 'cancelled' })).status).toBe(200);
    expect(await api.status(user, guid)).toMatchObject({ connection_status: 'PENDING', is_being_aggregated: false });
    expect(sandbox.state().endUser.oauthOutcomes.cancelled).toBeGreaterThanOrEqual(1);
    expect((await api.call('GET', '/users/oauth-cancel/members/oauth-cancel-m/oauth_window_uri', undefined, 'v20111101')).status).toBe(404);
    const v1 = await api.call('GET', `/users/${user}/members/${guid}/oauth_window_uri`, undefined, 'v20111101');
    expect([v1.status, v1.headers.get('content-type')]).toEqual([200, 'application/vnd.mx.api.v1+json; charset=utf-8']);
    expect((await submit(v1.json.member.oauth_window_uri, { outcome: 'authorized' })).status).toBe(200);
    expect((await api.settled(user, guid)).connection_status).toBe('CONNECTED');
  });

  it('skip_aggregation=true on the window request: the authorised member does not aggregate', async () => {
    const user = await api.user('oauth-skip');
    const { guid } = await api.oauthMember(user, 'oauth-skip-m');
    const uri = (await api.call('GET', `/users/${user}/members/${guid}/oauth_window_uri?skip_aggregation=true`)).json.member.oauth_window_uri;
    expect((await submit(uri, { outcome: 'authorized' })).status).toBe(200);
    expect(await api.status(user, guid)).toMatchObject({ is_being_aggregated: false, aggregated_at: null });
  });

  it('keeps a URL usable after a bad outcome; 404 for an unknown token, 405 for other methods', async () => {
    const user = await api.user('oauth-bad');
    const { guid, uri } = await api.oauthMember(user, 'oauth-bad-m');
    expect((await submit(uri, { outcome: 'maybe' })).status).toBe(400);
    expect((await submit(uri, {})).status).toBe(400);
    expect((await openPage(`${sandbox.url}/widgets/oauth/not-a-token`)).status).toBe(404);
    const put = await fetch(uri, { method: 'PUT' });
    expect([put.status, put.headers.get('allow')]).toEqual([405, 'GET, POST']);
    const json = await fetch(uri, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"outcome":"denied"}' });
    expect(json.status).toBe(415);
    expect((await submit(uri, { outcome: 'authorized' })).status).toBe(200);
    expect((await api.settled(user, guid)).connection_status).toBe('CONNECTED');
  });

  it('dies after widgetUrlTtlMs by the sandbox clock: 410, counted as expired', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const start = Date.now();
    const user = await api.user('oauth-late');
    const { uri } = await api.oauthMember(user, 'oauth-late-m');
    const fresh = (await api.call('GET', `/users/${user}/members/oauth-late-m/oauth_window_uri`)).json.member.oauth_window_uri;
    vi.setSystemTime(start + TTL_MS - 1);
    expect((await openPage(uri)).status).toBe(200);
    const expiredBefore = sandbox.state().endUser.oauthWindows.expired;
    vi.setSystemTime(start + TTL_MS);
    expect((await openPage(uri)).status).toBe(410);
    expect((await submit(fresh, { outcome: 'authorized' })).status).toBe(410);
    expect(sandbox.state().endUser.oauthWindows.expired - expiredBefore).toBe(2);
    // An hour after its death a URL is forgotten (404), and stays counted as expired.
    vi.setSystemTime(start + TTL_MS + 3_600_000);
    await api.call('GET', `/users/${user}/members/oauth-late-m/oauth_window_uri`);
    expect((await openPage(uri)).status).toBe(404);
    expect(sandbox.state().endUser.oauthWindows.expired - expiredBefore).toBe(2);
  });
});
