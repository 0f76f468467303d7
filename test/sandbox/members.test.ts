import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/index.js';
import { Api, started } from './helpers.js';

let sandbox: Sandbox;
let api: Api;
let userGuid: string;

beforeAll(async () => {
  sandbox = await started({ aggregationMs: 5_000 });
  api = await Api.connect(sandbox);
  userGuid = await api.createUser('member-owner');
});
afterAll(() => sandbox.close());

const stale = 'The credential GUIDs submitted are no longer valid. Check the institution required credentials endpoint for the most recent credentials.';

describe('members', () => {
  it("lists mxbank's credentials, and 404s an unknown institution", async () => {
    const reply = await api.call('GET', '/institutions/mxbank/credentials');
    expect(reply.status).toBe(200);
    expect(reply.json.credentials.map((c: any) => [c.guid, c.field_name])).toEqual([['CRD-username', 'LOGIN'], ['CRD-password', 'PASSWORD']]);
    const unknown = await api.call('GET', '/institutions/nobank/credentials');
    expect([unknown.status, unknown.text]).toEqual([404, '']);
  });

  it('creates a member (202, CREATED, aggregating) with an MBR- guid, then reads and lists it', async () => {
    const created = await api.createMember(userGuid, 'mem-1');
    expect(created.status).toBe(202);
    const member = created.json.member;
    expect(member.guid).toMatch(/^MBR-[0-9a-f-]{36}$/);
    expect(member).toMatchObject({ id: 'mem-1', user_guid: userGuid, institution_code: 'mxbank', connection_status: 'CREATED', is_being_aggregated: true });
    const read = await api.call('GET', `/users/${userGuid}/members/${member.guid}`);
    expect(read.json.member.guid).toBe(member.guid);
    const list = await api.call('GET', `/users/${userGuid}/members`);
    expect(list.json.members.map((m: any) => m.id)).toContain('mem-1');
    const status = await api.call('GET', `/users/${userGuid}/members/${member.guid}/status`);
    expect(status.json.member).toMatchObject({ guid: member.guid, connection_status: 'CREATED', is_being_aggregated: true, challenges: [] });
  });

  it('answers an aggregate of a member that is aggregating with 202 and the member, unchanged', async () => {
    const member = (await api.createMember(userGuid, 'mem-agg')).json.member;
    const again = await api.call('POST', `/users/${userGuid}/members/${member.guid}/aggregate`);
    expect(again.status).toBe(202);
    expect(again.json.member).toMatchObject({ guid: member.guid, connection_status: 'CREATED', is_being_aggregated: true });
  });

  it('answers 204 with no body from challenges when there are none', async () => {
    const member = (await api.createMember(userGuid, 'mem-nochal')).json.member;
    const reply = await api.call('GET', `/users/${userGuid}/members/${member.guid}/challenges`);
    expect([reply.status, reply.text]).toEqual([204, '']);
  });

  it('refuses a duplicate external id and the reserved MBR- prefix', async () => {
    await api.createMember(userGuid, 'mem-dup');
    const dup = await api.createMember(userGuid, 'mem-dup');
    expect([dup.status, dup.json]).toEqual([400, { error: 'Member already exists with guid mem-dup' }]);
    const reserved = await api.createMember(userGuid, 'MBR-mine');
    expect([reserved.status, reserved.json]).toEqual([400, { error: 'Invalid format for external member guid' }]);
    const unsafe = await api.createMember(userGuid, 'a%20b');
    expect(unsafe.status).toBe(400);
  });

  it('reads a missing member as the documented 500 "Member not found."', async () => {
    const reply = await api.call('GET', `/users/${userGuid}/members/MBR-missing`);
    expect([reply.status, reply.json]).toEqual([500, { error: 'Member not found.' }]);
    const status = await api.call('GET', `/users/${userGuid}/members/MBR-missing/status`);
    expect(status.status).toBe(500);
  });

  it('deletes a member with 204; a second delete is 400 "Member with guid … not found"', async () => {
    const member = (await api.createMember(userGuid, 'mem-del')).json.member;
    const deleted = await api.call('DELETE', `/users/${userGuid}/members/${member.guid}`);
    expect([deleted.status, deleted.text]).toEqual([204, '']);
    const again = await api.call('DELETE', `/users/${userGuid}/members/${member.guid}`);
    expect([again.status, again.json]).toEqual([400, { error: `Member with guid ${member.guid} not found` }]);
    // The external id is free again once the member is gone.
    expect((await api.createMember(userGuid, 'mem-del')).status).toBe(202);
  });

  it('answers member routes of an unknown user with "User with guid … not found."', async () => {
    const reply = await api.createMember('USR-ghost', 'mem-ghost');
    expect([reply.status, reply.json]).toEqual([400, { error: 'User with guid USR-ghost not found.' }]);
  });

  it('refuses stale credential guids, missing fields and an unknown institution', async () => {
    const staleReply = await api.call('POST', `/users/${userGuid}/members`, {
      member: { institution_code: 'mxbank', credentials: [{ guid: 'CRD-old', value: 'x' }] },
    });
    expect([staleReply.status, staleReply.json]).toEqual([400, { error: stale }]);
    const missing = await api.call('POST', `/users/${userGuid}/members`, { member: { id: 'no-fields' } });
    expect([missing.status, missing.json]).toEqual([400, { error: 'Missing required parameters: member.institution_code, member.credentials.' }]);
    const noPassword = await api.call('POST', `/users/${userGuid}/members`, {
      member: { institution_code: 'mxbank', credentials: [{ guid: 'CRD-username', value: 'mxuser' }] },
    });
    expect(noPassword.json).toEqual({ error: 'Missing required parameters: member.credentials.' });
    const unknown = await api.call('POST', `/users/${userGuid}/members`, { member: { institution_code: 'nobank', credentials: [] } });
    expect([unknown.status, unknown.text]).toEqual([404, '']);
  });

  it('creates without aggregating when asked (200, CREATED, idle), and aggregates on request', async () => {
    const created = await api.createMember(userGuid, 'mem-skip', undefined, { skip_aggregation: true });
    expect(created.status).toBe(200);
    expect(created.json.member).toMatchObject({ connection_status: 'CREATED', is_being_aggregated: false });
    const aggregating = await api.call('POST', `/users/${userGuid}/members/${created.json.member.guid}/aggregate`);
    expect([aggregating.status, aggregating.json.member.is_being_aggregated]).toEqual([202, true]);
  });

  it('refuses to aggregate a manual member', async () => {
    const manual = await api.call('POST', `/users/${userGuid}/members`, { member: { id: 'mem-manual', institution_code: 'manual', credentials: [] } });
    expect(manual.status).toBe(200);
    expect(manual.json.member.is_manual).toBe(true);
    const reply = await api.call('POST', `/users/${userGuid}/members/${manual.json.member.guid}/aggregate`);
    expect([reply.status, reply.json]).toEqual([400, { error: 'You cannot aggregate a manual member.' }]);
  });

  it('deletes the members of a deleted user, in the ground truth too', async () => {
    const owner = await api.createUser('owner-gone');
    const member = (await api.createMember(owner, 'mem-of-gone')).json.member;
    expect(sandbox.state().members.some((m) => m.guid === member.guid)).toBe(true);
    await api.call('DELETE', `/users/${owner}`);
    expect(sandbox.state().members.some((m) => m.guid === member.guid)).toBe(false);
    expect((await api.createMember(userGuid, 'mem-of-gone')).status).toBe(202);
  });

  it('shows members in the ground truth with their user and status, never credentials', async () => {
    const member = (await api.createMember(userGuid, 'mem-truth')).json.member;
    const truth = await (await fetch(`${sandbox.url}/__sandbox/state`)).json() as any;
    const row = truth.members.find((m: any) => m.guid === member.guid);
    expect(row).toMatchObject({ id: 'mem-truth', user_guid: userGuid, connection_status: 'CREATED', is_being_aggregated: true });
    expect(Object.keys(row)).not.toContain('credentials');
  });
});
