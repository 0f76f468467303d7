/**
 * A webhook only wakes a wait: the member reads its status itself before it acts, so a forged,
 * repeated or overtaken delivery cannot change an outcome. MX's own advice is the same: "Don't
 * rely on webhooks ... reading the status from our API" (docs.mx.com/resources/webhooks).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createMxClient } from '../../src/api/index.js';
import { createRuntime, type Runtime, type RuntimeOptions } from '../../src/durable/index.js';
import { createSqliteStore } from '../../src/durable/store/index.js';
import type { CustomerInput } from '../../src/input/types.js';
import { startSandbox, type SandboxOptions } from '../../src/sandbox/index.js';
import { createWebhookReceiver, type WebhookReceiver } from '../../src/webhooks/index.js';

const AUTH = 'mx:wake-test-password';
const basic = (auth: string) => `Basic ${Buffer.from(auth).toString('base64')}`;
const customer = (id: string, password: string): CustomerInput => ({
  id, email: `${id}@example.com`, members: [{ id: `${id}-m0`, institution_code: 'mxbank', credentials: { username: 'mxuser', password } }],
});

async function setup(sandboxOptions: (receiver: WebhookReceiver) => Partial<SandboxOptions>, options: RuntimeOptions['options'], extra: Partial<RuntimeOptions> = {}) {
  let runtime: Runtime | undefined;
  const receiver = await createWebhookReceiver({ target: { wakeMember: (ref) => runtime?.wakeMember(ref) ?? null }, port: 0, auth: AUTH });
  const sandbox = await startSandbox({ auth: 'basic', ...sandboxOptions(receiver) });
  const client = createMxClient({ baseUrl: sandbox.url, clientId: 'sandbox-client', apiKey: 'sandbox-key', auth: 'basic' });
  const store = createSqliteStore({ path: join(mkdtempSync(join(tmpdir(), 'mx-wake-')), 'job.sqlite') });
  runtime = createRuntime({ store, client, concurrency: 16, options, ...extra });
  const outcomes = new Map<string, string>();
  runtime.events.on('item.final', (event) => outcomes.set(event.itemId, event.state));
  const close = async () => {
    await runtime?.close();
    await client.close();
    await store.close();
    await sandbox.close();
    await receiver.close();
  };
  return { runtime, receiver, sandbox, outcomes, close };
}

const post = (url: string, auth: string, body: unknown) =>
  fetch(url, { method: 'POST', headers: { authorization: basic(auth), 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('what a webhook can and cannot do', () => {
  it('a forged webhook (wrong auth) is refused, and one that lies with the right auth costs one status read and changes nothing', async () => {
    const { runtime, receiver, sandbox, outcomes, close } = await setup(() => ({ aggregationMs: 2_500 }), { pollIntervalMs: 4_000, answerWindowMs: 0 });
    try {
      await runtime.submit('forged', [customer('ok', 'password'), customer('denied', 'denied')]);
      const run = runtime.run('forged');
      // Both members created and their first status read done: each now waits 4 s for the next.
      while (sandbox.state().members.length < 2) await new Promise((resolve) => setTimeout(resolve, 20));
      await new Promise((resolve) => setTimeout(resolve, 400));
      const guidOf = (id: string) => sandbox.state().members.find((m) => m.id === id)!.guid;
      const requestsBefore = sandbox.state().stats.requests;

      const forged = await post(receiver.url, 'mx:guessed-password', {
        action: 'CHANGED', connection_status: 'LOCKED', connection_status_id: 5, member_guid: guidOf('ok-m0'), type: 'CONNECTION_STATUS',
      });
      expect(forged.status).toBe(401);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(sandbox.state().stats.requests).toBe(requestsBefore);

      // Right credentials, false news: both members are still aggregating at MX.
      await post(receiver.url, AUTH, {
        action: 'CHANGED', connection_status: 'LOCKED', connection_status_id: 5, member_guid: guidOf('ok-m0'), type: 'CONNECTION_STATUS',
      });
      await post(receiver.url, AUTH, {
        action: 'updated', type: 'MEMBER',
        member: { guid: guidOf('denied-m0'), id: 'denied-m0', connection_status: 'CONNECTED', is_being_aggregated: false, aggregated_at: Math.floor(Date.now() / 1000) },
      });
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(sandbox.state().stats.requests).toBe(requestsBefore + 2);
      expect(receiver.stats()).toMatchObject({ unauthorized: 1, woke: 2 });

      await run;
      expect(Object.fromEntries(outcomes)).toEqual({ ok: 'done', denied: 'needsAction' });
      const truth = sandbox.state();
      expect(truth.users).toHaveLength(2);
      expect(truth.members.map((m) => [m.id, m.connection_status]).toSorted()).toEqual([['denied-m0', 'DENIED'], ['ok-m0', 'CONNECTED']]);
    } finally {
      await close();
    }
  }, 30_000);

  it('duplicated, delayed and reordered deliveries change no outcome, MFA included', async () => {
    const passwords = ['password', 'denied', 'challenge', 'locked', 'password', 'options'];
    const expected: Record<string, string> = { password: 'done', denied: 'needsAction', challenge: 'done', locked: 'needsAction', options: 'done' };
    const { runtime, receiver, sandbox, outcomes, close } = await setup(
      (r) => ({ aggregationMs: 1_500, seed: 7, webhooks: { url: r.url, auth: AUTH, faults: 1, faultKinds: ['duplicate', 'reorder', 'delay'] } }),
      { pollIntervalMs: 60_000, answerWindowMs: 10_000 },
      { answerChallenge: ({ challenges }) => Object.fromEntries(challenges.map((c) => [c.guid, 'correct'])) },
    );
    try {
      const list = passwords.map((p, i) => customer(`c${i}-${p}`, p));
      await runtime.submit('shuffled', list);
      const result = await runtime.run('shuffled');
      expect(result.halted).toBeNull();
      expect(Object.fromEntries(outcomes)).toEqual(Object.fromEntries(list.map((c, i) => [c.id, expected[passwords[i]!]])));
      const truth = sandbox.state();
      expect(truth.users.map((u) => u.id).toSorted()).toEqual(list.map((c) => c.id).toSorted());
      expect(truth.members).toHaveLength(list.length);
      const faults = truth.webhooks!.faults;
      expect(faults.duplicate + faults.reorder + faults.delay).toBe(truth.webhooks!.messages);
      const stats = receiver.stats();
      expect(stats.duplicate).toBeGreaterThan(0);
      expect(stats.stale + stats.noted).toBeGreaterThan(0);
      // Every member finished on a webhook: none waited for its 60-s fallback poll.
      expect(stats.woke).toBeGreaterThanOrEqual(list.length);
    } finally {
      await close();
    }
  }, 60_000);
});
