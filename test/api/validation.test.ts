import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMxClient, type ObservableMxClient } from '../../src/api/index.js';
import type { ClientEvent } from '../../src/http/events.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { errorOf } from '../http/results.js';

describe('input checked before any request', () => {
  let sandbox: Sandbox;
  let client: ObservableMxClient;
  const events: ClientEvent[] = [];
  beforeAll(async () => {
    sandbox = await startSandbox({ auth: 'basic' });
    client = createMxClient({ baseUrl: sandbox.url, clientId: 'sandbox-client', apiKey: 'sandbox-key', onEvent: (e) => events.push(e) });
  });
  afterAll(async () => {
    await client.close();
    await sandbox.close();
  });

  const reserved = ['USR-42', 'MBR-42'];
  const malformed = ['customer 42', 'customer/42', 'customer?id=1', 'çustomer', '', 'a.b'];

  it.each([...reserved, ...malformed])('refuses the external id %j with invalid_external_id and sends nothing', async (id) => {
    const before = sandbox.state().stats.requests;
    const calls = [
      client.createUser({ id }),
      client.findUserByExternalId(id),
      client.createMember({ userGuid: 'USR-1', id, institutionCode: 'mxbank', credentials: [] }),
      client.findMemberByExternalId('USR-1', id),
    ];
    for (const result of await Promise.all(calls)) {
      expect(errorOf(result)).toMatchObject({ kind: 'invalid_external_id', status: 0, retryable: false, scope: 'item' });
    }
    expect(sandbox.state().stats.requests).toBe(before);
    expect(events.filter((e) => e.type === 'request')).toEqual([]);
  });

  it('accepts letters, digits, "_" and "-" (and sends the request)', async () => {
    const result = await client.createUser({ id: 'Customer_42-a' });
    expect(result.isOk()).toBe(true);
    expect(sandbox.state().stats.requests).toBe(1);
  });

  it('refuses an empty guid, and credentials or answers that are not [{ guid, value }], without a request', async () => {
    const before = sandbox.state().stats.requests;
    expect(errorOf(await client.readUser('')).kind).toBe('validation');
    expect(errorOf(await client.deleteMember('USR-1', ' ')).kind).toBe('validation');
    const notPairs = [{ guid: 'CRD-password', value: 42 }] as unknown as { guid: string; value: string }[];
    expect(errorOf(await client.createMember({ userGuid: 'USR-1', id: 'm-1', institutionCode: 'mxbank', credentials: notPairs })).kind).toBe('validation');
    expect(errorOf(await client.resumeAggregation('USR-1', 'MBR-1', 'correct' as never)).kind).toBe('validation');
    expect(sandbox.state().stats.requests).toBe(before);
  });
});

describe('createMxClient options', () => {
  it('names a missing option and shows example code', () => {
    // @ts-expect-error: apiKey is required
    expect(() => createMxClient({ baseUrl: 'https://int-api.mx.com', clientId: 'id' })).toThrow(/`apiKey` is required[\s\S]*createMxClient\(\{/);
    // @ts-expect-error: options are required
    expect(() => createMxClient(undefined)).toThrow(/options are required/);
  });

  it('refuses unusable values without echoing the key', () => {
    const apiKey = 'sk-do-not-print-me';
    const attempts = [
      { baseUrl: 'not a url', clientId: 'id', apiKey },
      { baseUrl: `https://id:${apiKey}@int-api.mx.com`, clientId: 'id', apiKey },
      { baseUrl: 'https://int-api.mx.com', clientId: 'id', apiKey, rate: { perSecond: 0 } },
      { baseUrl: 'https://int-api.mx.com', clientId: 'id', apiKey, rate: { maxConcurrent: 1.5 } },
      { baseUrl: 'https://int-api.mx.com', clientId: 'id', apiKey, auth: 'oauth' as 'token' },
      { baseUrl: 'https://int-api.mx.com', clientId: 'id', apiKey, timeoutMs: -1 },
    ];
    for (const options of attempts) {
      let message = '';
      try {
        createMxClient(options);
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).toMatch(/^createMxClient: /);
      expect(message).not.toContain(apiKey);
    }
  });
});
