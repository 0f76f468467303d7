/**
 * The receiver as MX meets it: HTTP Basic, 204 at once, unknown fields ignored, repeats and
 * overtaken deliveries dropped (docs.mx.com/resources/webhooks: "respond with 204 No Content",
 * "MX payloads may contain null values or include unexpected new fields", "the order of fields
 * isn't guaranteed"; docs.mx.com/resources/webhooks/member and .../connection-status for shapes).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { MemberRef, WokenMember } from '../../src/durable/wake.js';
import { createWebhookHandler, createWebhookReceiver, type WebhookReceiver } from '../../src/webhooks/index.js';

const AUTH = 'mx:webhook-password-1';
const basic = (auth: string) => `Basic ${Buffer.from(auth).toString('base64')}`;

/** A target that knows one member and records what it was asked to wake. */
function target(known = 'MBR-1') {
  const asked: MemberRef[] = [];
  return {
    asked,
    wakeMember(ref: MemberRef): WokenMember | null {
      asked.push(ref);
      return ref.memberGuid === known || ref.customerId === 'cust-1' ? { jobId: 'j', customerId: 'cust-1', memberId: 'cust-1-m0' } : null;
    },
  };
}

const member = (overrides: Record<string, unknown> = {}) => ({
  action: 'updated',
  type: 'MEMBER',
  member: {
    guid: 'MBR-1', id: 'cust-1-m0', user_guid: 'USR-1', connection_status: 'CONNECTED', connection_status_id: 6,
    is_being_aggregated: false, aggregated_at: 1_760_000_000, brand_new_field: { nested: true }, ...overrides,
  },
});

let receiver: WebhookReceiver | undefined;
let server: Server | undefined;
afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
});

async function start(known?: string) {
  const t = target(known);
  receiver = await createWebhookReceiver({ target: t, port: 0, auth: AUTH });
  const post = (body: unknown, headers: Record<string, string> = { authorization: basic(AUTH) }) =>
    fetch(receiver!.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { t, post, stats: () => receiver!.stats() };
}
const settle = () => new Promise((resolve) => setTimeout(resolve, 30));

describe('webhook receiver', () => {
  it('refuses a missing or wrong Authorization with 401 and wakes nobody', async () => {
    const { t, post, stats } = await start();
    expect((await post(member(), {})).status).toBe(401);
    const wrong = await post(member(), { authorization: basic('mx:webhook-password-2') });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toMatch(/^Basic /);
    expect((await post(member(), { authorization: 'Bearer webhook-password-1' })).status).toBe(401);
    await settle();
    expect(t.asked).toEqual([]);
    expect(stats()).toMatchObject({ unauthorized: 3, woke: 0 });
  });

  it('answers 204 to what it cannot use (not JSON, no member, an unknown member) and counts each', async () => {
    const { t, post, stats } = await start();
    expect((await post('not json {')).status).toBe(204);
    expect((await post({ type: 'AGGREGATION' })).status).toBe(204);
    expect((await post(member({ guid: 'MBR-unknown', id: 'x' }))).status).toBe(204);
    await settle();
    expect(stats()).toMatchObject({ malformed: 2, unknownMember: 1, woke: 0 });
    expect(t.asked.map((r) => r.memberGuid)).toEqual(['MBR-unknown']);
  });

  it('refuses a body over 1 MB with 413, whether announced or streamed', async () => {
    const { post, stats } = await start();
    const huge = JSON.stringify({ ...member(), padding: 'x'.repeat(1_048_576) });
    expect((await post(huge)).status).toBe(413);
    const chunked = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(huge));
        controller.close();
      },
    });
    const streamed = await fetch(receiver!.url, {
      method: 'POST', headers: { authorization: basic(AUTH), 'content-type': 'application/json' }, body: chunked, duplex: 'half',
    } as RequestInit);
    expect(streamed.status).toBe(413);
    expect(stats().tooLarge).toBe(2);
  });

  it('wakes a member once for a settled MEMBER webhook, ignoring unknown fields and repeats', async () => {
    const { t, post, stats } = await start();
    expect((await post(member())).status).toBe(204);
    expect((await post(member())).status).toBe(204);
    await settle();
    expect(t.asked).toEqual([{ memberGuid: 'MBR-1', memberId: 'cust-1-m0', jobId: null, customerId: null }]);
    expect(stats()).toMatchObject({ woke: 1, duplicate: 1 });
  });

  it('lets a later aggregated_at or a settled status win over deliveries that arrive after them', async () => {
    const { t, post, stats } = await start();
    await post(member({ aggregated_at: 1_760_000_100, connection_status: 'CONNECTED', is_being_aggregated: false }));
    // The same aggregation still running, delivered late: overtaken.
    await post(member({ aggregated_at: 1_760_000_100, connection_status: 'CREATED', is_being_aggregated: true }));
    // An earlier aggregation's end, delivered late: overtaken.
    await post(member({ aggregated_at: 1_760_000_000, connection_status: 'DENIED', is_being_aggregated: false }));
    await settle();
    expect(t.asked).toHaveLength(1);
    expect(stats()).toMatchObject({ woke: 1, stale: 2 });
  });

  it('does not wake a member whose webhook says it is still aggregating', async () => {
    const { t, post, stats } = await start();
    await post({ ...member({ connection_status: 'CREATED', is_being_aggregated: true }), action: 'created' });
    await settle();
    expect(t.asked).toEqual([]);
    expect(stats().noted).toBe(1);
  });

  it('finds the member by the X-Callback-Payload MX echoes, and by member_guid on CONNECTION_STATUS', async () => {
    const { t, post } = await start('MBR-2');
    await post(member({ guid: 'MBR-9' }), { authorization: basic(AUTH), 'x-callback-payload': '{"job":"j","customer":"cust-1"}' });
    await post({ action: 'CHANGED', connection_status: 'CHALLENGED', connection_status_id: 3, member_guid: 'MBR-2', type: 'CONNECTION_STATUS', user_guid: 'USR-1' });
    await settle();
    expect(t.asked).toEqual([
      { memberGuid: 'MBR-9', memberId: 'cust-1-m0', jobId: 'j', customerId: 'cust-1' },
      { memberGuid: 'MBR-2', memberId: null, jobId: null, customerId: null },
    ]);
  });

  it('mounts as a plain (req, res) handler in an existing node:http server', async () => {
    const t = target();
    const handler = createWebhookHandler({ target: t, auth: AUTH });
    server = createServer((req, res) => (req.url === '/hooks/mx' ? handler(req, res) : res.writeHead(404).end()));
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const response = await fetch(`${url}/hooks/mx`, { method: 'POST', headers: { authorization: basic(AUTH) }, body: JSON.stringify(member()) });
    expect(response.status).toBe(204);
    expect((await fetch(`${url}/hooks/mx`)).status).toBe(405);
    await settle();
    expect(handler.stats()).toMatchObject({ woke: 1, wrongMethod: 1 });
  });

  it("takes a body a framework's parser already read (req.body, as Express and Fastify leave it)", async () => {
    const t = target();
    const handler = createWebhookHandler({ target: t, auth: AUTH });
    server = createServer((req, res) => {
      let text = '';
      req.setEncoding('utf8').on('data', (c: string) => (text += c)).on('end', () => {
        handler(Object.assign(req, { body: JSON.parse(text) as unknown }), res);
      });
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const response = await fetch(url, { method: 'POST', headers: { authorization: basic(AUTH) }, body: JSON.stringify(member()) });
    expect(response.status).toBe(204);
    await settle();
    expect(handler.stats()).toMatchObject({ woke: 1, malformed: 0 });
  });
});
