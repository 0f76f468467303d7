/**
 * Member rules MX documents, over HTTP in MX Platform's own dialect:
 * - "Duplicate members aren't allowed on the MX platform. A duplicate member is when a user
 *   attempts to connect to an institution they're already connected to using the same
 *   credentials." (https://docs.mx.com/api-reference/platform-api/reference/members); 409 is "an
 *   object with the given attributes already exists" (https://docs.mx.com/api-reference/platform-api/overview/errors).
 * - Update member: "While no single parameter is required, the request body can't be empty"
 *   (the spec's PUT /users/{user_guid}/members/{member_guid}, both versions).
 * - v20250224's `institution_identifier`: "use either the `institution_code` or the institution
 *   `guid`" (the spec's institutionIdentifier parameter); v20111101 names `{institution_code}`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { platformCaller } from './helpers.js';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ aggregationMs: 20, refuseDuplicateMembers: true });
});
afterAll(() => sandbox.close());

type Version = 'v20250224' | 'v20111101';
const call = platformCaller(() => sandbox);
const login = (password: string, username = 'mxuser') => [{ guid: 'CRD-username', value: username }, { guid: 'CRD-password', value: password }];
let serial = 0;
const newUser = async (): Promise<string> => (await call('POST', '/users', { user: { id: `rules-${serial++}` } })).json.user.guid as string;
const create = (user: string, credentials: unknown, institution = 'mxbank') => call('POST', `/users/${user}/members`, { member: { institution_code: institution, credentials } });

describe('a second member with the same credentials', () => {
  const rows: Array<[string, { sameUser: boolean; password: string; username?: string }, number]> = [
    ['same user, same institution, same credentials', { sameUser: true, password: 'hunter2-dup' }, 409],
    ['same user, another password', { sameUser: true, password: 'hunter3-dup' }, 202],
    ['same user, another user name (DENIED, but not a duplicate)', { sameUser: true, password: 'hunter2-dup', username: 'someone' }, 202],
    ['another user, same credentials', { sameUser: false, password: 'hunter2-dup' }, 202],
  ];
  it.each(rows)('%s → %i', async (_, second, status) => {
    const user = await newUser();
    const first = await create(user, login('hunter2-dup'));
    expect(first.status).toBe(202);
    const reply = await create(second.sameUser ? user : await newUser(), login(second.password, second.username));
    expect(reply.status).toBe(status);
    if (status === 409) {
      expect(reply.json).toEqual({
        error: { message: `Duplicate members aren't allowed: the user is already connected to this institution with these credentials. Member already exists with guid ${first.json.member.guid}` },
      });
      expect(reply.text).not.toContain('hunter2');
    }
  });

  it('lets the user connect again with the same credentials once the first member is deleted', async () => {
    const user = await newUser();
    const first = (await create(user, login('again-dup'))).json.member.guid as string;
    expect((await call('DELETE', `/users/${user}/members/${first}`)).status).toBe(204);
    expect((await create(user, login('again-dup'))).status).toBe(202);
  });
});

describe('update member', () => {
  const rows: Array<[string, unknown, number]> = [
    ['an empty member', { member: {} }, 400],
    ['no member at all', {}, 400],
    ['metadata only', { member: { metadata: 'note' } }, 200],
  ];
  it.each(rows)('%s → %i', async (_, body, status) => {
    const user = await newUser();
    const member = (await create(user, login(`update-${serial}`))).json.member.guid as string;
    for (const version of ['v20250224', 'v20111101'] as const) {
      const reply = await call('PUT', `/users/${user}/members/${member}`, body, version);
      expect(reply.status).toBe(status);
      if (_ === 'an empty member') expect(reply.json).toEqual({ error: { message: "While no single parameter is required, the request body can't be empty." } });
    }
  });
});

describe('institution credentials by code or guid', () => {
  const guid = 'INS-1572a04c-912b-59bf-5841-332c7dfafaef';
  const rows: Array<[Version, string, number]> = [
    ['v20250224', 'mxbank', 200],
    ['v20250224', guid, 200],
    ['v20111101', 'mxbank', 200],
    ['v20111101', guid, 404],
    ['v20250224', 'INS-nope', 404],
  ];
  it.each(rows)('%s /institutions/%s/credentials → %i', async (version, identifier, status) => {
    const reply = await call('GET', `/institutions/${identifier}/credentials`, undefined, version);
    expect(reply.status).toBe(status);
    if (status === 200) expect(reply.json.credentials.map((c: { guid: string }) => c.guid)).toEqual(['CRD-username', 'CRD-password']);
  });
});
