/**
 * A webhook can only shorten a wait. A wake-up reads the member's status at once but spends none of
 * the poll budget (that budget counts the reads the member chose to make); an `aggregated_at` far
 * in the future cannot make the genuine deliveries after it "out of date"; and the ledger that
 * tells news from repeats is bounded, refusing a member guid longer than any of MX's with 400.
 * MX's advice is the same: "Don't rely on webhooks ... reading the status from our API"
 * (docs.mx.com/resources/webhooks); MEMBER webhooks carry `aggregated_at` as Unix seconds
 * (docs.mx.com/resources/webhooks/member); member guids are `MBR-` and a UUID, 40 characters
 * (MX Platform API spec v20250224, components.schemas.MemberResponse.guid example).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createMxClient } from '../../src/api/index.js';
import { createRuntime, type Runtime, type RuntimeOptions } from '../../src/durable/index.js';
import { createSqliteStore } from '../../src/durable/store/index.js';
import { startSandbox, type SandboxOptions } from '../../src/sandbox/index.js';
import {
  createDeliveryLedger, createWebhookReceiver, MAX_MEMBER_GUID_CHARS, type Delivery, type DeliveryOutcome, type WebhookReceiver,
} from '../../src/webhooks/index.js';

const AUTH = 'mx:shorten-only-password';
const basic = (auth: string) => `Basic ${Buffer.from(auth).toString('base64')}`;
const post = (url: string, body: unknown) =>
  fetch(url, { method: 'POST', headers: { authorization: basic(AUTH), 'content-type': 'application/json' }, body: JSON.stringify(body) });
const until = async (condition: () => boolean, what: string, ms = 20_000) => {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

async function setup(sandboxOptions: (receiver: WebhookReceiver) => Partial<SandboxOptions>, options: RuntimeOptions['options']) {
  let runtime: Runtime | undefined;
  const outcomes: DeliveryOutcome[] = [];
  const receiver = await createWebhookReceiver({
    target: { wakeMember: (ref) => runtime?.wakeMember(ref) ?? null }, port: 0, auth: AUTH, onDelivery: (outcome) => outcomes.push(outcome),
  });
  const sandbox = await startSandbox({ auth: 'basic', ...sandboxOptions(receiver) });
  const client = createMxClient({ baseUrl: sandbox.url, clientId: 'sandbox-client', apiKey: 'sandbox-key', auth: 'basic' });
  const store = createSqliteStore({ path: join(mkdtempSync(join(tmpdir(), 'mx-shorten-')), 'job.sqlite') });
  runtime = createRuntime({ store, client, concurrency: 4, options });
  const finals = new Map<string, unknown>();
  runtime.events.on('item.final', (event) => finals.set(event.itemId, event.state));
  await runtime.submit('job', [{
    id: 'ok', email: 'ok@example.com', members: [{ id: 'ok-m0', institution_code: 'mxbank', credentials: { username: 'mxuser', password: 'password' } }],
  }]);
  const close = async () => {
    await runtime?.close();
    await client.close();
    await store.close();
    await sandbox.close();
    await receiver.close();
  };
  return { runtime, receiver, sandbox, outcomes, finals, close };
}

describe('a webhook can only shorten a wait', () => {
  it('25 authenticated wake-ups with rising aggregated_at spend none of the poll budget: the member still connects', async () => {
    // Budget: 8 s / 1 s = 8 reads; the aggregation takes 6 s. Before, each wake-up spent one read.
    const { runtime, receiver, sandbox, outcomes, finals, close } = await setup(() => ({ aggregationMs: 6_000 }), {
      pollIntervalMs: 1_000, maxPollMs: 8_000, answerWindowMs: 0,
    });
    try {
      const run = runtime.run('job');
      await until(() => sandbox.state().members.length === 1, 'member created');
      const guid = sandbox.state().members[0]!.guid;
      const start = Math.floor(Date.now() / 1000);
      for (let i = 0; i < 25; i += 1) {
        const reads = sandbox.state().stats.requests;
        const answered = await post(receiver.url, {
          action: 'updated', type: 'MEMBER',
          member: { guid, id: 'ok-m0', connection_status: 'CONNECTED', is_being_aggregated: false, aggregated_at: start + i },
        });
        expect(answered.status).toBe(204);
        await until(() => outcomes.length === i + 1, `delivery ${i} judged`);
        expect(outcomes[i]).toBe('woke');
        // The status read it asked for (the member is still aggregating at MX).
        await until(() => sandbox.state().stats.requests > reads, `read after wake-up ${i}`);
        if (finals.size > 0) break;
      }
      await run;
      expect(Object.fromEntries(finals)).toEqual({ ok: 'done' });
      expect(sandbox.state().members[0]?.connection_status).toBe('CONNECTED');
    } finally {
      await close();
    }
  }, 60_000);

  it('one delivery with aggregated_at in 2100 does not make the genuine webhooks of that member out of date', async () => {
    // With a 60-s fallback poll, only a genuine webhook that wakes the member ends it early.
    const { runtime, receiver, sandbox, outcomes, finals, close } = await setup(
      (r) => ({ aggregationMs: 3_000, webhooks: { url: r.url, auth: AUTH, faults: 0 } }),
      { pollIntervalMs: 60_000, answerWindowMs: 0 },
    );
    try {
      const run = runtime.run('job');
      await until(() => sandbox.state().members.length === 1, 'member created');
      const guid = sandbox.state().members[0]!.guid;
      const year2100 = Date.UTC(2100, 0, 1) / 1000;
      await post(receiver.url, {
        action: 'updated', type: 'MEMBER',
        member: { guid, id: 'ok-m0', connection_status: 'CREATED', is_being_aggregated: true, aggregated_at: year2100 },
      });
      await run;
      expect(Object.fromEntries(finals)).toEqual({ ok: 'done' });
      // The genuine end of aggregation woke the member; nothing was judged out of date.
      expect(outcomes).toContain('woke');
      expect(receiver.stats().stale).toBe(0);
    } finally {
      await close();
    }
  }, 45_000);

  it(`refuses a member guid longer than ${MAX_MEMBER_GUID_CHARS} characters with 400 and keeps nothing of it`, async () => {
    const receiver = await createWebhookReceiver({ target: { wakeMember: () => null }, port: 0, auth: AUTH });
    try {
      const mx = 'MBR-7c6f361b-e582-15b6-60c0-358f12466b4b';
      expect((await post(receiver.url, { type: 'CONNECTION_STATUS', action: 'CHANGED', member_guid: mx, connection_status: 'DENIED' })).status).toBe(204);
      const long = `MBR-${'x'.repeat(MAX_MEMBER_GUID_CHARS - 3)}`;
      expect((await post(receiver.url, { type: 'CONNECTION_STATUS', action: 'CHANGED', member_guid: long, connection_status: 'DENIED' })).status).toBe(400);
      // 900 KB guids (under the 1 MB body limit): each refused, none held.
      const huge = `MBR-${'y'.repeat(900 * 1024)}`;
      for (let i = 0; i < 20; i += 1) {
        const answered = await post(receiver.url, { action: 'updated', type: 'MEMBER', member: { guid: `${huge}${i}`, is_being_aggregated: false, aggregated_at: i } });
        expect(answered.status).toBe(400);
      }
      expect(receiver.stats()).toMatchObject({ invalid: 21, unknownMember: 1 });
    } finally {
      await receiver.close();
    }
  });

  it('bounds the ledger in entries and in bytes, forgetting the least recently heard of first', () => {
    const delivery = (memberId: string, aggregatedAt: number): Delivery => ({
      type: 'MEMBER', action: 'updated', memberGuid: null, memberId, status: 'CONNECTED', isBeingAggregated: false, aggregatedAt,
      origin: { job: 'job', customer: memberId },
    });
    const byEntries = createDeliveryLedger({ maxEntries: 100 });
    for (let i = 0; i < 1_000; i += 1) byEntries.judge(delivery(`m-${i}`, 1_760_000_000_000));
    expect(byEntries.size()).toBe(100);

    // Long external ids: kept as a digest, and the whole ledger within its bytes.
    const byBytes = createDeliveryLedger({ maxBytes: 256 * 1024 });
    const longId = 'i'.repeat(2_000);
    for (let i = 0; i < 2_000; i += 1) byBytes.judge(delivery(`${longId}${i}`, 1_760_000_000_000));
    expect(byBytes.bytes()).toBeLessThanOrEqual(256 * 1024);
    expect(byBytes.size()).toBeGreaterThan(100);
    // The most recent member is remembered: its repeat is a duplicate.
    expect(byBytes.judge(delivery(`${longId}1999`, 1_760_000_000_000))).toBe('duplicate');
  });

  it('ignores an aggregated_at more than five minutes ahead of its clock, and takes one within it', () => {
    const now = 1_760_000_000_000;
    const ledger = createDeliveryLedger({ now: () => now });
    const at = (memberGuid: string, aggregatedAt: number, settled: boolean): Delivery => ({
      type: 'MEMBER', action: 'updated', memberGuid, memberId: null, status: settled ? 'CONNECTED' : 'CREATED', isBeingAggregated: !settled,
      aggregatedAt, origin: null,
    });
    expect(ledger.judge(at('MBR-a', now + 3_600_000, true))).toBe('news');
    expect(ledger.judge(at('MBR-a', now, true))).toBe('news');
    expect(ledger.judge(at('MBR-b', now + 60_000, true))).toBe('news');
    expect(ledger.judge(at('MBR-b', now, true))).toBe('stale');
  });
});
