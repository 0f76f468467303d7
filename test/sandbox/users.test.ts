import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/index.js';
import { Api, started } from './helpers.js';

let sandbox: Sandbox;
let api: Api;
let other: Api;

beforeAll(async () => {
  sandbox = await started({ clients: [{ id: 'sandbox-client', key: 'sandbox-key' }, { id: 'other', key: 'other-key' }] });
  api = await Api.connect(sandbox);
  other = await Api.connect(sandbox, 'other', 'other-key');
});
afterAll(() => sandbox.close());

describe('users', () => {
  it('creates a user with a USR- guid and reads it back', async () => {
    const created = await api.call('POST', '/users', { user: { id: 'cust-1', email: 'one@example.com', metadata: '{"tier":1}' } });
    expect(created.status).toBe(200);
    expect(created.headers.get('content-type')).toContain('application/vnd.mx.api.v1+json');
    const guid = created.json.user.guid as string;
    expect(guid).toMatch(/^USR-[0-9a-f-]{36}$/);
    const read = await api.call('GET', `/users/${guid}`);
    expect(read.status).toBe(200);
    expect(read.json.user).toEqual({ guid, id: 'cust-1', email: 'one@example.com', is_disabled: false, metadata: '{"tier":1}' });
  });

  it('refuses a second user with the same external id, naming it', async () => {
    await api.createUser('dup-1');
    const again = await api.call('POST', '/users', { user: { id: 'dup-1' } });
    expect(again.status).toBe(400);
    expect(again.json).toEqual({ error: 'User already exists with guid dup-1' });
  });

  it('refuses the reserved USR- prefix and ids that are not URL-safe', async () => {
    for (const id of ['USR-123', 'usr-abc', 'has space', 'slash/inside', 'quote"', 'é']) {
      const reply = await api.call('POST', '/users', { user: { id } });
      expect([id, reply.status, reply.json]).toEqual([id, 400, { error: 'Invalid format for external user guid.' }]);
    }
  });

  it('refuses an empty user and a body without its root key', async () => {
    expect((await api.call('POST', '/users', { user: {} })).json).toEqual({ error: 'Missing required parameters: user.' });
    expect((await api.call('POST', '/users', { id: 'x' })).json).toEqual({ error: 'Missing required parameters: user.' });
    expect((await api.call('POST', '/users', { user: { email: 5 } })).json).toEqual({ error: 'Invalid parameter: user.email.' });
  });

  it('answers 400 "User with guid … not found." for an unknown user', async () => {
    const reply = await api.call('GET', '/users/USR-missing');
    expect(reply.status).toBe(400);
    expect(reply.json).toEqual({ error: 'User with guid USR-missing not found.' });
  });

  it("keeps each client's users to itself", async () => {
    const guid = await api.createUser('private-1');
    expect((await other.call('GET', `/users/${guid}`)).status).toBe(400);
    expect((await other.call('GET', '/users?id=private-1')).json.users).toEqual([]);
    // The same external id is free for another client.
    expect((await other.call('POST', '/users', { user: { id: 'private-1' } })).status).toBe(200);
  });

  it('updates a user, and refuses an id another user has', async () => {
    const guid = await api.createUser('upd-1');
    await api.createUser('upd-2');
    const updated = await api.call('PUT', `/users/${guid}`, { user: { email: 'new@example.com', is_disabled: true } });
    expect(updated.status).toBe(200);
    expect(updated.json.user).toMatchObject({ id: 'upd-1', email: 'new@example.com', is_disabled: true });
    const clash = await api.call('PUT', `/users/${guid}`, { user: { id: 'upd-2' } });
    expect(clash.json).toEqual({ error: 'User already exists with guid upd-2' });
    const renamed = await api.call('PUT', `/users/${guid}`, { user: { id: 'upd-3' } });
    expect(renamed.json.user.id).toBe('upd-3');
    expect((await api.call('GET', '/users?id=upd-3')).json.users.map((u: any) => u.guid)).toEqual([guid]);
    expect((await api.call('GET', '/users?id=upd-1')).json.users).toEqual([]);
  });

  it('deletes a user with 204, then it is not found, and a second delete says so', async () => {
    const guid = await api.createUser('del-1');
    const deleted = await api.call('DELETE', `/users/${guid}`);
    expect([deleted.status, deleted.text]).toEqual([204, '']);
    expect((await api.call('GET', `/users/${guid}`)).status).toBe(400);
    const again = await api.call('DELETE', `/users/${guid}`);
    expect([again.status, again.json]).toEqual([400, { error: `User with guid ${guid} not found.` }]);
    expect(sandbox.state().users.some((u) => u.guid === guid)).toBe(false);
  });

  it('lists users by page, filtered by id and email', async () => {
    const fresh = await started();
    try {
      const client = await Api.connect(fresh);
      for (let i = 0; i < 27; i++) await client.createUser(`page-${i}`, { email: i % 2 === 0 ? 'even@example.com' : 'odd@example.com' });
      const first = await client.call('GET', '/users');
      expect(first.json.pagination).toEqual({ current_page: 1, per_page: 25, total_entries: 27, total_pages: 2 });
      const second = await client.call('GET', '/users?page=2&records_per_page=10');
      expect(second.json.users.map((u: any) => u.id)).toEqual(Array.from({ length: 10 }, (_, i) => `page-${10 + i}`));
      expect(second.json.pagination).toEqual({ current_page: 2, per_page: 10, total_entries: 27, total_pages: 3 });
      // The documented range is 10..1000: below clamps to 10, above falls back to 25.
      expect((await client.call('GET', '/users?records_per_page=2')).json.pagination.per_page).toBe(10);
      expect((await client.call('GET', '/users?records_per_page=1001')).json.pagination.per_page).toBe(25);
      expect((await client.call('GET', '/users?page=9')).json.users).toEqual([]);
      const byId = await client.call('GET', '/users?id=page-3');
      expect(byId.json.users.map((u: any) => u.id)).toEqual(['page-3']);
      expect(byId.json.pagination.total_entries).toBe(1);
      const byEmail = await client.call('GET', '/users?email=odd%40example.com&records_per_page=100');
      expect(byEmail.json.users).toHaveLength(13);
    } finally {
      await fresh.close();
    }
  });
});
