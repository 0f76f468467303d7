/**
 * The Connect widget, against both OpenAPI files (`POST /users/{user_guid}/widget_urls`, body
 * `{ widget_url: WidgetRequest }` with `widget_type` required, answer `{ widget_url: { type, url,
 * user_id } }`; "The URL expires after ten minutes or upon first use"; `current_member_guid` "takes
 * precedence over `current_institution_code`"; `X-Callback-Payload` "Max 1024 characters") and
 * MX Bank's table (docs.mx.com/resources/test-platform/mxbank/: mxuser, `challenge` answered
 * `correct`, UNAUTHORIZED → DENIED). The widget here is the sandbox's plain HTML page.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { sleep } from './helpers.js';
import { apiOf, openPage, submit } from './endUserHelpers.js';

const TTL_MS = 60_000;
let sandbox: Sandbox;
let api: ReturnType<typeof apiOf>;

beforeAll(async () => {
  sandbox = await startSandbox({ aggregationMs: 100, challengeWindowMs: 30_000, widgetUrlTtlMs: TTL_MS });
  api = apiOf(sandbox);
});
afterAll(async () => {
  await sandbox.close();
});
afterEach(() => {
  vi.useRealTimers();
});

const membersOf = (user: string) => sandbox.state().members.filter((m) => m.user_guid === user);

/** Reloads the widget page (as its refresh does) until it shows a challenge form. */
async function challengePage(url: string): Promise<string> {
  for (let i = 0; i < 500; i++) {
    const page = await openPage(url);
    if (page.text.includes('name="answer"')) return page.text;
    expect(page.text).toContain('http-equiv="refresh"');
    await sleep(20);
  }
  throw new Error('no challenge');
}

describe('POST /users/{user_guid}/widget_urls', () => {
  it.each(['v20250224', 'v20111101'] as const)('answers { widget_url: { type, url, user_id } } (%s)', async (version) => {
    const user = await api.user(`widget-shape-${version}`);
    const reply = await api.call('POST', `/users/${user}/widget_urls`, { widget_url: { widget_type: 'connect_widget' } }, version);
    expect(reply.status).toBe(200);
    expect(reply.json).toEqual({ widget_url: { type: 'connect_widget', url: expect.any(String), user_id: `widget-shape-${version}` } });
    expect(reply.json.widget_url.url).toMatch(new RegExp(`^${sandbox.url}/widgets/connect/[A-Za-z0-9_-]{43}$`));
    expect(reply.headers.get('content-type')).toContain(version === 'v20250224' ? 'application/json' : 'application/vnd.mx.api.v1+json');
  });

  it('refuses what the spec does not allow', async () => {
    const user = await api.user('widget-refusals');
    const other = await api.user('widget-refusals-other');
    const theirs = await api.member(other, 'widget-refusals-theirs', 'password');
    const post = (body: unknown, headers: Record<string, string> = {}, path = `/users/${user}/widget_urls`) => api.call('POST', path, body, 'v20250224', headers);
    expect((await post({})).status).toBe(400);
    expect((await post({ widget_url: {} })).json).toEqual({ error: { message: 'A required parameter is missing: widget_url.widget_type.' } });
    expect((await post({ widget_url: { widget_type: 'budgets_widget' } })).status).toBe(422);
    expect((await post({ widget_url: { widget_type: 'connect_widget', current_member_guid: theirs } })).status).toBe(404);
    expect((await post({ widget_url: { widget_type: 'connect_widget', current_institution_code: 'nobank' } })).status).toBe(404);
    expect((await post({ widget_url: { widget_type: 'connect_widget' } }, { 'x-callback-payload': 'A'.repeat(1025) })).status).toBe(422);
    expect((await post({ widget_url: { widget_type: 'connect_widget' } }, { 'x-callback-payload': 'A'.repeat(1024) })).status).toBe(200);
    // The path's parameter is `user_guid` in both files: an external id names no user here.
    expect((await post({ widget_url: { widget_type: 'connect_widget' } }, {}, '/users/widget-refusals/widget_urls')).status).toBe(404);
  });
});

