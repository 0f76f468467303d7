/**
 * What webhooks buy: the same 40 customers with 15-s aggregations, once polled every 3 s and once
 * told by webhooks (a fifth of them lost) with a 30-s poll as the fallback. MX: "don't rely on
 * webhooks ... reading the status from our API as a backup mechanism if a webhook doesn't arrive in
 * a timely manner" (docs.mx.com/resources/webhooks, Best Practices).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createMxClient } from '../../src/api/index.js';
import { createRuntime, type Runtime } from '../../src/durable/index.js';
import { createSqliteStore } from '../../src/durable/store/index.js';
import type { CustomerInput } from '../../src/input/types.js';
import { startSandbox } from '../../src/sandbox/index.js';
import { createWebhookReceiver, WEBHOOK_POLL_INTERVAL_MS } from '../../src/webhooks/index.js';

const CUSTOMERS = 40;
const AGGREGATION_MS = 15_000;
const AUTH = 'mx:polling-test-password';
const PASSWORDS = ['password', 'password', 'password', 'denied', 'password', 'locked', 'password', 'password'];

const customers = (): CustomerInput[] =>
  Array.from({ length: CUSTOMERS }, (_, i) => ({
    id: `cust-${i}`,
    email: `cust-${i}@example.com`,
    members: [{ id: `cust-${i}-m0`, institution_code: 'mxbank', credentials: { username: 'mxuser', password: PASSWORDS[i % PASSWORDS.length]! } }],
  }));

async function runJob(withWebhooks: boolean) {
  let runtime: Runtime | undefined;
  const receiver = withWebhooks
    ? await createWebhookReceiver({ target: { wakeMember: (ref) => runtime?.wakeMember(ref) ?? null }, port: 0, auth: AUTH })
    : null;
  const sandbox = await startSandbox({
    auth: 'basic',
    aggregationMs: AGGREGATION_MS,
    ...(receiver ? { webhooks: { url: receiver.url, auth: AUTH, faults: 0.2, faultKinds: ['lost' as const] } } : {}),
  });
  const client = createMxClient({ baseUrl: sandbox.url, clientId: 'sandbox-client', apiKey: 'sandbox-key', auth: 'basic' });
  const store = createSqliteStore({ path: join(mkdtempSync(join(tmpdir(), 'mx-wh-')), 'job.sqlite') });
  runtime = createRuntime({
    store, client, concurrency: CUSTOMERS,
    options: { pollIntervalMs: withWebhooks ? WEBHOOK_POLL_INTERVAL_MS : 3_000, answerWindowMs: 0 },
  });
  const outcomes = new Map<string, string>();
  runtime.events.on('item.final', (event) => outcomes.set(event.itemId, event.state));
  try {
    await runtime.submit('cohort', customers());
    const started = Date.now();
    const result = await runtime.run('cohort');
    expect(result.halted).toBeNull();
    const truth = sandbox.state();
    return {
      outcomes,
      seconds: (Date.now() - started) / 1000,
      perMember: truth.stats.requests / CUSTOMERS,
      users: truth.users.map((u) => u.id),
      members: truth.members.map((m) => m.id),
      webhooks: truth.webhooks,
      received: receiver?.stats(),
    };
  } finally {
    await runtime.close();
    await client.close();
    await store.close();
    await sandbox.close();
    await receiver?.close();
  }
}

describe('webhooks instead of polling', () => {
  it('makes at most 0.6 as many requests per member, with a fifth of the webhooks lost, and changes no outcome', async () => {
    // One after the other: side by side, the two runs slow each other's polling down.
    const polled = await runJob(false);
    const told = await runJob(true);
    const ratio = told.perMember / polled.perMember;
    console.log(
      `40 customers, 15-s aggregations: polling every 3 s ${polled.perMember.toFixed(2)} requests/member in ${polled.seconds.toFixed(1)} s; ` +
        `webhooks (${told.webhooks?.faults.lost} of ${told.webhooks?.messages} lost) + 30-s fallback ${told.perMember.toFixed(2)} requests/member ` +
        `in ${told.seconds.toFixed(1)} s; ratio ${ratio.toFixed(2)}; receiver ${JSON.stringify(told.received)}`,
    );
    expect(told.webhooks?.faults.lost).toBeGreaterThan(0);
    expect(ratio).toBeLessThanOrEqual(0.6);
    expect(told.outcomes.size).toBe(CUSTOMERS);
    expect(Object.fromEntries(told.outcomes)).toEqual(Object.fromEntries(polled.outcomes));
    expect([...polled.outcomes.values()].filter((o) => o === 'needsAction')).toHaveLength(10);
    for (const run of [polled, told]) {
      expect(run.users.toSorted()).toEqual(customers().map((c) => c.id).toSorted());
      expect(run.members.toSorted()).toEqual(customers().map((c) => `${c.id}-m0`).toSorted());
    }
  }, 120_000);
});
