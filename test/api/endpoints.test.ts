import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMxClient, type ObservableMxClient } from '../../src/api/index.js';
import { CORRECT_ANSWER, MXBANK_USERNAME, startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { startStub } from '../http/loopback.js';
import { errorOf, valueOf } from '../http/results.js';

const AGGREGATION_MS = 150;
const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const mxbank = (password: string) => [
  { guid: 'CRD-username', value: MXBANK_USERNAME },
  { guid: 'CRD-password', value: password },
];

describe('every endpoint against the sandbox', () => {
  let sandbox: Sandbox;
  let client: ObservableMxClient;
  let userGuid: string;
  beforeAll(async () => {
    // The seed document's API (mx-sso) on both sides: this file checks its quirks, e.g. "Member not found." as a 500.
    sandbox = await startSandbox({ dialect: 'mx-sso', auth: 'token', aggregationMs: AGGREGATION_MS });
    client = createMxClient({ baseUrl: sandbox.url, clientId: 'sandbox-client', apiKey: 'sandbox-key', auth: 'token', dialect: 'mx-sso' });
    userGuid = valueOf(await client.createUser({ id: 'owner', email: 'owner@example.com', metadata: '{"tier":"gold"}' })).guid;
  });
  afterAll(async () => {
    await client.close();
    await sandbox.close();
  });

  it('createUser: the new user; the same id again is duplicate', async () => {
    const user = valueOf(await client.createUser({ id: 'alice', email: 'alice@example.com' }));
    expect(user).toMatchObject({ id: 'alice', email: 'alice@example.com' });
    expect(user.guid).toMatch(/^USR-/);
    expect(errorOf(await client.createUser({ id: 'alice' }))).toMatchObject({ kind: 'duplicate', status: 400, retryable: false });
  });

  it('readUser: the user; an unknown guid is not_found', async () => {
    expect(valueOf(await client.readUser(userGuid))).toMatchObject({ guid: userGuid, id: 'owner', metadata: '{"tier":"gold"}' });
    expect(errorOf(await client.readUser('USR-nope'))).toMatchObject({ kind: 'not_found' });
  });

  it('findUserByExternalId: the user, or null', async () => {
    expect(valueOf(await client.findUserByExternalId('owner'))?.guid).toBe(userGuid);
    expect(valueOf(await client.findUserByExternalId('nobody'))).toBeNull();
  });

  it('deleteUser: gone afterwards; deleting again is not_found', async () => {
    const { guid } = valueOf(await client.createUser({ id: 'leaving' }));
    expect(valueOf(await client.deleteUser(guid))).toBeUndefined();
    expect(errorOf(await client.readUser(guid)).kind).toBe('not_found');
    expect(errorOf(await client.deleteUser(guid)).kind).toBe('not_found');
  });

  it('listInstitutionCredentials: the fields a create needs; an unknown institution (a bare 404) is not_found for that item', async () => {
    const fields = valueOf(await client.listInstitutionCredentials('mxbank'));
    expect(fields.map((f) => f.guid)).toEqual(['CRD-username', 'CRD-password']);
    expect(errorOf(await client.listInstitutionCredentials('no-such-bank'))).toMatchObject({ kind: 'not_found', status: 404, scope: 'item' });
  });

  it('createMember: the member, aggregating; the same id again is duplicate', async () => {
    const member = valueOf(await client.createMember({ userGuid, id: 'conn-1', institutionCode: 'mxbank', credentials: mxbank('password') }));
    expect(member).toMatchObject({ id: 'conn-1', institution_code: 'mxbank', user_guid: userGuid });
    expect(member.guid).toMatch(/^MBR-/);
    const again = await client.createMember({ userGuid, id: 'conn-1', institutionCode: 'mxbank', credentials: mxbank('password') });
    expect(errorOf(again).kind).toBe('duplicate');
  });

  it('readMember and readMemberStatus: the member; "Member not found." (a 500) is not_found', async () => {
    const { guid } = valueOf(await client.createMember({ userGuid, id: 'conn-2', institutionCode: 'mxbank', credentials: mxbank('password') }));
    expect(valueOf(await client.readMember(userGuid, guid)).guid).toBe(guid);
    await wait(AGGREGATION_MS + 50);
    expect(valueOf(await client.readMemberStatus(userGuid, guid))).toMatchObject({ guid, connection_status: 'CONNECTED' });
    const missing = errorOf(await client.readMember(userGuid, 'MBR-nope'));
    expect(missing).toMatchObject({ kind: 'not_found', status: 500 });
    expect(errorOf(await client.readMemberStatus(userGuid, 'MBR-nope')).kind).toBe('not_found');
  });

  it('aggregateMember: 202 is a success, also while already aggregating; a manual member is not aggregatable', async () => {
    const { guid } = valueOf(await client.createMember({ userGuid, id: 'conn-3', institutionCode: 'mxbank', credentials: mxbank('password') }));
    expect(valueOf(await client.aggregateMember(userGuid, guid)).guid).toBe(guid);
    expect(valueOf(await client.aggregateMember(userGuid, guid)).guid).toBe(guid);
    const manual = valueOf(await client.createMember({ userGuid, id: 'manual-1', institutionCode: 'manual', credentials: [] }));
    expect(errorOf(await client.aggregateMember(userGuid, manual.guid)).kind).toBe('not_aggregatable');
    expect(errorOf(await client.aggregateMember(userGuid, 'MBR-nope')).kind).toBe('not_found');
  });

  it('listMemberChallenges and resumeAggregation: 204 is [], a challenge is answered and the member connects', async () => {
    const plain = valueOf(await client.createMember({ userGuid, id: 'conn-4', institutionCode: 'mxbank', credentials: mxbank('password') }));
    expect(valueOf(await client.listMemberChallenges(userGuid, plain.guid))).toEqual([]);

    const challenged = valueOf(await client.createMember({ userGuid, id: 'conn-5', institutionCode: 'mxbank', credentials: mxbank('challenge') }));
    await wait(AGGREGATION_MS + 50);
    const challenges = valueOf(await client.listMemberChallenges(userGuid, challenged.guid));
    expect(challenges).toHaveLength(1);
    expect(challenges[0]).toMatchObject({ type: 'TEXT', label: 'What city were you born in?' });
    const resumed = valueOf(await client.resumeAggregation(userGuid, challenged.guid, [{ guid: challenges[0]!.guid, value: CORRECT_ANSWER }]));
    expect(resumed.guid).toBe(challenged.guid);
    await wait(AGGREGATION_MS + 50);
    expect(valueOf(await client.readMemberStatus(userGuid, challenged.guid)).connection_status).toBe('CONNECTED');

    expect(errorOf(await client.listMemberChallenges(userGuid, 'MBR-nope')).kind).toBe('not_found');
    expect(errorOf(await client.resumeAggregation(userGuid, 'MBR-nope', [{ guid: 'CRD-x', value: 'x' }])).kind).toBe('not_found');
  });

  it('findMemberByExternalId: the member, or null', async () => {
    const { guid } = valueOf(await client.createMember({ userGuid, id: 'conn-6', institutionCode: 'mxbank', credentials: mxbank('password') }));
    expect(valueOf(await client.findMemberByExternalId(userGuid, 'conn-6'))?.guid).toBe(guid);
    expect(valueOf(await client.findMemberByExternalId(userGuid, 'conn-none'))).toBeNull();
    expect(errorOf(await client.findMemberByExternalId('USR-nope', 'conn-6')).kind).toBe('not_found');
  });

  it('deleteMember: 204; deleting again is not_found', async () => {
    const { guid } = valueOf(await client.createMember({ userGuid, id: 'conn-7', institutionCode: 'mxbank', credentials: mxbank('password') }));
    expect(valueOf(await client.deleteMember(userGuid, guid))).toBeUndefined();
    expect(errorOf(await client.deleteMember(userGuid, guid))).toMatchObject({ kind: 'not_found', status: 400 });
  });
});

describe('reading what comes back', () => {
  it('v20111101: findMemberByExternalId reads every page, 1000 records at a time, until it finds the member', async () => {
    const member = (n: number) => ({ guid: `MBR-${n}`, id: `m-${n}`, user_guid: 'USR-1', institution_code: 'mxbank' });
    const stub = await startStub((request) => {
      const page = Number(new URL(request.path, 'http://x').searchParams.get('page'));
      const members = page === 3 ? [member(3001), member(3002)] : [member(page * 1000)];
      return { status: 200, json: { members, pagination: { current_page: page, per_page: 1000, total_entries: 2002, total_pages: 3 } } };
    });
    const client = createMxClient({ baseUrl: stub.url, clientId: 'c', apiKey: 'k', apiVersion: 'v20111101' });
    try {
      expect(valueOf(await client.findMemberByExternalId('USR-1', 'm-3002'))?.guid).toBe('MBR-3002');
      expect(stub.requests.map((r) => r.path)).toEqual([1, 2, 3].map((p) => `/users/USR-1/members?page=${p}&records_per_page=1000`));
      expect(valueOf(await client.findMemberByExternalId('USR-1', 'm-9999'))).toBeNull();
      expect(stub.requests).toHaveLength(6);
    } finally {
      await client.close();
      await stub.close();
    }
  });

  it('v20250224: finds a user and a member by external id in one read each ({user_identifier}, {member_identifier})', async () => {
    const stub = await startStub((request) =>
      request.path.startsWith('/users/cust-1/members/')
        ? { status: 200, json: { member: { guid: 'MBR-1', id: 'cust-1-bank', user_guid: 'USR-1', institution_code: 'mxbank' } } }
        : request.path === '/users/cust-1'
          ? { status: 200, json: { user: { guid: 'USR-1', id: 'cust-1' } } }
          : { status: 404, json: { error: { message: 'We were unable to find the record you requested.' } } },
    );
    const client = createMxClient({ baseUrl: stub.url, clientId: 'c', apiKey: 'k' });
    try {
      expect(valueOf(await client.findUserByExternalId('cust-1'))?.guid).toBe('USR-1');
      expect(valueOf(await client.findMemberByExternalId('cust-1', 'cust-1-bank'))?.guid).toBe('MBR-1');
      expect(valueOf(await client.findUserByExternalId('cust-2'))).toBeNull();
      expect(stub.requests.map((r) => r.path)).toEqual(['/users/cust-1', '/users/cust-1/members/cust-1-bank', '/users/cust-2']);
    } finally {
      await client.close();
      await stub.close();
    }
  });

  it('turns a 2xx body that is not the promised JSON into an unknown error, never a throw', async () => {
    const bodies = ['<html>gateway</html>', '{"user": null}', '[]', '{"users": "many"}'];
    const stub = await startStub((_request, index) => ({ status: 200, text: bodies[index % bodies.length] }));
    const client = createMxClient({ baseUrl: stub.url, clientId: 'c', apiKey: 'k' });
    try {
      for (const call of [() => client.readUser('USR-1'), () => client.readUser('USR-1'), () => client.readUser('USR-1'), () => client.findUserByExternalId('u-1')]) {
        expect(errorOf(await call())).toMatchObject({ kind: 'unknown', status: 200, retryable: false });
      }
    } finally {
      await client.close();
      await stub.close();
    }
  });
});