describe('the widget page', () => {
  it('creates a member from the form that connects, then the URL is spent', async () => {
    const user = await api.user('widget-new');
    const url = await api.widget(user);
    const page = await openPage(url);
    expect(page.status).toBe(200);
    expect(page.text).toContain('<select id="institution_code" name="institution_code">');
    expect(page.text).toContain('name="username"');
    expect(page.text).toContain('name="password" type="password"');
    expect(page.text).not.toContain('action=');
    expect((await submit(url, { institution_code: 'mxbank', username: 'mxuser', password: '' })).status).toBe(400);
    const done = await submit(url, { institution_code: 'mxbank', username: 'mxuser', password: 'password' });
    expect(done.status).toBe(200);
    const [member] = membersOf(user);
    expect(member).toMatchObject({ institution_code: 'mxbank', client_id: 'sandbox-client' });
    expect((await api.settled(user, member!.guid)).connection_status).toBe('CONNECTED');
    expect((await openPage(url)).status).toBe(410);
    expect((await submit(url, { institution_code: 'mxbank', username: 'mxuser', password: 'password' })).status).toBe(410);
    expect(membersOf(user)).toHaveLength(1);
  });

  it('MFA: the page shows the challenge and takes the answer on the same URL', async () => {
    const user = await api.user('widget-mfa');
    const url = await api.widget(user, { current_institution_code: 'mxbank' });
    expect((await openPage(url)).text).toContain('<option value="mxbank" selected>');
    const waiting = await submit(url, { username: 'mxuser', password: 'challenge' });
    expect([waiting.status, waiting.text]).toEqual([200, expect.stringContaining('http-equiv="refresh"')]);
    expect(await challengePage(url)).toContain('What city were you born in?');
    expect((await submit(url, { answer: '' })).status).toBe(400);
    expect((await submit(url, { answer: 'correct' })).status).toBe(200);
    const guid = membersOf(user)[0]!.guid;
    expect((await api.settled(user, guid)).connection_status).toBe('CONNECTED');
    expect((await openPage(url)).status).toBe(410);
  });

  it('OPTIONS challenges are radio buttons whose values are the answers', async () => {
    const user = await api.user('widget-options');
    const url = await api.widget(user);
    await submit(url, { institution_code: 'mxbank', username: 'mxuser', password: 'options' });
    const page = await challengePage(url);
    expect(page).toContain('type="radio" name="answer" value="correct"');
    expect((await submit(url, { answer: 'incorrect' })).status).toBe(200);
    expect((await api.settled(user, membersOf(user)[0]!.guid)).connection_status).toBe('REJECTED');
  });

  it('with current_member_guid: only username and password, and the submit re-links that member', async () => {
    const user = await api.user('widget-relink');
    const guid = await api.member(user, 'widget-relink-m', 'UNAUTHORIZED');
    expect((await api.settled(user, guid)).connection_status).toBe('DENIED');
    const url = await api.widget(user, { current_member_guid: guid, current_institution_code: 'oauthbank' });
    const page = await openPage(url);
    expect(page.text).not.toContain('<select');
    expect(page.text).toContain('Update your credentials for MX Bank.');
    expect((await submit(url, { username: 'mxuser', password: 'password' })).status).toBe(200);
    expect((await api.settled(user, guid)).connection_status).toBe('CONNECTED');
    expect(membersOf(user)).toHaveLength(1);
  });

  it('at an OAuth institution: the widget makes an OAuth member and asks for the authorisation on the same URL', async () => {
    const user = await api.user('widget-oauth');
    const url = await api.widget(user);
    const consent = await submit(url, { institution_code: 'oauthbank' });
    expect([consent.status, consent.text]).toEqual([200, expect.stringContaining('name="outcome" value="authorized"')]);
    const [member] = membersOf(user);
    expect(await api.status(user, member!.guid)).toMatchObject({ connection_status: 'PENDING' });
    expect((await submit(url, { outcome: 'authorized' })).status).toBe(200);
    expect((await api.settled(user, member!.guid)).connection_status).toBe('CONNECTED');
    expect((await openPage(url)).status).toBe(410);
    // Opened on that OAuth member, the widget asks for the consent again; a denial leaves it DENIED.
    const again = await api.widget(user, { current_member_guid: member!.guid });
    expect((await openPage(again)).text).toContain('name="outcome" value="denied"');
    expect((await submit(again, { outcome: 'denied' })).status).toBe(200);
    expect(await api.status(user, member!.guid)).toMatchObject({ connection_status: 'DENIED', is_being_aggregated: false });
  });

  it('opened on a CHALLENGED member, the widget shows its open challenge', async () => {
    const user = await api.user('widget-challenged');
    const guid = await api.member(user, 'widget-challenged-m', 'options');
    expect((await api.settled(user, guid)).connection_status).toBe('CHALLENGED');
    const url = await api.widget(user, { current_member_guid: guid });
    expect((await openPage(url)).text).toContain('Which colour is the sky on a clear day?');
    expect((await submit(url, { answer: 'correct' })).status).toBe(200);
    expect((await api.settled(user, guid)).connection_status).toBe('CONNECTED');
  });

  it('dies after widgetUrlTtlMs by the sandbox clock, and a deleted member takes its URL with it', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const start = Date.now();
    const user = await api.user('widget-late');
    const url = await api.widget(user);
    const before = sandbox.state().endUser;
    vi.setSystemTime(start + TTL_MS);
    expect((await openPage(url)).status).toBe(410);
    const after = sandbox.state().endUser;
    // Every URL still open before (this one among them) has expired now.
    expect(before.widgetUrls.open).toBeGreaterThanOrEqual(1);
    expect([after.widgetUrls.expired - before.widgetUrls.expired, after.widgetUrls.open]).toEqual([before.widgetUrls.open, 0]);
    vi.useRealTimers();
    const guid = await api.member(user, 'widget-late-m', 'password');
    const relink = await api.widget(user, { current_member_guid: guid });
    await api.call('DELETE', `/users/${user}/members/${guid}`);
    expect((await openPage(relink)).status).toBe(410);
  });
});
