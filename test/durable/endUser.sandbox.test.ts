/**
 * End users on a real sandbox and a real webhook receiver: a widget connection whose end user makes a
 * member (a create without an external id, sent with the widget's X-Callback-Payload, which the sandbox
 * echoes in its MEMBER webhooks as MX does: docs.mx.com request-widget-url and resources/webhooks/member)
 * is adopted from the webhook and connects; one whose end user never clicks ends needsAction,
 * endUserAbandoned, after a short --end-user-wait; a credentials connection beside them is untouched.
 * Exactly one member per connected connection at the sandbox; no password in the store.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createMxClient } from '../../src/api/index.js';
import { createRuntime, encodeEndUserPayload, endUserTally, type Runtime } from '../../src/durable/index.js';
import { createSqliteStore } from '../../src/durable/store/index.js';
import type { CustomerInput } from '../../src/input/types.js';
import { startSandbox } from '../../src/sandbox/index.js';
import { createWebhookReceiver } from '../../src/webhooks/index.js';
import { endUserCountsOf, endUserLine } from '../../src/cli/ui/endUserCounts.js';
import { createLifecycleMetrics } from '../../src/observe/metrics.js';
import { trackProgress } from '../../src/cli/ui/progress.js';
import { progressLine } from '../../src/cli/ui/progressView.js';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';

const AUTH = 'mx:end-user-test';
const PASSWORD = 'Unusual-Pw-4417';
const JOB = 'end-users';
const SANDBOX_AUTH = `Basic ${Buffer.from('sandbox-client:sandbox-key').toString('base64')}`;

describe('end users on the sandbox', () => {
  it('adopts the member a widget end user makes from its webhook, and abandons the one never made', async () => {
    let runtime: Runtime | undefined;
    const receiver = await createWebhookReceiver({ target: { wakeMember: (ref) => runtime?.wakeMember(ref) ?? null }, port: 0, auth: AUTH });
    const sandbox = await startSandbox({ auth: 'basic', aggregationMs: 300, webhooks: { url: receiver.url, auth: AUTH } });
    const client = createMxClient({ baseUrl: sandbox.url, clientId: 'sandbox-client', apiKey: 'sandbox-key', auth: 'basic' });
    const path = join(mkdtempSync(join(tmpdir(), 'mx-end-user-')), 'job.sqlite');
    const store = createSqliteStore({ path });
    // The fallback listing comes after the deadline here, so only the webhook can connect the widget.
    runtime = createRuntime({ store, client, concurrency: 8, options: { pollIntervalMs: 500, endUserPollMs: 60_000, endUserWaitMs: 6_000 } });
    const customers: CustomerInput[] = [
      { id: 'w1', members: [{ id: 'w1-widget', connect: 'widget' }] },
      { id: 'w2', members: [{ id: 'w2-widget', connect: 'widget', institution_code: 'mxbank' }] },
      { id: 'c1', members: [{ id: 'c1-bank', institution_code: 'mxbank', credentials: { username: 'mxuser', password: PASSWORD } }] },
    ];
    try {
      await runtime.submit(JOB, customers);
      const tracker = trackProgress(runtime.events, client, await store.counts(JOB));
      const run = runtime.run(JOB);
      // Both widget connections wait for their end users, and the progress line says so.
      while (tracker.figures().waitingOnEndUsers !== 2) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(progressLine(tracker.figures())).toContain('waiting on end users 2');
      await store.recordEndUserEvent(JOB, 'w1', 'w1-widget', 'invited');
      await store.recordEndUserEvent(JOB, 'w2', 'w2-widget', 'invited');
      // The end user of w1 opens the widget and connects MX Bank: the widget's own create, no external id.
      let user: { guid: string } | undefined;
      while (!(user = sandbox.state().users.find((u) => u.id === 'w1'))) await new Promise((resolve) => setTimeout(resolve, 20));
      await store.recordEndUserEvent(JOB, 'w1', 'w1-widget', 'opened');
      const fields = (await client.listInstitutionCredentials('mxbank'))._unsafeUnwrap();
      const payload = encodeEndUserPayload({ jobId: JOB, customerId: 'w1', connectionId: 'w1-widget' })!;
      const made = await fetch(`${sandbox.url}/users/${user.guid}/members`, {
        method: 'POST',
        headers: { authorization: SANDBOX_AUTH, 'content-type': 'application/json', accept: 'application/json', 'accept-version': 'v20250224', 'x-callback-payload': payload },
        body: JSON.stringify({ member: { institution_code: 'mxbank', credentials: fields.map((f) => ({ guid: f.guid, value: f.field_name === 'username' || /user|login/i.test(f.field_name ?? '') ? 'mxuser' : PASSWORD })) } }),
      });
      expect(made.status).toBeLessThan(300);

      const result = await run;
      expect(tracker.figures().waitingOnEndUsers).toBeUndefined();
      tracker.dispose();
      expect(result.halted).toBeNull();
      const outcome = async (id: string) => (await store.getItem(JOB, id))?.outcome as { outcome: string; members: { reason: string | null; connect?: string }[] };
      expect((await outcome('w1')).outcome).toBe('done');
      expect((await outcome('w2')).outcome).toBe('needsAction');
      expect((await outcome('w2')).members[0]).toMatchObject({ reason: 'endUserAbandoned', connect: 'widget' });
      expect((await outcome('c1')).outcome).toBe('done');

      const members = sandbox.state().members;
      expect(members.map((m) => m.id).toSorted()).toEqual(['c1-bank', 'w1-widget']);
      expect(receiver.stats().woke).toBeGreaterThan(0);
      expect(await endUserTally(store, JOB)).toEqual({ connections: 2, invited: 2, opened: 1, connected: 1, abandoned: 1, waiting: 0 });
      // The same counts on /metrics and in status's line.
      const metrics = createLifecycleMetrics();
      metrics.observeEndUser(() => endUserCountsOf(store, JOB));
      const family = (parsePrometheusTextFormat(await metrics.text()) as { name: string; metrics: { labels: { count: string }; value: string }[] }[])
        .find((f) => f.name === 'mx_lifecycle_end_user_connections');
      expect(Object.fromEntries(family!.metrics.map((m) => [m.labels.count, Number(m.value)]))).toEqual({ invited: 2, opened: 1, connected: 1, abandoned: 1, waiting: 0 });
      expect(endUserLine((await endUserCountsOf(store, JOB))!)).toBe('  2 end-user connections: 2 invited, 1 opened, 1 connected, 1 abandoned; 0 waiting for their end user');
    } finally {
      await runtime.close();
      await client.close();
      await store.close();
      await sandbox.close();
      await receiver.close();
    }
    const bytes = readFileSync(path).toString('latin1');
    expect(bytes).not.toContain(PASSWORD);
  }, 60_000);
});
