/**
 * The sandbox's webhooks against MX's documents: MEMBER (docs.mx.com/resources/webhooks/member:
 * action created/updated/deleted, the member with connection_status, connection_status_id,
 * is_being_aggregated, aggregated_at; "The X-CALLBACK-PAYLOAD header will appear if it was set in
 * the Create Member ... request"), CONNECTION_STATUS (docs.mx.com/resources/webhooks/connection-status:
 * action CHANGED, only for CHALLENGED, DENIED, EXPIRED, IMPAIRED, IMPEDED, LOCKED, PREVENTED,
 * REJECTED), and delivery (docs.mx.com/resources/webhooks: JSON POST, retried "no more than 12
 * total retries after an initial request" over about 24 hours).
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createMxClient } from '../../src/api/index.js';
import { startSandbox, type Sandbox, type SandboxWebhookOptions } from '../../src/sandbox/index.js';
import { optionsFromFlags } from '../../src/cli/commands/sandbox.js';

// MX's X-Callback-Payload is "the base64 encoded string" (spec #/components/parameters/xCallback).
const PAYLOAD = Buffer.from('{"job":"j","customer":"cust-1"}').toString('base64');

interface Received {
  headers: IncomingMessage['headers'];
  body: Record<string, unknown>;
}

const AUTH = 'hooks:sandbox-sender-password';
let server: Server | undefined;
let sandbox: Sandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
});

/** A receiver that records every delivery and answers `statuses` in turn (then 204). */
async function listen(statuses: number[] = []): Promise<{ url: string; got: Received[] }> {
  const got: Received[] = [];
  server = createServer((req, res) => {
    let text = '';
    req.setEncoding('utf8').on('data', (c: string) => (text += c)).on('end', () => {
      got.push({ headers: req.headers, body: JSON.parse(text) as Record<string, unknown> });
      res.writeHead(statuses.shift() ?? 204).end();
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/mx`, got };
}

async function connect(webhooks: SandboxWebhookOptions, password: string) {
  sandbox = await startSandbox({ auth: 'basic', aggregationMs: 300, webhooks });
  const client = createMxClient({ baseUrl: sandbox.url, clientId: 'sandbox-client', apiKey: 'sandbox-key', auth: 'basic' });
  const user = (await client.createUser({ id: 'cust-1' }))._unsafeUnwrap();
  const member = (await client.createMember({
    userGuid: user.guid, id: 'cust-1-m0', institutionCode: 'mxbank', callbackPayload: PAYLOAD,
    credentials: [{ guid: 'CRD-username', value: 'mxuser' }, { guid: 'CRD-password', value: password }],
  }))._unsafeUnwrap();
  return { client, user, member };
}

const until = async (check: () => boolean, ms = 3_000) => {
  const end = Date.now() + ms;
  while (!check() && Date.now() < end) await new Promise((resolve) => setTimeout(resolve, 20));
};

describe('sandbox webhooks', () => {
  it('sends MEMBER created and updated with the callback payload, and CONNECTION_STATUS for an actionable status', async () => {
    const { url, got } = await listen();
    const { client, user, member } = await connect({ url, auth: AUTH }, 'denied');
    await until(() => got.length >= 3);
    const [created, updated, status] = got;
    expect(created?.headers.authorization).toBe(`Basic ${Buffer.from(AUTH).toString('base64')}`);
    expect(created?.headers['content-type']).toMatch(/^application\/json/);
    expect(created?.headers['x-callback-payload']).toBe(PAYLOAD);
    expect(created?.body).toMatchObject({
      action: 'created', type: 'MEMBER',
      member: { guid: member.guid, id: 'cust-1-m0', user_guid: user.guid, connection_status: 'CREATED', connection_status_id: 0, is_being_aggregated: true },
    });
    expect(typeof (created?.body.member as { aggregated_at?: unknown } | undefined)?.aggregated_at).toBe('number');
    expect(updated?.headers['x-callback-payload']).toBe(PAYLOAD);
    expect(updated?.body).toMatchObject({ action: 'updated', type: 'MEMBER', member: { connection_status: 'DENIED', connection_status_id: 2, is_being_aggregated: false } });
    expect(status?.headers['x-callback-payload']).toBeUndefined();
    expect(status?.body).toEqual({
      action: 'CHANGED', connection_status: 'DENIED', connection_status_id: 2, connection_status_message: expect.any(String),
      member_guid: member.guid, type: 'CONNECTION_STATUS', user_guid: user.guid,
    });
    (await client.deleteMember(user.guid, member.guid))._unsafeUnwrap();
    await until(() => got.length >= 4);
    expect(got[3]?.body).toMatchObject({ action: 'deleted', type: 'MEMBER', member: { guid: member.guid } });
    expect(JSON.stringify(sandbox!.state())).not.toContain('sandbox-sender-password');
    await client.close();
  });

  it('sends no CONNECTION_STATUS for a member that connects, and the AGGREGATION webhook once it completed', async () => {
    const { url, got } = await listen();
    const { client } = await connect({ url, auth: AUTH }, 'password');
    await until(() => got.length >= 3);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(got.map((g) => [g.body.type, g.body.action])).toEqual([['MEMBER', 'created'], ['MEMBER', 'updated'], ['AGGREGATION', 'member_data_updated']]);
    // docs.mx.com/resources/webhooks/member: aggregated_at is when the aggregation started, and created_at is there.
    const [created, settled, aggregation] = got.map((g) => g.body as Record<string, any>);
    expect(typeof created!.member.created_at).toBe('number');
    expect(settled!.member.aggregated_at).toBe(created!.member.aggregated_at);
    // docs.mx.com/resources/webhooks/aggregation: the fields of member_data_updated.
    expect(aggregation).toMatchObject({
      member_guid: created!.member.guid, user_guid: created!.member.user_guid, completed_at: expect.any(Number),
      completed_on: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/), is_background: false, transactions_created_count: 0,
    });
    await client.close();
  });

  it('retries a delivery the receiver did not take, on the compressed schedule', async () => {
    const { url, got } = await listen([500, 503, 401]);
    const { client } = await connect({ url, auth: AUTH, retryScale: 36_000 }, 'password');
    await until(() => sandbox!.state().webhooks!.delivered >= 3);
    const stats = sandbox!.state().webhooks!;
    // MEMBER created (refused three times) and updated, then AGGREGATION.
    expect(stats).toMatchObject({ messages: 3, delivered: 3, retried: 3, givenUp: 0 });
    // Three refused POSTs and three taken: which message a refusal hits depends on when each is sent.
    expect(got).toHaveLength(6);
    await client.close();
  });

  it('draws the same webhook faults for the same seed', async () => {
    const faultsOf = async () => {
      const { url } = await listen();
      sandbox = await startSandbox({ auth: 'basic', aggregationMs: 300, seed: 3, webhooks: { url, auth: null, faults: 0.5 } });
      const client = createMxClient({ baseUrl: sandbox.url, clientId: 'sandbox-client', apiKey: 'sandbox-key', auth: 'basic' });
      const user = (await client.createUser({ id: 'u' }))._unsafeUnwrap();
      for (let i = 0; i < 8; i += 1) {
        (await client.createMember({ userGuid: user.guid, id: `m${i}`, institutionCode: 'mxbank', credentials: [{ guid: 'CRD-username', value: 'mxuser' }, { guid: 'CRD-password', value: `password-${i}` }] }))._unsafeUnwrap();
      }
      // Eight members, each MEMBER created and updated and AGGREGATION: the faults of all 24 messages.
      await until(() => sandbox!.state().webhooks!.messages >= 24, 20_000);
      const faults = sandbox.state().webhooks!.faults;
      await client.close();
      await sandbox.close();
      sandbox = undefined;
      await new Promise((resolve) => server!.close(resolve));
      server = undefined;
      return faults;
    };
    const first = await faultsOf();
    expect(Object.values(first).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    expect(await faultsOf()).toEqual(first);
  });

  it('takes its webhook flags on the command line, the password also from MX_WEBHOOK_AUTH', () => {
    expect(optionsFromFlags(['--webhook-url', 'http://127.0.0.1:9/webhooks/mx', '--webhook-faults', '0.2'], { MX_WEBHOOK_AUTH: 'mx:pw' }).webhooks)
      .toEqual({ url: 'http://127.0.0.1:9/webhooks/mx', auth: 'mx:pw', faults: 0.2 });
    expect(() => optionsFromFlags(['--webhook-faults', '0.2'])).toThrow(expect.objectContaining({ usage: '--webhook-faults needs --webhook-url' }));
    expect(() => optionsFromFlags(['--webhook-url', 'ftp://x'])).toThrow(expect.objectContaining({ usage: expect.stringContaining('http(s) URL') }));
    expect(() => optionsFromFlags(['--webhook-url', 'http://127.0.0.1:9/', '--webhook-fault-kinds', 'lost,eaten'])).toThrow(
      expect.objectContaining({ usage: expect.stringContaining("unknown webhook fault kind 'eaten'") }),
    );
  });
});
