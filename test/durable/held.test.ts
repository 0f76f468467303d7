/**
 * What the runtime holds per customer does not outlive the customer (issue 22, item 6: memory grew
 * with a 200,000-customer job): a final customer's credentials and its members' callback payloads
 * are let go, so after N customers finish the runtime holds what its live items need, not N of
 * anything. Sizes are asserted, never timings.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createMxClient } from '../../src/api/index.js';
import { createRuntime } from '../../src/durable/runtime.js';
import { createSqliteStore } from '../../src/durable/store/index.js';
import { createJobWatch } from '../../src/observe/jobWatch.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import type { CustomerInput } from '../../src/input/types.js';

const CUSTOMERS = 120;

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ aggregationMs: 20 });
});
afterAll(async () => {
  await sandbox.close();
});

// mxbank: "password" connects, "denied" is DENIED (docs.mx.com, Testing with MX Bank).
const customer = (i: number): CustomerInput => ({
  id: `held-${i}`,
  members: [{ id: `held-${i}-m0`, institution_code: 'mxbank', credentials: { username: 'mxuser', password: i % 7 === 0 ? 'denied' : 'password' } }],
});

it('lets go of each customer\'s credentials and callback payloads once it is final', async () => {
  const store = createSqliteStore({ path: join(mkdtempSync(join(tmpdir(), 'mx-held-')), 'job.sqlite') });
  const client = createMxClient({ baseUrl: sandbox.url, clientId: 'sandbox-client', apiKey: 'sandbox-key' });
  // The dashboard's watch, fed by the runtime's own inspection events as `--dashboard` feeds it.
  const watch = createJobWatch('onboarding', { recentViews: 10 });
  const runtime = createRuntime({ store, client, concurrency: 8, inspect: (e) => watch.inspect(e), options: { pollIntervalMs: 30, baseDelayMs: 20, maxDelayMs: 100 } });
  runtime.events.on('item.transition', (e) => watch.itemState(e.itemId, e.state));
  runtime.events.on('item.final', (e) => watch.itemFinal(e.itemId, e.state, e.outcome));
  try {
    await runtime.submit('held', Array.from({ length: CUSTOMERS }, (_, i) => customer(i)));
    watch.seed(await store.listItems('held'));
    expect(runtime.held().credentials).toBe(CUSTOMERS);
    const seen: Array<ReturnType<typeof runtime.held> & { finals: number }> = [];
    let finals = 0;
    runtime.events.on('item.final', () => {
      finals += 1;
      seen.push({ ...runtime.held(), finals });
    });
    const result = await runtime.run('held');
    expect(result.counts).toMatchObject({ done: CUSTOMERS - 18, needsAction: 18, pending: 0, active: 0 });
    expect(seen).toHaveLength(CUSTOMERS);
    for (const at of seen) {
      // Each final customer's credentials are gone: only those not final yet are held.
      expect(at.credentials).toBe(CUSTOMERS - at.finals);
      // One member each: payloads only for the items live on this worker.
      expect(at.memberOrigins).toBeLessThanOrEqual(at.liveItems);
      // One institution: its fields, read once for the run, are all the run holds of them.
      expect(at.credentialFields).toBe(1);
    }
    // The run is over: its credential fields went with it.
    expect(runtime.held()).toEqual({ liveItems: 0, credentials: 0, memberOrigins: 0, answers: 0, credentialFields: 0 });
    expect(sandbox.state().stats.byRoute['GET /institutions/{institution_identifier}/credentials']).toBe(1);
    // The watch follows no machine of a finished customer and holds whole views of the latest 10 only.
    expect(watch.held()).toMatchObject({ indexed: CUSTOMERS, live: 0, recent: 10, sessions: 0 });
    expect(watch.counts().items).toMatchObject({ done: CUSTOMERS - 18, needsAction: 18 });
    expect(watch.counts().machines.member).toEqual({ connected: CUSTOMERS - 18, needsAction: 18 });
  } finally {
    await runtime.close();
    await client.close();
    await store.close();
  }
});
