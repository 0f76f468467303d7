import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMxClient } from '../../src/api/index.js';
import { createRuntime } from '../../src/durable/runtime.js';
import { createSqliteStore } from '../../src/durable/store/index.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import type { CustomerInput } from '../../src/input/types.js';

const fast = { pollIntervalMs: 100, baseDelayMs: 50, maxDelayMs: 500, answerWindowMs: 2_000 };
const customer = (id: string, ...passwords: string[]): CustomerInput => ({
  id,
  email: `${id}@example.com`,
  members: passwords.map((password, i) => ({
    id: `${id}-m${i}`,
    institution_code: 'mxbank',
    credentials: { username: 'mxuser', password },
  })),
});

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ auth: 'token', aggregationMs: 100, challengeWindowMs: 5_000 });
});
afterAll(async () => {
  await sandbox.close();
});

describe('runtime', () => {
  it('onboards a small job into a SQLite file and reports every item final with its reason', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mx-rt-'));
    const store = createSqliteStore({ path: join(dir, 'job.sqlite') });
    const client = createMxClient({ baseUrl: sandbox.url, clientId: 'sandbox-client', apiKey: 'sandbox-key', auth: 'token' });
    const runtime = createRuntime({
      store,
      client,
      concurrency: 4,
      options: fast,
      answerChallenge: ({ challenges }) => Object.fromEntries(challenges.map((c) => [c.guid, c.options[0]?.value ?? 'correct'])),
    });
    const finals: string[] = [];
    runtime.events.on('item.final', (event) => finals.push(`${event.itemId}:${event.state}`));
    await runtime.submit('j1', [
      customer('ok-1', 'password'),
      customer('ok-2', 'password', 'challenge'),
      customer('denied-1', 'denied'),
      customer('fail-1', 'server_error'),
      customer('none-1'),
    ]);
    const again = await runtime.submit('j1', [customer('ok-1', 'password')]);
    expect(again.added).toBe(0);
    const result = await runtime.run('j1');
    expect(result.halted).toBeNull();
    expect(result.counts).toMatchObject({ done: 3, needsAction: 1, failed: 1, pending: 0, active: 0 });
    expect(finals.toSorted()).toEqual(['denied-1:needsAction', 'fail-1:failed', 'none-1:done', 'ok-1:done', 'ok-2:done']);
    const status = await runtime.status('j1');
    expect(status.needsAction.map((i) => i.id)).toEqual(['denied-1']);
    const truth = await sandbox.state();
    expect(truth.users).toHaveLength(5);
    expect(truth.members).toHaveLength(5);
    await runtime.close();
    await client.close();
    await store.close();
  });

  it('halts a job once on a wrong API key, and finishes it when run again with the right key', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mx-rt-'));
    const store = createSqliteStore({ path: join(dir, 'halt.sqlite') });
    const customers = Array.from({ length: 30 }, (_, i) => customer(`halt-${i}`, 'password'));
    const wrong = createMxClient({ baseUrl: sandbox.url, clientId: 'sandbox-client', apiKey: 'not-the-key', auth: 'token' });
    const first = createRuntime({ store, client: wrong, concurrency: 8, options: fast });
    const halts: string[] = [];
    const finals: string[] = [];
    first.events.on('job.halted', (event) => halts.push(event.error.kind));
    first.events.on('item.final', (event) => finals.push(event.itemId));
    await first.submit('halt', customers);
    const halted = await first.run('halt');
    expect(halted.halted?.kind).toBe('unauthorized');
    expect(halts).toEqual(['unauthorized']);
    expect(finals).toEqual([]);
    expect(halted.counts.failed).toBe(0);
    expect((await first.status('halt')).job?.halt?.kind).toBe('unauthorized');
    await first.close();
    await wrong.close();

    const right = createMxClient({ baseUrl: sandbox.url, clientId: 'sandbox-client', apiKey: 'sandbox-key', auth: 'token' });
    const restored = (await store.listItems('halt')).filter((item) => item.snapshot !== null).map((item) => item.id);
    expect(restored.length).toBeGreaterThan(0);
    const inspected = new Set<string>();
    let leaked = false;
    let actors = 0;
    const second = createRuntime({
      store,
      client: right,
      concurrency: 8,
      options: fast,
      inspect: (event) => {
        if (event.type === '@xstate.actor') actors += 1;
        const id = event.type === '@xstate.snapshot' ? (event.snapshot as { context?: { externalId?: string } }).context?.externalId : undefined;
        if (id && /^halt-\d+$/.test(id)) inspected.add(id);
        if (event.type === '@xstate.event' && JSON.stringify(event.event).includes('sandbox-key')) leaked = true;
      },
    });
    await second.submit('halt', customers);
    const finished = await second.run('halt');
    expect(finished.halted).toBeNull();
    expect(finished.counts.done).toBe(30);
    expect((await second.status('halt')).job?.halt).toBeNull();
    // The inspector reaches restored items as well as fresh ones.
    for (const id of restored) expect(inspected.has(id), `inspector saw restored ${id}`).toBe(true);
    expect(inspected.size).toBe(30);
    expect(actors).toBeGreaterThanOrEqual(60);
    expect(leaked).toBe(false);
    const users = (await sandbox.state()).users.filter((u) => u.id?.startsWith('halt-'));
    expect(users).toHaveLength(30);
    await second.close();
    await right.close();
    await store.close();
  });

  it('tells when a member waits for an MFA answer, and takes answers by field name from outside', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mx-rt-'));
    const store = createSqliteStore({ path: join(dir, 'mfa.sqlite') });
    const client = createMxClient({ baseUrl: sandbox.url, clientId: 'sandbox-client', apiKey: 'sandbox-key', auth: 'token' });
    const runtime = createRuntime({ store, client, concurrency: 2, options: fast });
    const asked: string[] = [];
    runtime.events.on('item.challenged', (event) => {
      asked.push(`${event.itemId}/${event.memberId}: ${event.challenges.map((c) => c.fieldName ?? c.label).join(',')}`);
      // A person answers by the question's field name, not its guid.
      setTimeout(() => void runtime.answer('mfa', event.itemId, event.memberId, { city: 'correct' }), 50);
    });
    await runtime.submit('mfa', [customer('asked-1', 'challenge')]);
    const result = await runtime.run('mfa');
    expect(asked).toEqual(['asked-1/asked-1-m0: city']);
    expect(result.counts.done).toBe(1);
    await runtime.close();
    await client.close();
    await store.close();
  });
});

