/**
 * What the end user does fires MX's webhooks: MEMBER (docs.mx.com/resources/webhooks/member:
 * created/updated) with the `X-Callback-Payload` of the request behind it, here the widget URL
 * request (both OpenAPI files: the header's string "will be returned in the Member ... webhooks";
 * base64, "Max 1024 characters"), and CONNECTION_STATUS (docs.mx.com/resources/webhooks/connection-status)
 * when the status enters an end-user-actionable one (DENIED among them).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { apiOf, submit, until, webhookReceiver, type Received } from './endUserHelpers.js';

let sandbox: Sandbox;
let api: ReturnType<typeof apiOf>;
let receiver: Awaited<ReturnType<typeof webhookReceiver>>;

beforeAll(async () => {
  receiver = await webhookReceiver();
  sandbox = await startSandbox({ aggregationMs: 100, webhooks: { url: receiver.url, auth: 'mx:hook-password' } });
  api = apiOf(sandbox);
});
afterAll(async () => {
  await sandbox.close();
  await receiver.close();
});

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64');
const of = (guid: string): Received[] => receiver.got.filter((r) => (r.body.member?.guid ?? r.body.member_guid) === guid);
const memberHooks = (guid: string) => of(guid).filter((r) => r.body.type === 'MEMBER');
const statusHooks = (guid: string) => of(guid).filter((r) => r.body.type === 'CONNECTION_STATUS');

describe('webhooks of what the end user did', () => {
  it('a widget-made member echoes the widget request X-Callback-Payload; a re-link echoes its own', async () => {
    const user = await api.user('hook-widget');
    const first = b64({ job: 'j-1', customer: 'hook-widget' });
    const url = await api.widget(user, {}, { 'x-callback-payload': first });
    expect((await submit(url, { institution_code: 'mxbank', username: 'mxuser', password: 'UNAUTHORIZED' })).status).toBe(200);
    const guid = sandbox.state().members.find((m) => m.user_guid === user)!.guid;
    await until(() => statusHooks(guid).length === 1 && memberHooks(guid).some((r) => r.body.member.connection_status === 'DENIED'));
    const created = memberHooks(guid).filter((r) => r.body.action === 'created');
    expect(created.map((r) => r.headers['x-callback-payload'])).toEqual([first]);
    expect(memberHooks(guid).every((r) => r.headers['x-callback-payload'] === first)).toBe(true);
    expect(statusHooks(guid)[0]!.body).toMatchObject({ action: 'CHANGED', connection_status: 'DENIED', member_guid: guid, user_guid: user });

    const second = b64({ job: 'j-2', customer: 'hook-widget' });
    const relink = await api.widget(user, { current_member_guid: guid }, { 'x-callback-payload': second });
    const seen = memberHooks(guid).length;
    expect((await submit(relink, { username: 'mxuser', password: 'password' })).status).toBe(200);
    await until(() => memberHooks(guid).some((r) => r.body.member.connection_status === 'CONNECTED'));
    const later = memberHooks(guid).slice(seen);
    expect(later.map((r) => r.body.action)).toEqual(later.map(() => 'updated'));
    expect(later.every((r) => r.headers['x-callback-payload'] === second)).toBe(true);
    expect(sandbox.state().members.filter((m) => m.user_guid === user)).toHaveLength(1);
  });

  it('an OAuth denial is DENIED at once with CONNECTION_STATUS; a later authorisation connects, echoing the create payload', async () => {
    const user = await api.user('hook-oauth');
    const payload = b64({ job: 'j-3', customer: 'hook-oauth' });
    const created = await api.call('POST', `/users/${user}/members`, { member: { id: 'hook-oauth-m', institution_code: 'oauthbank', is_oauth: true } }, 'v20250224', { 'x-callback-payload': payload });
    const guid = created.json.member.guid as string;
    expect((await submit(created.json.member.oauth_window_uri, { outcome: 'denied' })).status).toBe(200);
    await until(() => statusHooks(guid).length === 1 && memberHooks(guid).length === 2);
    expect(statusHooks(guid)[0]!.body.connection_status).toBe('DENIED');
    expect(memberHooks(guid).map((r) => `${r.body.action} ${r.body.member.connection_status}`).toSorted()).toEqual(['created PENDING', 'updated DENIED']);
    const fresh = (await api.call('GET', `/users/${user}/members/${guid}/oauth_window_uri`)).json.member.oauth_window_uri;
    expect((await submit(fresh, { outcome: 'authorized' })).status).toBe(200);
    await until(() => memberHooks(guid).some((r) => r.body.member.connection_status === 'CONNECTED'));
    expect(memberHooks(guid).every((r) => r.headers['x-callback-payload'] === payload)).toBe(true);
    expect(statusHooks(guid)).toHaveLength(1);
  });

  it('no webhook carries a widget URL or an oauth_window_uri', async () => {
    await until(() => receiver.got.length > 0);
    for (const hook of receiver.got) {
      expect(JSON.stringify(hook)).not.toContain('/widgets/');
      if (hook.body.type === 'MEMBER') expect(hook.body.member.oauth_window_uri).toBeNull();
    }
  });
});
