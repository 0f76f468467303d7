/**
 * X-Callback-Payload (issue 24, item 4). MX's spec, #/components/parameters/xCallback (both
 * versions): "The base64 encoded string defined in this header will be returned in the Member and
 * Member Data Updated webhooks … Max 1024 characters", a parameter of create member, update member
 * and aggregate member. docs.mx.com/resources/webhooks/member: the header "will appear if it was set
 * in the Create Member or Update Member Platform API request".
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMxClient, type ObservableMxClient } from '../../src/api/index.js';
import { callbackPayloadOf, parseCallbackPayload } from '../../src/durable/index.js';
import { createMemberOrigins } from '../../src/durable/wake.js';
import { startStub, type StubServer } from '../http/loopback.js';
import { errorOf } from '../http/results.js';

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

describe('the payload the runtime sends, read back by the webhook receiver', () => {
  const rows = [
    { name: 'a job, customer and member', origin: { job: 'march', customer: 'cust-1', connection: 'cust-1-mxbank' }, job: 'march' },
    { name: 'non-ASCII ids', origin: { job: 'märz', customer: 'çust-1', connection: 'çust-1-bank' }, job: 'märz' },
    // Too long to fit in 1,024 characters: the job is named by its hash, which the receiver matches against live jobs.
    { name: 'a job id too long to fit', origin: { job: 'j'.repeat(2000), customer: 'cust-1', connection: 'cust-1-mxbank' }, job: '' },
  ];
  it.each(rows)('$name: base64, at most 1024 characters, and the same origin back', ({ origin, job }) => {
    const payload = callbackPayloadOf(origin)!;
    expect(payload).toMatch(BASE64);
    expect(payload.length).toBeLessThanOrEqual(1024);
    expect(parseCallbackPayload(payload)).toMatchObject({ job, customer: origin.customer, connection: origin.connection });
  });

  it('names the member the create is for', () => {
    const origins = createMemberOrigins();
    origins.note('march', 'cust-1', { members: [{ externalId: 'cust-1-mxbank' }] });
    expect(parseCallbackPayload(origins.payloadFor('cust-1-mxbank'))).toEqual({ job: 'march', customer: 'cust-1', connection: 'cust-1-mxbank' });
  });

  const read = [
    // Members created by an earlier release carry its raw JSON payload: still theirs.
    { name: 'an earlier release\'s raw JSON', text: '{"job":"march","customer":"cust-1"}', origin: { job: 'march', customer: 'cust-1' } },
    { name: 'a foreign base64 payload', text: Buffer.from('813e50bd-4a7e-4517-b6bb-9eef65a68cbd').toString('base64'), origin: null },
    { name: 'MX\'s own example value', text: '813e50bd-4a7e-4517-b6bb-9eef65a68cbd', origin: null },
    { name: 'nothing', text: undefined, origin: null },
  ];
  it.each(read)('reads $name', ({ text, origin }) => {
    expect(parseCallbackPayload(text)).toEqual(origin);
  });
});

describe('the client sends the header on create, update and aggregate', () => {
  let stub: StubServer;
  let client: ObservableMxClient;
  const payload = callbackPayloadOf({ job: 'march', customer: 'cust-1', connection: 'cust-1-mxbank' })!;
  beforeAll(async () => {
    stub = await startStub(() => ({ status: 200, json: { member: { guid: 'MBR-1', id: 'cust-1-mxbank', connection_status: 'CREATED' } } }));
    client = createMxClient({ baseUrl: stub.url, clientId: 'id', apiKey: 'key' });
  });
  afterAll(async () => {
    await client.close();
    await stub.close();
  });

  const calls = [
    { name: 'create member (POST /users/{user_guid}/members)', method: 'POST', send: (p: string) => client.createMember({ userGuid: 'USR-1', id: 'cust-1-mxbank', institutionCode: 'mxbank', credentials: [{ guid: 'CRD-1', value: 'x' }], callbackPayload: p }) },
    { name: 'update member (PUT /users/{user_guid}/members/{member_guid})', method: 'PUT', send: (p: string) => client.updateMember('USR-1', 'MBR-1', { metadata: 'm', callbackPayload: p }) },
    { name: 'aggregate member (POST …/aggregate)', method: 'POST', send: (p: string) => client.aggregateMember('USR-1', 'MBR-1', { callbackPayload: p }) },
  ];
  it.each(calls)('$name: sends the base64 payload', async ({ method, send }) => {
    const before = stub.requests.length;
    expect((await send(payload)).isOk()).toBe(true);
    const request = stub.requests[before]!;
    expect(request.method).toBe(method);
    expect(request.headers?.['x-callback-payload']).toBe(payload);
  });
  it.each(calls)('$name: refuses raw JSON or a payload over 1024 characters, and sends nothing', async ({ send }) => {
    const before = stub.requests.length;
    for (const bad of ['{"job":"march","customer":"cust-1"}', 'A'.repeat(1028)]) {
      const error = errorOf(await send(bad));
      expect(error).toMatchObject({ kind: 'validation', status: 0 });
      expect(error.message).toMatch(/base64/);
    }
    expect(stub.requests.length).toBe(before);
  });
});
