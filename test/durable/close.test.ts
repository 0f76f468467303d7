/**
 * `runtime.close()` stops the runs in progress and resolves once each has ended: its customers'
 * states written and their leases given back, so another worker (or the next run) takes them at once.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMxClient } from '../../src/api/index.js';
import { createRuntime } from '../../src/durable/runtime.js';
import { createSqliteStore } from '../../src/durable/store/index.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import type { CustomerInput } from '../../src/input/types.js';

const customer = (id: string): CustomerInput => ({
  id,
  email: `${id}@example.com`,
  members: [{ id: `${id}-m0`, institution_code: 'mxbank', credentials: { username: 'mxuser', password: 'password' } }],
});

let sandbox: Sandbox;
beforeAll(async () => {
  // Aggregations outlast the test: every customer is still polling when the runtime closes.
  sandbox = await startSandbox({ aggregationMs: 600_000 });
});
afterAll(async () => {
  await sandbox.close();
});

describe('runtime.close', () => {
  it('stops a run in progress and resolves once its customers are written and released', async () => {
    const store = createSqliteStore({ path: join(mkdtempSync(join(tmpdir(), 'mx-close-')), 'job.sqlite') });
    const client = createMxClient({ baseUrl: sandbox.url, clientId: 'sandbox-client', apiKey: 'sandbox-key' });
    const runtime = createRuntime({ store, client, concurrency: 3, options: { pollIntervalMs: 200 } });
    try {
      await runtime.submit('closing', [customer('a'), customer('b'), customer('c')]);
      const running = runtime.run('closing');
      const deadline = Date.now() + 20_000;
      while (runtime.held().liveItems < 3 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(runtime.held().liveItems).toBe(3);

      await runtime.close();

      expect(runtime.held().liveItems).toBe(0);
      // Released, not left to their leases: another owner claims all three at once, each with the
      // snapshot the run wrote as it stopped.
      const claimed = await store.claimItems('closing', { owner: 'other', limit: 3, leaseMs: 30_000 });
      expect(claimed.map((item) => item.id).toSorted()).toEqual(['a', 'b', 'c']);
      expect(claimed.every((item) => item.snapshot !== null)).toBe(true);
      const result = await running;
      expect(result.halted).toBeNull();
      expect(result.counts).toMatchObject({ active: 3, done: 0 });
    } finally {
      await runtime.close();
      await client.close();
      await store.close();
    }
  });
});
