import { describe, expect, it } from 'vitest';
import type { SandboxOptions } from '../../src/sandbox/index.js';
import { Api, basic, request, started } from './helpers.js';

/** What a client sees of each of `count` sequential reads: a status, or `reset`. */
async function outcomes(options: Partial<SandboxOptions>, count: number): Promise<Array<number | 'reset'>> {
  const sandbox = await started({ faults: 0.5, faultKinds: ['bad_gateway', 'maintenance', 'server_error', 'reset'], ...options });
  try {
    const api = await Api.connect(sandbox);
    const seen: Array<number | 'reset'> = [];
    for (let i = 0; i < count; i++) {
      try {
        seen.push((await api.call('GET', '/institutions/mxbank/credentials')).status);
      } catch {
        seen.push('reset');
      }
    }
    expect(sandbox.state().stats.faultsInjected).toBe(seen.filter((s) => s !== 200).length);
    return seen;
  } finally {
    await sandbox.close();
  }
}

describe('seeded faults', () => {
  it('repeat exactly for the same seed and differ for another', async () => {
    const first = await outcomes({ seed: 42 }, 40);
    const again = await outcomes({ seed: 42 }, 40);
    const other = await outcomes({ seed: 43 }, 40);
    expect(again).toEqual(first);
    expect(other).not.toEqual(first);
    // Every kind asked for turns up, and about half the requests get one.
    expect(new Set(first)).toEqual(new Set([200, 502, 503, 500, 'reset']));
    const faulted = first.filter((s) => s !== 200).length;
    expect(faulted).toBeGreaterThan(8);
    expect(faulted).toBeLessThan(32);
  });

  it('start the sequence over on reset', async () => {
    const sandbox = await started({ faults: 0.5, faultKinds: ['bad_gateway'], seed: 9 });
    try {
      const api = await Api.connect(sandbox);
      const run = async () => {
        const seen: number[] = [];
        for (let i = 0; i < 20; i++) seen.push((await api.call('GET', '/users')).status);
        return seen;
      };
      const first = await run();
      sandbox.reset();
      expect(await run()).toEqual(first);
    } finally {
      await sandbox.close();
    }
  });

  it('never touch /oauth/token or /__sandbox/*', async () => {
    const sandbox = await started({ faults: 1, faultKinds: ['reset', 'bad_gateway'] });
    try {
      for (let i = 0; i < 10; i++) {
        expect((await request(`${sandbox.url}/oauth/token`, { method: 'POST', headers: { authorization: basic() } })).status).toBe(200);
        expect((await request(`${sandbox.url}/__sandbox/state`)).status).toBe(200);
      }
      expect(sandbox.state().stats.faultsInjected).toBe(0);
    } finally {
      await sandbox.close();
    }
  });

  it('delete_failed: the documented "Failed to delete …" and the record stays', async () => {
    const sandbox = await started({ faults: 1, faultKinds: ['delete_failed'] });
    try {
      const api = await Api.connect(sandbox);
      const user = await api.createUser('stays');
      const member = (await api.createMember(user, 'stays-too')).json.member.guid;
      const memberReply = await api.call('DELETE', `/users/${user}/members/${member}`);
      expect([memberReply.status, memberReply.json]).toEqual([500, { error: 'Failed to delete member: The record is locked by another process.' }]);
      const userReply = await api.call('DELETE', `/users/${user}`);
      expect(userReply.json).toEqual({ error: 'Failed to delete user: The record is locked by another process.' });
      expect(sandbox.state().users.map((u) => u.guid)).toEqual([user]);
      expect(sandbox.state().members.map((m) => m.guid)).toEqual([member]);
      expect(sandbox.state().stats.faultsByKind).toEqual({ delete_failed: 2 });
    } finally {
      await sandbox.close();
    }
  });

  it('lost: the create takes effect but the client sees a 502 or a reset', async () => {
    const sandbox = await started({ faults: 1, faultKinds: ['lost'], seed: 5 });
    try {
      const api = await Api.connect(sandbox);
      const seen = new Set<string>();
      for (let i = 0; i < 12; i++) {
        try {
          const reply = await api.call('POST', '/users', { user: { id: `lost-${i}` } });
          seen.add(String(reply.status));
          expect([reply.status, reply.text]).toEqual([502, '']);
        } catch {
          seen.add('reset');
        }
      }
      expect(seen).toEqual(new Set(['502', 'reset']));
      expect(sandbox.state().users.map((u) => u.id)).toEqual(Array.from({ length: 12 }, (_, i) => `lost-${i}`));
      // Reads are not writes: they are never "lost", and with only `lost` enabled they pass.
      expect((await api.call('GET', '/users?id=lost-0')).json.users).toHaveLength(1);
      const retry = await api.call('POST', '/users', { user: { id: 'lost-0' } }).catch(() => undefined);
      expect(retry === undefined || retry.status === 502).toBe(true);
      expect(sandbox.state().users.filter((u) => u.id === 'lost-0')).toHaveLength(1);
    } finally {
      await sandbox.close();
    }
  });

  it('lost: a delete takes effect before the response is lost', async () => {
    const sandbox = await started({ faults: 1, faultKinds: ['lost'] });
    try {
      const api = await Api.connect(sandbox);
      // With every write lost, the user is created (unseen) and then found by its external id.
      await api.call('POST', '/users', { user: { id: 'to-delete' } }).catch(() => undefined);
      const guid = (await api.call('GET', '/users?id=to-delete')).json.users[0].guid as string;
      await api.call('DELETE', `/users/${guid}`).catch(() => undefined);
      expect(sandbox.state().users).toEqual([]);
    } finally {
      await sandbox.close();
    }
  });

  it('timeout: the request is applied, and the response comes only after timeoutFaultMs', async () => {
    const sandbox = await started({ faults: 1, faultKinds: ['timeout'], timeoutFaultMs: 400 });
    try {
      const auth = await Api.connect(sandbox);
      const began = Date.now();
      const aborted = await fetch(`${sandbox.url}/users`, {
        method: 'POST',
        headers: { authorization: auth.authorization, 'content-type': 'application/json' },
        body: JSON.stringify({ user: { id: 'slow-1' } }),
        signal: AbortSignal.timeout(100),
      }).then(() => false, () => true);
      expect(aborted).toBe(true);
      expect(Date.now() - began).toBeLessThan(400);
      expect(sandbox.state().users.map((u) => u.id)).toEqual(['slow-1']);
      // A patient client gets its answer (this read is held too), after the configured delay.
      const patient = Date.now();
      const reply = await auth.call('GET', '/users?id=slow-1');
      expect(reply.status).toBe(200);
      expect(reply.json.users).toHaveLength(1);
      expect(Date.now() - patient).toBeGreaterThanOrEqual(380);
    } finally {
      await sandbox.close();
    }
  });

  it('close() does not wait for held responses', async () => {
    const sandbox = await started({ faults: 1, faultKinds: ['timeout'], timeoutFaultMs: 60_000 });
    const api = await Api.connect(sandbox);
    const pending = api.call('GET', '/users').catch(() => 'closed');
    await new Promise((resolve) => setTimeout(resolve, 50));
    const began = Date.now();
    await sandbox.close();
    expect(await pending).toBe('closed');
    expect(Date.now() - began).toBeLessThan(1_000);
  });
});
