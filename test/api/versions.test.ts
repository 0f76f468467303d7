/**
 * API versions on the wire, update member, and responses checked at the edge.
 *
 * MX's migration guide (docs.mx.com, "Migrating to Accept-Version"): every Platform API call sends
 * `Accept-Version`; v20250224 with `Accept: application/json`, v20111101 with
 * `application/vnd.mx.api.v1+json`. Update member: docs.mx.com/api-reference/platform-api/reference/update-member
 * ("only the credentials, id, and metadata parameters can be updated"; the body can't be empty).
 */
import { describe, expect, it } from 'vitest';
import { createMxClient } from '../../src/api/index.js';
import { startStub, type StubReply } from '../http/loopback.js';
import { errorOf, valueOf } from '../http/results.js';

const MEMBER = { guid: 'MBR-1', id: 'cust-1-bank', user_guid: 'USR-1', institution_code: 'mxbank', connection_status: 'CONNECTED', is_being_aggregated: false };

async function withStub(reply: (path: string, method: string, body: string) => StubReply, run: (url: string, stub: Awaited<ReturnType<typeof startStub>>) => Promise<void>) {
  const stub = await startStub((r) => reply(r.path, r.method, r.body));
  try {
    await run(stub.url, stub);
  } finally {
    await stub.close();
  }
}

describe('Accept-Version on every request', () => {
  it.each([
    ['v20250224', 'application/json'],
    ['v20111101', 'application/vnd.mx.api.v1+json'],
  ] as const)('%s is sent with Accept %s, on reads, writes and deletes', async (apiVersion, accept) => {
    await withStub(
      (path, method) => (method === 'DELETE' ? { status: 204 } : path.startsWith('/users/USR-1/members') ? { status: 200, json: { member: MEMBER } } : { status: 200, json: { user: { guid: 'USR-1', id: 'cust-1' } } }),
      async (url, stub) => {
        const client = createMxClient({ baseUrl: url, clientId: 'c', apiKey: 'k', apiVersion });
        try {
          valueOf(await client.createUser({ id: 'cust-1' }));
          valueOf(await client.readMember('USR-1', 'MBR-1'));
          valueOf(await client.aggregateMember('USR-1', 'MBR-1'));
          valueOf(await client.deleteMember('USR-1', 'MBR-1'));
        } finally {
          await client.close();
        }
        expect(stub.requests).toHaveLength(4);
        expect(stub.requests.map((r) => [r.acceptVersion, r.accept])).toEqual(Array(4).fill([apiVersion, accept]));
      },
    );
  });

  it('defaults to v20250224', async () => {
    await withStub(() => ({ status: 200, json: { user: { guid: 'USR-1' } } }), async (url, stub) => {
      const client = createMxClient({ baseUrl: url, clientId: 'c', apiKey: 'k' });
      valueOf(await client.readUser('USR-1'));
      await client.close();
      expect(stub.requests[0]?.acceptVersion).toBe('v20250224');
    });
  });

  it('refuses an unknown version when the client is built, naming the two it speaks', () => {
    expect(() => createMxClient({ baseUrl: 'http://127.0.0.1:1', clientId: 'c', apiKey: 'k', apiVersion: 'v2' as never })).toThrow(
      "`apiVersion` must be one of 'v20250224', 'v20111101'.",
    );
  });

  it('a 406 (no valid version) halts with a message naming --api-version', async () => {
    await withStub(() => ({ status: 406, json: { error: { message: 'Accept-Version must be v20250224 or v20111101.' } } }), async (url) => {
      const client = createMxClient({ baseUrl: url, clientId: 'c', apiKey: 'k' });
      const e = errorOf(await client.readUser('USR-1'));
      await client.close();
      expect(e).toMatchObject({ kind: 'misconfigured', scope: 'job', dialect: 'platform' });
      expect(e.message).toContain('--api-version');
    });
  });

  it('v20250224 sends no skip_aggregation; v20111101 does', async () => {
    await withStub(() => ({ status: 200, json: { member: MEMBER } }), async (url, stub) => {
      const input = { userGuid: 'USR-1', id: 'cust-1-bank', institutionCode: 'mxbank', credentials: [{ guid: 'CRD-1', value: 'p' }], skipAggregation: true };
      const current = createMxClient({ baseUrl: url, clientId: 'c', apiKey: 'k' });
      expect(errorOf(await current.createMember(input))).toMatchObject({ kind: 'validation', status: 0, fields: [{ field: 'skipAggregation' }] });
      await current.close();
      const legacy = createMxClient({ baseUrl: url, clientId: 'c', apiKey: 'k', apiVersion: 'v20111101' });
      valueOf(await legacy.createMember(input));
      await legacy.close();
      expect(stub.requests).toHaveLength(1);
      expect(JSON.parse(stub.requests[0]?.body ?? '{}')).toMatchObject({ member: { skip_aggregation: true } });
    });
  });
});

