import { expect, it } from 'vitest';
import type { ItemUpdate, SnapshotStore } from '../../src/durable/store/contract.js';
import { createMemoryStore } from '../../src/durable/store/index.js';
import { createSnapshotWriter } from '../../src/durable/writer.js';

async function leasedStore(ids: string[]): Promise<{ store: SnapshotStore; batches: ItemUpdate[][] }> {
  const inner = createMemoryStore();
  await inner.ensureJob('j', 'onboard');
  await inner.addItems('j', ids.map((id) => ({ id, input: { id } })));
  await inner.claimItems('j', { owner: 'w', limit: ids.length, leaseMs: 60_000 });
  const batches: ItemUpdate[][] = [];
  const store: SnapshotStore = {
    ...inner,
    saveItems: (jobId, owner, updates) => {
      batches.push([...updates]);
      return inner.saveItems(jobId, owner, updates);
    },
  };
  return { store, batches };
}

it('gathers transitions that arrive tick after tick into a few transactions, each with the latest snapshot', async () => {
  const ids = Array.from({ length: 20 }, (_, i) => `c${i}`);
  const { store, batches } = await leasedStore(ids);
  const version = new Map<string, number>();
  const writer = createSnapshotWriter({
    store, jobId: 'j', owner: 'w', intervalMs: 20,
    read: (id) => ({ id, state: 'active', snapshot: { version: version.get(id) ?? 0 }, dueAt: null }),
    onError: (error) => {
      throw error;
    },
  });
  // 200 transitions, one per event-loop turn, as responses arrive from the network.
  let transitions = 0;
  const started = performance.now();
  for (let i = 0; i < 200; i += 1) {
    const id = ids[i % ids.length]!;
    version.set(id, (version.get(id) ?? 0) + 1);
    writer.markDirty(id);
    transitions += 1;
    await new Promise((resolve) => setImmediate(resolve));
  }
  await writer.persisted('c0');
  const elapsed = performance.now() - started;
  // One transaction per 20 ms at most (plus the first, which starts at once), not one per turn.
  expect(batches.length).toBeLessThanOrEqual(Math.ceil(elapsed / 20) + 2);
  expect(batches.length).toBeLessThan(transitions / 4);
  const stored = await store.listItems('j');
  expect(stored.map((item) => item.snapshot)).toEqual(ids.map((id) => ({ version: version.get(id) })));
});

it('writes at once what is dirty when flushed, without waiting for the interval', async () => {
  const { store, batches } = await leasedStore(['a', 'b']);
  const writer = createSnapshotWriter({
    store, jobId: 'j', owner: 'w', intervalMs: 60_000,
    read: (id) => ({ id, state: 'active', snapshot: { id }, dueAt: null }),
    onError: (error) => {
      throw error;
    },
  });
  writer.markDirty('a');
  await new Promise((resolve) => setTimeout(resolve, 20));
  writer.markDirty('b');
  const started = performance.now();
  await writer.flush();
  expect(performance.now() - started).toBeLessThan(1_000);
  expect(batches.flat().map((u) => u.id)).toEqual(['a', 'b']);
});

it('stops after a batch fails for good: flush rejects with the store error and nothing more is tried', async () => {
  const { store: inner } = await leasedStore(['a', 'b']);
  const full = Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
  let attempts = 0;
  const store: SnapshotStore = {
    ...inner,
    saveItems: () => {
      attempts += 1;
      return Promise.reject(full);
    },
  };
  const errors: unknown[] = [];
  const writer = createSnapshotWriter({
    store, jobId: 'j', owner: 'w',
    read: (id) => ({ id, state: 'active', snapshot: { id }, dueAt: null }),
    onError: (error) => errors.push(error),
  });
  writer.markDirty('a');
  // Before, flush tried the same batch again for ever and never settled (a full disk hung the run).
  await expect(writer.flush()).rejects.toBe(full);
  expect(errors).toEqual([full]);
  const tried = attempts;
  expect(tried).toBe(4);
  writer.markDirty('b');
  await expect(writer.flush()).rejects.toBe(full);
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(attempts).toBe(tried);
});
