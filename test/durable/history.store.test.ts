/**
 * Each customer's history in every store backend (memory, a real SQLite file, a real PostgreSQL
 * schema): steps go in with the snapshot save that holds the lease (and only then), and with an
 * operator's reset; they come back oldest first, bounded by the job's limit.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_HISTORY_LIMIT, type HistoryStep } from '../../src/durable/store/contract.js';
import { storeBackends } from './support/backends.js';

const { backends } = storeBackends('hist');

const step = (n: number, extra: Partial<HistoryStep> = {}): HistoryStep => ({
  at: 1_700_000_000_000 + n, machine: 'member', actor: 'c1-m0', state: `s${n}`, event: `e${n}`, ...extra,
});

describe.each(backends)('customer history, $name', ({ open }) => {
  it('adds steps with the save that writes the item, in order, and none for a write it refused', async () => {
    const store = open();
    try {
      await store.init();
      await store.ensureJob('j', 'onboard');
      await store.addItems('j', [{ id: 'c1', input: {} }, { id: 'c2', input: {} }]);
      await store.claimItems('j', { owner: 'w1', limit: 1, leaseMs: 60_000 });
      const request = { method: 'POST', path: '/users/{user_guid}/members', status: 409, ms: 12 };
      const first = step(1, { requests: [request], error: { kind: 'duplicate', status: 409 }, connectionStatus: 'CHALLENGED' });
      const written = await store.saveItems('j', 'w1', [
        { id: 'c1', state: 'active', snapshot: { n: 1 }, dueAt: null, history: { steps: [first, step(2)], keep: 200 } },
        // c2 is not held by w1: neither its state nor its steps are written.
        { id: 'c2', state: 'active', snapshot: { n: 1 }, dueAt: null, history: { steps: [step(9)], keep: 200 } },
      ]);
      expect(written).toEqual(['c1']);
      // Two updates of one item in a batch: the last state, every step.
      await store.saveItems('j', 'w1', [
        { id: 'c1', state: 'active', snapshot: { n: 2 }, dueAt: null, history: { steps: [step(3)], keep: 200 } },
        { id: 'c1', state: 'done', snapshot: { n: 3 }, dueAt: null, outcome: { outcome: 'done' }, history: { steps: [step(4)], keep: 200 } },
      ]);
      expect(await store.historyOf('j', 'c1')).toEqual([first, step(2), step(3), step(4)]);
      expect(await store.historyOf('j', 'c2')).toEqual([]);
      // An operator's reset adds its own step in the same write.
      const retry = { at: 1_700_000_000_100, machine: 'operator', actor: 'retry', state: 'pending', event: 'retry' };
      expect(await store.resetItems('j', [{ id: 'c1', state: 'pending', snapshot: null, outcome: null, history: { steps: [retry], keep: 200 } }], ['done'])).toEqual(['c1']);
      expect((await store.historyOf('j', 'c1')).at(-1)).toEqual(retry);
      const last = await store.lastStepsOf('j', ['c1', 'c2', 'nobody']);
      expect([...last.entries()]).toEqual([['c1', retry]]);
      expect((await store.lastStepsOf('j', [])).size).toBe(0);
    } finally {
      await store.close();
    }
  });

  it('keeps only the latest steps the job allows, per customer', async () => {
    const store = open();
    try {
      await store.init();
      await store.ensureJob('j', 'onboard');
      expect(await store.historyLimitOf('j')).toBe(DEFAULT_HISTORY_LIMIT);
      await store.setHistoryLimit('j', 3);
      expect(await store.historyLimitOf('j')).toBe(3);
      await expect(store.setHistoryLimit('j', -1)).rejects.toMatchObject({ code: 'MX_STORE_BAD_OPTIONS' });
      await expect(store.setHistoryLimit('nope', 5)).rejects.toMatchObject({ code: 'MX_STORE_UNKNOWN_JOB' });
      await store.addItems('j', [{ id: 'c1', input: {} }]);
      await store.claimItems('j', { owner: 'w1', limit: 1, leaseMs: 60_000 });
      for (const batch of [[1, 2], [3], [4, 5, 6, 7, 8]]) {
        await store.saveItems('j', 'w1', [{ id: 'c1', state: 'active', snapshot: {}, dueAt: null, history: { steps: batch.map((n) => step(n)), keep: 3 } }]);
      }
      expect((await store.historyOf('j', 'c1')).map((s) => s.state)).toEqual(['s6', 's7', 's8']);
      // A limit of 0 keeps nothing new.
      await store.saveItems('j', 'w1', [{ id: 'c1', state: 'active', snapshot: {}, dueAt: null, history: { steps: [step(9)], keep: 0 } }]);
      expect((await store.historyOf('j', 'c1')).map((s) => s.state)).toEqual(['s6', 's7', 's8']);
    } finally {
      await store.close();
    }
  });
});