describe('updateMember', () => {
  it('PUTs new credentials under "member" and resolves with the member', async () => {
    await withStub(() => ({ status: 200, json: { member: { ...MEMBER, connection_status: 'UPDATED', is_being_aggregated: true } } }), async (url, stub) => {
      const client = createMxClient({ baseUrl: url, clientId: 'c', apiKey: 'k' });
      const member = valueOf(await client.updateMember('USR-1', 'MBR-1', { credentials: [{ guid: 'CRD-1', value: 'new-password' }] }));
      await client.close();
      expect(member).toMatchObject({ guid: 'MBR-1', connection_status: 'UPDATED', is_being_aggregated: true });
      expect(stub.requests[0]).toMatchObject({ method: 'PUT', path: '/users/USR-1/members/MBR-1' });
      expect(JSON.parse(stub.requests[0]?.body ?? '{}')).toEqual({ member: { credentials: [{ guid: 'CRD-1', value: 'new-password' }] } });
    });
  });

  it('refuses an empty change without a request, and keeps the new password out of its error', async () => {
    await withStub((_p, _m, body) => ({ status: 422, json: { error: { message: `cannot process ${body}` } } }), async (url, stub) => {
      const client = createMxClient({ baseUrl: url, clientId: 'c', apiKey: 'k' });
      expect(errorOf(await client.updateMember('USR-1', 'MBR-1', {}))).toMatchObject({ kind: 'validation', status: 0 });
      expect(stub.requests).toHaveLength(0);
      const e = errorOf(await client.updateMember('USR-1', 'MBR-1', { credentials: [{ guid: 'CRD-1', value: 'hunter2-new' }] }));
      await client.close();
      expect(e.kind).toBe('validation');
      expect(JSON.stringify(e)).not.toContain('hunter2-new');
    });
  });

  it('a 409 while another job runs is the member\'s, retryable: wait and try again', async () => {
    await withStub(() => ({ status: 409, json: { error: { message: 'Another job of a different type is running.' } } }), async (url) => {
      const client = createMxClient({ baseUrl: url, clientId: 'c', apiKey: 'k' });
      const e = errorOf(await client.updateMember('USR-1', 'MBR-1', { metadata: 'x' }));
      await client.close();
      expect(e).toMatchObject({ kind: 'conflict', retryable: true, scope: 'item' });
    });
  });
});

describe('responses checked at the edge', () => {
  it('a member whose shape changed is one unknown item error with a redacted excerpt', async () => {
    const changed = { member: { ...MEMBER, connection_status: 42, is_being_aggregated: 'no', api_key: 'sk_live_planted' } };
    await withStub(() => ({ status: 200, json: changed }), async (url) => {
      const client = createMxClient({ baseUrl: url, clientId: 'c', apiKey: 'sk_live_planted' });
      const e = errorOf(await client.readMemberStatus('USR-1', 'MBR-1'));
      await client.close();
      expect(e).toMatchObject({ kind: 'unknown', scope: 'item', retryable: false, status: 200 });
      expect(e.message).toMatch(/connection_status/);
      expect(e.exchange?.response?.bodyExcerpt).toContain('"connection_status":42');
      expect(JSON.stringify(e)).not.toContain('sk_live_planted');
    });
  });

  it('inline challenges of a status are checked too', async () => {
    await withStub(() => ({ status: 200, json: { member: { guid: 'MBR-1', connection_status: 'CHALLENGED', challenges: [{ label: 'no guid' }] } } }), async (url) => {
      const client = createMxClient({ baseUrl: url, clientId: 'c', apiKey: 'k' });
      const e = errorOf(await client.readMemberStatus('USR-1', 'MBR-1'));
      await client.close();
      expect(e.message).toMatch(/challenges\.0\.guid/);
    });
  });
});
