/**
 * MX's official Node SDK, mx-platform-node@2 (v20111101), run unchanged against the sandbox, with
 * `Accept-Version: v20111101` in its base options as MX's migration guide asks: create a user and
 * a member, update the member's credentials, aggregate, read the member and its status, delete.
 * Its aggregateMember POSTs no body as x-www-form-urlencoded, which the sandbox must accept.
 */
import { Configuration, MembersApi, UsersApi } from 'mx-platform-node';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { sleep } from '../sandbox/helpers.js';

let sandbox: Sandbox;
let users: UsersApi;
let members: MembersApi;

beforeAll(async () => {
  sandbox = await startSandbox({ aggregationMs: 100 });
  const configuration = new Configuration({
    basePath: sandbox.url,
    username: 'sandbox-client',
    password: 'sandbox-key',
    baseOptions: { headers: { Accept: 'application/vnd.mx.api.v1+json', 'Accept-Version': 'v20111101' } },
  });
  users = new UsersApi(configuration);
  members = new MembersApi(configuration);
});
afterAll(() => sandbox.close());

async function settledStatus(member: string, user: string): Promise<{ connection_status?: string | null }> {
  for (let i = 0; i < 200; i++) {
    const status = (await members.readMemberStatus(member, user)).data.member ?? {};
    if (!status.is_being_aggregated) return status;
    await sleep(20);
  }
  throw new Error('still aggregating');
}

it('creates, updates credentials, aggregates, reads and deletes through the official SDK', async () => {
  const user = (await users.createUser({ user: { id: 'sdk-user', email: 'sdk@example.com' } })).data.user?.guid as string;
  expect(user).toMatch(/^USR-/);
  const created = await members.createMember(user, {
    member: {
      id: 'sdk-member',
      institution_code: 'mxbank',
      credentials: [{ guid: 'CRD-username', value: 'mxuser' }, { guid: 'CRD-password', value: 'LOCKED' }],
    },
  });
  const member = created.data.member?.guid as string;
  expect(await settledStatus(member, user)).toMatchObject({ connection_status: 'LOCKED' });

  const updated = await members.updateMember(member, user, {
    member: { credentials: [{ guid: 'CRD-password', value: 'password' }, { guid: 'CRD-username', value: 'mxuser' }] },
  });
  expect(updated.data.member?.is_being_aggregated).toBe(true);
  expect(await settledStatus(member, user)).toMatchObject({ connection_status: 'CONNECTED' });

  const aggregated = await members.aggregateMember(member, user);
  expect([aggregated.status, aggregated.data.member?.is_being_aggregated]).toEqual([202, true]);
  expect(await settledStatus(member, user)).toMatchObject({ connection_status: 'CONNECTED' });
  expect((await members.readMember(member, user)).data.member).toMatchObject({ id: 'sdk-member', connection_status: 'CONNECTED' });

  expect((await members.deleteMember(member, user)).status).toBe(204);
  expect((await users.deleteUser('application/vnd.mx.api.v1+json', user)).status).toBe(204);
  expect(sandbox.state()).toMatchObject({ users: [], members: [] });
});