describe('slots', () => {
  it('gives the slot of a customer waiting to poll to the next customer, on a real sandbox and SQLite file', async () => {
    // Aggregation takes 1.5 s, so a member waits out several poll intervals before it is CONNECTED.
    const slow = await startSandbox({ aggregationMs: 1_500 });
    const dir = mkdtempSync(join(tmpdir(), 'mx-rt-slots-'));
    const store = createSqliteStore({ path: join(dir, 'job.sqlite') });
    const client = createMxClient({ baseUrl: slow.url, clientId: 'sandbox-client', apiKey: 'sandbox-key' });
    const runtime = createRuntime({ store, client, concurrency: 1, options: { ...fast, pollIntervalMs: 400 } });
    const seen: string[] = [];
    runtime.events.on('item.transition', (event) => {
      if (!seen.includes(`start ${event.itemId}`)) seen.push(`start ${event.itemId}`);
    });
    runtime.events.on('item.final', (event) => seen.push(`final ${event.itemId}`));
    try {
      await runtime.submit('slots', [customer('a', 'password'), customer('b', 'password'), customer('c', 'password')]);
      const result = await runtime.run('slots');
      expect(result.halted).toBeNull();
      expect(result.counts).toMatchObject({ done: 3 });
      // With one slot held for the whole of each customer, b could only start after a was final.
      expect(seen.indexOf('start b')).toBeLessThan(seen.indexOf('final a'));
      expect(seen.indexOf('start c')).toBeLessThan(seen.indexOf('final a'));
      const truth = await slow.state();
      expect(truth.users).toHaveLength(3);
    } finally {
      await runtime.close();
      await client.close();
      await store.close();
      await slow.close();
    }
  });
});
