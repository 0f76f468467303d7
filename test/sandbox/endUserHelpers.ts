/**
 * What the end-user tests share: MX Platform calls in either version, the end user's side (a page
 * opened and its form posted, as `curl URL` and `curl -d field=value URL` do), polling a member
 * until it settles, and a loopback webhook receiver.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Sandbox } from '../../src/sandbox/index.js';
import { basic, request, sleep, type Reply } from './helpers.js';

export type Version = 'v20250224' | 'v20111101';
const ACCEPT: Record<Version, string> = { v20250224: 'application/json', v20111101: 'application/vnd.mx.api.v1+json' };

export function apiOf(sandbox: Sandbox) {
  const call = (method: string, path: string, body?: unknown, version: Version = 'v20250224', extra: Record<string, string> = {}): Promise<Reply> => {
    const headers: Record<string, string> = { authorization: basic(), accept: ACCEPT[version], 'accept-version': version, ...extra };
    if (body !== undefined) headers['content-type'] = 'application/json';
    return request(`${sandbox.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  };
  return {
    call,
    async user(id: string, extra: Record<string, unknown> = {}): Promise<string> {
      const reply = await call('POST', '/users', { user: { id, ...extra } });
      if (reply.status !== 200) throw new Error(`create user: ${reply.status} ${reply.text}`);
      return reply.json.user.guid as string;
    },
    /** An mxbank member whose password picks its outcome. */
    async member(user: string, id: string, password: string, extra: Record<string, unknown> = {}): Promise<string> {
      const credentials = [{ guid: 'CRD-username', value: 'mxuser' }, { guid: 'CRD-password', value: password }];
      const reply = await call('POST', `/users/${user}/members`, { member: { id, institution_code: 'mxbank', credentials, ...extra } });
      if (reply.status !== 202) throw new Error(`create member: ${reply.status} ${reply.text}`);
      return reply.json.member.guid as string;
    },
    /** An OAuth member at oauthbank and the oauth_window_uri its create answered with. */
    async oauthMember(user: string, id: string, extra: Record<string, unknown> = {}): Promise<{ guid: string; uri: string; reply: Reply }> {
      const reply = await call('POST', `/users/${user}/members`, { member: { id, institution_code: 'oauthbank', is_oauth: true, ...extra } });
      if (reply.status !== 200) throw new Error(`create OAuth member: ${reply.status} ${reply.text}`);
      return { guid: reply.json.member.guid as string, uri: reply.json.member.oauth_window_uri as string, reply };
    },
    async widget(user: string, widgetUrl: Record<string, unknown> = {}, headers: Record<string, string> = {}, version: Version = 'v20250224'): Promise<string> {
      const reply = await call('POST', `/users/${user}/widget_urls`, { widget_url: { widget_type: 'connect_widget', ...widgetUrl } }, version, headers);
      if (reply.status !== 200) throw new Error(`widget url: ${reply.status} ${reply.text}`);
      return reply.json.widget_url.url as string;
    },
    status: async (user: string, member: string): Promise<Record<string, any>> => (await call('GET', `/users/${user}/members/${member}/status`)).json.member,
    /** Polls until the member is not aggregating (or is CHALLENGED). */
    async settled(user: string, member: string): Promise<Record<string, any>> {
      for (let i = 0; i < 500; i++) {
        const status = (await call('GET', `/users/${user}/members/${member}/status`)).json.member;
        if (!status.is_being_aggregated || status.connection_status === 'CHALLENGED') return status;
        await sleep(20);
      }
      throw new Error('still aggregating');
    },
  };
}

/** Opens a page as `curl URL` does. */
export const openPage = (url: string): Promise<Reply> => request(url);

/** Posts a page's form back to its own URL as `curl -d a=b URL` does. */
export const submit = (url: string, fields: Record<string, string>): Promise<Reply> =>
  request(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() });

export interface Received {
  headers: IncomingMessage['headers'];
  body: Record<string, any>;
}

/** A loopback receiver that answers 204 and records every webhook. */
export async function webhookReceiver(): Promise<{ url: string; got: Received[]; close: () => Promise<void> }> {
  const got: Received[] = [];
  const server: Server = createServer((req, res) => {
    let text = '';
    req.setEncoding('utf8').on('data', (c: string) => (text += c)).on('end', () => {
      got.push({ headers: req.headers, body: JSON.parse(text) as Record<string, any> });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/mx`,
    got,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Waits (a generous liveness deadline) until `check` holds. */
export async function until(check: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await sleep(20);
  }
}
