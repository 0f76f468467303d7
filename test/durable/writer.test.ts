import { expect, it } from 'vitest';
import type { ItemUpdate, SnapshotStore } from '../../src/durable/store.js';
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
