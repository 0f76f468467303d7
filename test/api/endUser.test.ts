/**
 * The end-user endpoints on the wire, both API versions, shapes as in MX's OpenAPI files:
 * POST /users/{user_guid}/widget_urls (WidgetRequestBody, `X-Callback-Payload` header; "The URL
 * expires after ten minutes or upon first use"), GET .../members/{member_guid}/oauth_window_uri
 * (OAuthWindowResponseBody), GET /institutions/{institution_code} (InstitutionResponse.supports_oauth),
 * and MemberCreateRequest.is_oauth (docs.mx.com OAuth guide: create with is_oauth and no credentials).
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createMxClient, type ObservableMxClient } from '../../src/api/index.js';
import { errorOf, valueOf } from '../http/results.js';

const WIDGET_URL = 'https://int-widgets.moneydesktop.com/md/connect/secret-widget-token-123';
const OAUTH_URL = 'https://mxbank.mx.com/oauth/authorize?state=secret-oauth-state-456';
const MEMBER = { guid: 'MBR-1', id: 'c-1', user_guid: 'USR-1', institution_code: 'oauthbank', connection_status: 'PENDING', is_being_aggregated: false, is_oauth: true };

interface Seen { method: string; path: string; headers: IncomingHttpHeaders; body: string }

async function serve(reply: (seen: Seen) => { status: number; json?: unknown; text?: string }) {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const request = { method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      seen.push(request);
      const answer = reply(request);
      const body = answer.json === undefined ? (answer.text ?? '') : JSON.stringify(answer.json);
      res.writeHead(answer.status, { 'content-type': 'application/json' });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

let close: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of close) await c();
  close = [];
});

async function clientOn(reply: Parameters<typeof serve>[0], apiVersion: 'v20250224' | 'v20111101') {
  const server = await serve(reply);
  const client: ObservableMxClient = createMxClient({ baseUrl: server.url, clientId: 'c', apiKey: 'k', apiVersion });
  const events: unknown[] = [];
  client.events.onAny((e) => events.push(e));
  close.push(() => client.close(), server.close);
  return { client, seen: server.seen, events };
}

describe.each(['v20250224', 'v20111101'] as const)('end-user endpoints, %s', (apiVersion) => {
  it('createMember with isOauth sends is_oauth: true and no credentials', async () => {
    const { client, seen } = await clientOn(() => ({ status: 200, json: { member: MEMBER } }), apiVersion);
    const member = valueOf(await client.createMember({ userGuid: 'USR-1', id: 'c-1', institutionCode: 'oauthbank', credentials: [], isOauth: true }));
    expect(member.is_oauth).toBe(true);
    expect(seen[0]).toMatchObject({ method: 'POST', path: '/users/USR-1/members' });
    expect(JSON.parse(seen[0]!.body)).toEqual({ member: { id: 'c-1', institution_code: 'oauthbank', is_oauth: true } });
  });

  it('requestWidgetUrl posts a connect_widget request with the callback payload header, and the URL reaches no event', async () => {
    const { client, seen, events } = await clientOn(() => ({ status: 200, json: { widget_url: { type: 'connect_widget', url: WIDGET_URL, user_id: 'cust-1' } } }), apiVersion);
    const payload = Buffer.from('{"j":"job","c":"cust-1","m":"c-1"}').toString('base64');
    const { url } = valueOf(await client.requestWidgetUrl('USR-1', { currentMemberGuid: 'MBR-1', currentInstitutionCode: 'mxbank', callbackPayload: payload }));
    expect(url).toBe(WIDGET_URL);
    expect(seen[0]).toMatchObject({ method: 'POST', path: '/users/USR-1/widget_urls' });
    expect(seen[0]!.headers['x-callback-payload']).toBe(payload);
    expect(JSON.parse(seen[0]!.body)).toEqual({ widget_url: { widget_type: 'connect_widget', current_member_guid: 'MBR-1', current_institution_code: 'mxbank' } });
    expect(JSON.stringify(events)).not.toContain('secret-widget-token');
  });

  it('readOauthWindowUri reads a fresh uri; a body without one is an error that does not quote the body', async () => {
    let answer: unknown = { member: { guid: 'MBR-1', oauth_window_uri: OAUTH_URL } };
    const { client, seen, events } = await clientOn(() => ({ status: 200, json: answer }), apiVersion);
    expect(valueOf(await client.readOauthWindowUri('USR-1', 'MBR-1')).url).toBe(OAUTH_URL);
    expect(seen[0]).toMatchObject({ method: 'GET', path: '/users/USR-1/members/MBR-1/oauth_window_uri' });
    answer = { member: { guid: 'MBR-1', oauth_window_uri: 'not a url secret-oauth-state-456' } };
    const error = errorOf(await client.readOauthWindowUri('USR-1', 'MBR-1'));
    expect(error.kind).toBe('unknown');
    expect(JSON.stringify(error)).not.toContain('secret-oauth-state');
    expect(JSON.stringify(events)).not.toContain('secret-oauth-state');
  });

  it('listMembers reads every page; readInstitution says whether it supports OAuth', async () => {
    const { client, seen } = await clientOn((r) => {
      if (r.path.startsWith('/institutions/')) return { status: 200, json: { institution: { code: 'oauthbank', name: 'OAuth Bank', supports_oauth: true } } };
      const page = Number(new URL(r.path, 'http://x').searchParams.get('page'));
      return { status: 200, json: { members: [{ ...MEMBER, guid: `MBR-${page}` }], pagination: { current_page: page, total_pages: 2 } } };
    }, apiVersion);
    expect(valueOf(await client.listMembers('USR-1')).map((m) => m.guid)).toEqual(['MBR-1', 'MBR-2']);
    expect(valueOf(await client.readInstitution('oauthbank')).supports_oauth).toBe(true);
    expect(seen.at(-1)).toMatchObject({ method: 'GET', path: '/institutions/oauthbank' });
  });
});
