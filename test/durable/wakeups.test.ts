import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createMxClient } from '../../src/api/index.js';
import type { SnapshotStore } from '../../src/durable/store/contract.js';
import { createRuntime } from '../../src/durable/runtime.js';
import { createSqliteStore } from '../../src/durable/store/index.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ auth: 'token', aggregationMs: 60_000 });
});
afterAll(async () => {
  await sandbox.close();
});

it('stays quiet while its last item waits: no store claim storm after many items finished', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mx-wake-'));
  const inner = createSqliteStore({ path: join(dir, 'job.sqlite') });
  let claims = 0;
  const store: SnapshotStore = {
    ...inner,
    claimItems: (...args) => {
      claims += 1;
      return inner.claimItems(...args);
    },
  };
  const client = createMxClient({ baseUrl: sandbox.url, clientId: 'sandbox-client', apiKey: 'sandbox-key', auth: 'token' });
  const runtime = createRuntime({ store, client, concurrency: 64, options: { pollIntervalMs: 60_000 } });
  // 300 customers without connections finish at their first request; one member keeps aggregating.
  const quick = Array.from({ length: 300 }, (_, i) => ({ id: `quick-${i}`, members: [] }));
  const waiting = { id: 'waiting', members: [{ id: 'waiting-m', institution_code: 'mxbank', credentials: { username: 'mxuser', password: 'password' } }] };
  await runtime.submit('j', [waiting, ...quick]);
  let finals = 0;
  const quickDone = new Promise<void>((resolve) => {
    runtime.events.on('item.final', () => {
      finals += 1;
      if (finals === quick.length) resolve();
    });
  });
  const running = runtime.run('j');
  try {
    await quickDone;
    // Every finished item woke the loop; each wake-up must not leave a timer behind that wakes it again.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const before = claims;
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(claims - before).toBeLessThanOrEqual(6);
  } finally {
    await runtime.close();
    await running;
    await client.close();
    await inner.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

it('claims free slots in batches, not one store claim per finished item', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mx-wake-'));
  const inner = createSqliteStore({ path: join(dir, 'job.sqlite') });
  let claims = 0;
  const store: SnapshotStore = {
    ...inner,
    claimItems: (...args) => {
      claims += 1;
      return inner.claimItems(...args);
    },
  };
  const client = createMxClient({ baseUrl: sandbox.url, clientId: 'sandbox-client', apiKey: 'sandbox-key', auth: 'token' });
  const runtime = createRuntime({ store, client, concurrency: 64 });
  try {
    await runtime.submit('batches', Array.from({ length: 400 }, (_, i) => ({ id: `b-${i}`, members: [] })));
    const result = await runtime.run('batches');
    expect(result.counts.done).toBe(400);
    // A claim reads past every live item: one per finished item (400) cost O(concurrency) each.
    expect(claims).toBeLessThan(120);
  } finally {
    await runtime.close();
    await client.close();
    await inner.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

it('stops claiming on every finished item once the store has nothing left to give', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mx-wake-'));
  const inner = createSqliteStore({ path: join(dir, 'job.sqlite') });
  let claims = 0;
  const store: SnapshotStore = {
    ...inner,
    claimItems: (...args) => {
      claims += 1;
      return inner.claimItems(...args);
    },
  };
  const paced = createMxClient({ baseUrl: sandbox.url, clientId: 'sandbox-client', apiKey: 'sandbox-key', auth: 'token', rate: { perSecond: 40 } });
  const runtime = createRuntime({ store, client: paced, concurrency: 64, options: { pollIntervalMs: 60_000 } });
  // Every item fits in the first claim: 8 keep aggregating, 56 finish at their first request, one
  // every 25 ms (the client's rate), so each finish wakes the loop on its own.
  const slow = Array.from({ length: 8 }, (_, i) => ({
    id: `slow-${i}`,
    members: [{ id: `slow-${i}-m`, institution_code: 'mxbank', credentials: { username: 'mxuser', password: 'password' } }],
  }));
  const quick = Array.from({ length: 56 }, (_, i) => ({ id: `fast-${i}`, members: [] }));
  await runtime.submit('drained', [...slow, ...quick]);
  let finals = 0;
  const quickDone = new Promise<void>((resolve) => {
    runtime.events.on('item.final', () => {
      finals += 1;
      if (finals === quick.length) resolve();
    });
  });
  const running = runtime.run('drained');
  try {
    await quickDone;
    // The first claim took all 64; the one after it found nothing: 48 more finishes claim nothing.
    expect(claims).toBeLessThanOrEqual(6);
  } finally {
    await runtime.close();
    await running;
    await paced.close();
    await inner.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
