/**
 * The durability contract end to end: a 200-customer job in a child process, against a sandbox that
 * injects 10 % faults (applied-but-lost creates among them), killed with SIGKILL at 5 random moments
 * and restarted each time. Afterwards the sandbox's ground truth must hold exactly one user per
 * customer and one member per connection, every item must be final with a reason, and the SQLite
 * file must hold no API key, token or credential.
 */
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startSandbox } from '../../src/sandbox/index.js';
import type { CustomerInput } from '../../src/input/types.js';
import { readItems, startWorker, writeJsonl } from './fixtures/harness.js';
import { startRecordingProxy } from './fixtures/recordingProxy.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).toReversed()) await cleanup();
});

const PASSWORDS = ['password', 'password', 'password', 'challenge', 'options', 'slow', 'denied', 'locked', 'password', 'server_error'];

function mulberry32(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function customers(count: number, random: () => number): CustomerInput[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `crash-${i}`,
    email: `crash-${i}@example.com`,
    members: Array.from({ length: 1 + Math.floor(random() * 3) }, (_, j) => ({
      id: `crash-${i}-m${j}`,
      institution_code: 'mxbank',
      credentials: { username: 'mxuser', password: PASSWORDS[Math.floor(random() * PASSWORDS.length)]! },
    })),
  }));
}

async function crashRun(seed: number) {
  const random = mulberry32(seed);
  const apiKey = `crash-key-${seed}-${Math.floor(random() * 1e9).toString(36)}`;
  const sandbox = await startSandbox({ auth: 'token',
    clients: [{ id: 'crash-client', key: apiKey }],
    faults: 0.1,
    seed,
    aggregationMs: 200,
    slowMs: 600,
    challengeWindowMs: 30_000,
    timeoutFaultMs: 1_500,
  });
  cleanups.push(() => sandbox.close());
  const proxy = await startRecordingProxy(sandbox.url);
  cleanups.push(() => proxy.close());
  const dir = mkdtempSync(join(tmpdir(), `mx-crash-${seed}-`));
  const input = customers(200, random);
  const config = {
    baseUrl: proxy.url, clientId: 'crash-client', apiKey, auth: 'token' as const,
    storePath: join(dir, 'job.sqlite'), jobId: `crash-${seed}`, inputPath: join(dir, 'in.jsonl'),
    concurrency: 16, timeoutMs: 1_000,
    options: { pollIntervalMs: 100, baseDelayMs: 50, maxDelayMs: 400, maxAttempts: 12, maxPollMs: 60_000, answerWindowMs: 30_000 },
  };
  writeJsonl(config.inputPath, input);

  const kills: number[] = [];
  for (let k = 0; k < 5; k += 1) {
    const worker = startWorker(config);
    cleanups.push(() => worker.kill());
    // A moment after the worker has started working: tsx start-up takes about a second here. When
    // the workers before it already finished the job (fast machines do, within the five kills),
    // it has nothing to do: it prints its result and exits 0, and there is nothing left to kill.
    const first = await worker.waitFor((line) => 'item' in line || 'result' in line, 30_000).catch((error: unknown) => {
      if (worker.child.exitCode === 0) return null;
      throw error;
    });
    if (first === null || 'result' in first) {
      expect(await worker.exited).toBe(0);
      kills.push(-1);
      break;
    }
    const delay = 200 + Math.floor(random() * 1_500);
    const finished = await Promise.race([
      new Promise<'killed'>((resolve) => setTimeout(() => resolve('killed'), delay)),
      worker.exited.then(() => 'finished' as const),
    ]);
    await worker.kill();
    kills.push(finished === 'killed' ? delay : -1);
  }
  const last = startWorker(config);
  cleanups.push(() => last.kill());
  expect(await last.exited).toBe(0);
  return { sandbox, proxy, config, input, kills };
}

describe.each([11, 22, 33])('crash and resume, fault seed %i', (seed) => {
  it('ends with exactly one user per customer, one member per connection, every item final with a reason', async () => {
    const { sandbox, proxy, config, input, kills } = await crashRun(seed);
    const truth = await sandbox.state();

    const usersById = new Map<string, number>();
    for (const user of truth.users) usersById.set(user.id ?? '', (usersById.get(user.id ?? '') ?? 0) + 1);
    expect(truth.users).toHaveLength(input.length);
    for (const customer of input) expect(usersById.get(customer.id)).toBe(1);

    const guidOf = new Map(truth.users.map((u) => [u.id, u.guid]));
    const memberKeys = truth.members.map((m) => `${m.user_guid}/${m.id}`);
    const expected = input.flatMap((c) => c.members.map((m) => `${guidOf.get(c.id)}/${m.id}`));
    expect(memberKeys.toSorted()).toEqual(expected.toSorted());

    // Faults and crashes change nothing a customer would see: each one ends as its passwords say.
    const expectedState = (customer: CustomerInput) => {
      const passwords = customer.members.map((m) => m.credentials?.password);
      if (passwords.includes('server_error')) return 'failed';
      if (passwords.includes('denied') || passwords.includes('locked')) return 'needsAction';
      return 'done';
    };
    const items = readItems(config.storePath, config.jobId);
    const stateOf = new Map(items.map((item) => [item.id, item.state]));
    const wrong = input.filter((c) => stateOf.get(c.id) !== expectedState(c)).map((c) => `${c.id}: ${stateOf.get(c.id)} (expected ${expectedState(c)})`);
    expect(wrong).toEqual([]);
    expect(items).toHaveLength(input.length);
    const byState: Record<string, number> = {};
    for (const item of items) {
      byState[item.state] = (byState[item.state] ?? 0) + 1;
      expect(['done', 'needsAction', 'failed']).toContain(item.state);
      const outcome = JSON.parse(item.outcome ?? 'null') as { outcome: string; members: Array<{ outcome: string; reason: unknown; error: unknown; connectionStatus: unknown }>; error: unknown };
      expect(outcome?.outcome).toBe(item.state);
      if (item.state !== 'done') {
        const explained = outcome.error !== null || outcome.members.some((m) => m.reason !== null || m.error !== null || m.connectionStatus !== null);
        expect(explained, `${item.id} says why it is ${item.state}`).toBe(true);
      }
    }
    const faults = truth.stats.faultsInjected;
    console.log(
      `seed ${seed}: killed after ${kills.join(', ')} ms; ${truth.stats.requests} requests, ${faults} faults; ` +
        `items ${JSON.stringify(byState)}; users ${truth.users.length}, members ${truth.members.length}`,
    );
    expect(faults).toBeGreaterThan(0);

    const bytes = ['', '-wal', '-shm']
      .map((suffix) => `${config.storePath}${suffix}`)
      .filter((path) => existsSync(path))
      .map((path) => readFileSync(path).toString('latin1'))
      .join('\n');
    expect(proxy.seenSecrets.size).toBeGreaterThan(0);
    for (const secret of [config.apiKey, ...proxy.seenSecrets]) expect(bytes.includes(secret), 'a key or token in the store').toBe(false);
    // Credentials would show as the input's {username, password} or as the request's {guid, value} pairs.
    expect(bytes).not.toMatch(/"(password|username)"\s*:\s*"/);
    expect(bytes).not.toMatch(/"guid"\s*:\s*"CRD-[^"]*"\s*,\s*"value"/);
    expect(bytes.includes('mxuser')).toBe(false);
  }, 180_000);
});
