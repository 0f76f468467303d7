/**
 * An operator's pause, through the library: the pause is the job's record, so a store handle that
 * is not the runtime's pauses it; the run finishes the requests in flight, then sends nothing (the
 * sandbox's own count stands still) while its customers stay live, and durable waits that fall due
 * meanwhile end after the resume. A run started on a paused job takes no step at all.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMxClient } from '../../src/api/index.js';
import { createRuntime, type RuntimeEventMap } from '../../src/durable/runtime.js';
import { createSqliteStore } from '../../src/durable/store/index.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';

let sandbox: Sandbox;
const dirs: string[] = [];
beforeAll(async () => {
  // Aggregation takes a while, so members sit in their polling waits when the pause comes.
  sandbox = await startSandbox({ aggregationMs: 1_500, latencyMs: 80 });
});
afterAll(async () => {
  await sandbox.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const storePath = () => {
  const dir = mkdtempSync(join(tmpdir(), 'mx-pause-'));
  dirs.push(dir);
  return join(dir, 'job.sqlite');
};
const customers = (prefix: string, n: number) =>
  Array.from({ length: n }, (_, i) => ({
    id: `${prefix}-${i + 1}`,
    members: [{ id: `${prefix}-${i + 1}-m0`, institution_code: 'mxbank', credentials: { username: 'mxuser', password: 'password' } }],
  }));
const requests = () => sandbox.state().stats.requests;
const until = async (check: () => boolean | Promise<boolean>, what: string, ms = 30_000) => {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
};
const atMx = (prefix: string) => ({
  users: sandbox.state().users.filter((u) => u.id?.startsWith(`${prefix}-`)).map((u) => u.id).toSorted(),
  members: sandbox.state().members.filter((m) => m.id?.startsWith(`${prefix}-`)).map((m) => m.id).toSorted(),
});

function setUp(path: string) {
  const store = createSqliteStore({ path });
  const client = createMxClient({ baseUrl: sandbox.url, clientId: 'sandbox-client', apiKey: 'sandbox-key', rate: { perSecond: 8 } });
  const runtime = createRuntime({ store, client, concurrency: 4, options: { pollIntervalMs: 300 } });
  const pauses: RuntimeEventMap['job.pause.changed'][] = [];
  runtime.events.on('job.pause.changed', (event) => pauses.push(event));
  const close = async () => {
    await runtime.close();
    await client.close();
    await store.close();
  };
  return { store, runtime, pauses, close };
}

describe('pause and resume a running job', () => {
  it('sends nothing while paused from another store handle, keeps its customers live, and finishes after the resume with each customer once', async () => {
    const path = storePath();
    const { store, runtime, pauses, close } = setUp(path);
    const operator = createSqliteStore({ path });
    try {
      await runtime.submit('held', customers('held', 8));
      const run = runtime.run('held');
      await until(() => atMx('held').members.length >= 2, 'members created');

      const pausedAt = (await operator.setPaused('held', true)).pausedAt;
      await until(() => pauses.some((p) => p.state === 'paused'), 'the run says paused');
      const atPause = requests();
      const live = runtime.held().liveItems;
      expect(live).toBeGreaterThan(0);
      // Wait past every durable wait the store holds, so each one falls due while paused.
      const due = (await store.listItems('held')).map((item) => item.dueAt).filter((at): at is number => at !== null);
      expect(due.length).toBeGreaterThan(0);
      const waitUntil = Math.max(...due, Date.now() + 3_000) + 300;
      await until(() => Date.now() >= waitUntil, 'the waits fall due', 60_000);
      expect(requests()).toBe(atPause);
      expect(runtime.held().liveItems).toBe(live);

      const resumedAt = Date.now();
      await operator.setPaused('held', false);
      const result = await run;
      expect(result.counts).toMatchObject({ done: 8, pending: 0, active: 0 });
      expect(requests()).toBeGreaterThan(atPause);
      expect(atMx('held')).toEqual({ users: customers('held', 8).map((c) => c.id).toSorted(), members: customers('held', 8).map((c) => `${c.id}-m0`).toSorted() });
      expect(pauses.map((p) => p.state).filter((s) => s !== 'pausing')).toEqual(['paused', 'running']);
      expect(pauses.every((p) => p.jobId === 'held')).toBe(true);
      expect(pauses.find((p) => p.state === 'paused')?.pausedAt).toBe(pausedAt);
      process.stdout.write(`pause: ${live} customers held live for ${resumedAt - (pausedAt ?? 0)} ms with the sandbox's count at ${atPause}\n`);
    } finally {
      await operator.close();
      await close();
    }
  }, 90_000);

  it('a run started on a paused job takes no step, and goes on after runtime.resume', async () => {
    const { store, runtime, pauses, close } = setUp(storePath());
    try {
      await runtime.submit('early', customers('early', 3));
      await runtime.pause('early');
      const before = requests();
      const run = runtime.run('early');
      await until(() => pauses.some((p) => p.state === 'paused'), 'the run says paused');
      // Several job checks and claim sweeps go by (each is 1 s): none of them may claim or send.
      const checks = Date.now() + 2_500;
      await until(() => Date.now() >= checks, 'job checks');
      expect(requests()).toBe(before);
      expect(await store.counts('early')).toMatchObject({ pending: 3, active: 0 });
      expect((await runtime.status('early')).job?.pausedAt).toEqual(expect.any(Number));
      await runtime.resume('early');
      expect((await run).counts).toMatchObject({ done: 3 });
      expect(atMx('early').users).toHaveLength(3);
    } finally {
      await close();
    }
  }, 60_000);

  it('a stop while paused ends the run at once, its customers written and not final', async () => {
    const { runtime, pauses, close } = setUp(storePath());
    try {
      await runtime.submit('stop', customers('stop', 4));
      const abort = new AbortController();
      const run = runtime.run('stop', { signal: abort.signal });
      await until(() => atMx('stop').users.length >= 1, 'users created');
      await runtime.pause('stop');
      await until(() => pauses.some((p) => p.state === 'paused'), 'the run says paused');
      abort.abort();
      const result = await run;
      expect(result.counts.done).toBeLessThan(4);
      expect(result.counts.pending + result.counts.active).toBeGreaterThan(0);
    } finally {
      await close();
    }
  }, 60_000);
});
