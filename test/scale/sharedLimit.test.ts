/**
 * The Redis-shared limit between processes: at a rate whose spacing is not a whole number of
 * milliseconds (what `--rate 100` gives: 10.1 ms with the pacer's margin; Redis keeps whole
 * milliseconds, and a fraction once made every clustered request wait for ever), and across the
 * death of a process in the middle of the pause a 429 started.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { createMxClient, type ObservableMxClient } from '../../src/api/index.js';
import { clusterId } from '../../src/http/cluster.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { REDIS_URL, REPO, TSX, uniqueName } from './workers.js';

let sandbox: Sandbox | undefined;
const clients: ObservableMxClient[] = [];
let cleanup: string | null = null;
let child: ChildProcess | null = null;

afterEach(async () => {
  child?.kill('SIGKILL');
  child = null;
  await Promise.all(clients.map((c) => c.close()));
  clients.length = 0;
  await sandbox?.close();
  sandbox = undefined;
  if (cleanup) {
    const redis = new Redis(REDIS_URL);
    try {
      const keys = await redis.keys(`b_${cleanup}*`);
      if (keys.length > 0) await redis.del(...keys);
    } finally {
      redis.disconnect();
    }
    cleanup = null;
  }
});

async function until(check: () => Promise<boolean>, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not reached within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('a limit shared through Redis', () => {
  it('lets two clients send together at 100/s, a spacing of 10.1 ms with the margin, and no faster', async () => {
    const perSecond = 100;
    const clientId = uniqueName('frac');
    const apiKey = `sk_PLANTED_${uniqueName('frac_key')}`;
    cleanup = clusterId(clientId, apiKey);
    // A tenth of a second's burst, as in the worker tests.
    sandbox = await startSandbox({ auth: 'basic', rateLimit: perSecond, burst: perSecond / 10, clients: [{ id: clientId, key: apiKey }] });
    for (let i = 0; i < 2; i += 1) {
      clients.push(createMxClient({ baseUrl: sandbox.url, clientId, apiKey, auth: 'basic', rate: { perSecond, redis: REDIS_URL } }));
    }
    const started = Date.now();
    let timer: NodeJS.Timeout | undefined;
    const stalled = new Promise<'stalled'>((resolve) => (timer = setTimeout(() => resolve('stalled'), 15_000)));
    const outcome = await Promise.race([
      Promise.all(clients.flatMap((client, c) => Array.from({ length: perSecond }, (_, i) => client.createUser({ id: `f${c}-${i}` })))),
      stalled,
    ]);
    clearTimeout(timer);
    const elapsed = Date.now() - started;
    const { stats } = sandbox.state();
    console.log(`shared ${perSecond}/s: ${perSecond * 2} creates from 2 clients in ${elapsed} ms, maxObservedRate ${stats.maxObservedRate}, 429s ${stats.rateLimited}`);
    expect(outcome).not.toBe('stalled');
    expect(outcome !== 'stalled' && outcome.every((r) => r.isOk())).toBe(true);
    // Arrivals as the sandbox reads them, in this same process: a machine loaded by other work
    // delays some reads and not others, so a second here can hold a few more than Redis granted in
    // any of its seconds (106 once, beside two busy loops). The strict check, at most the rate in
    // any second of Redis's own clock, is on the script's decisions in
    // test/http/sharedSendWindow.test.ts; here, never a multiple of the rate.
    expect(stats.maxObservedRate).toBeLessThanOrEqual(perSecond * 1.2);
    // Two seconds' worth of requests at the shared rate cannot take much less than two seconds.
    expect(elapsed).toBeGreaterThan(1_700);
  });

  it("holds every process for a 429's pause, and ends that pause when the process that got it dies in it", async () => {
    const clientId = uniqueName('pause');
    const apiKey = `sk_PLANTED_${uniqueName('pause_key')}`;
    cleanup = clusterId(clientId, apiKey);
    sandbox = await startSandbox({ auth: 'basic', rateLimit: 5, burst: 1, clients: [{ id: clientId, key: apiKey }] });
    const survivor = createMxClient({ baseUrl: sandbox.url, clientId, apiKey, auth: 'basic', rate: { perSecond: 5, redis: REDIS_URL } });
    clients.push(survivor);
    const pauser = spawn(process.execPath, ['--import', TSX, join(REPO, 'test/scale/fixtures/pauser.ts')], {
      env: { PATH: process.env.PATH ?? '', BASE_URL: sandbox.url, CLIENT_ID: clientId, API_KEY: apiKey, REDIS_URL },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    child = pauser;
    const pauseEnd = await new Promise<number>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`the pauser met no 429 within 20 s: ${out}`)), 20_000);
      pauser.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
        out += chunk;
        const match = /paused (\d+)/.exec(out);
        if (match) {
          clearTimeout(timer);
          resolve(Number(match[1]));
        }
      });
    });
    // Killed once its pause is in Redis (the print can come before the update lands), and before
    // its own timer would end it.
    const redis = new Redis(REDIS_URL);
    try {
      await until(async () => (await redis.hget(`b_${cleanup}_settings`, 'reservoir')) === '0', 5_000);
    } finally {
      redis.disconnect();
    }
    pauser.kill('SIGKILL');
    let survivorThrottled = 0;
    survivor.events.on('rate_limited', () => (survivorThrottled += 1));
    const asked = Date.now();
    let timer: NodeJS.Timeout | undefined;
    const stalled = new Promise<'stalled'>((resolve) => (timer = setTimeout(() => resolve('stalled'), 8_000)));
    const outcome = await Promise.race([survivor.createUser({ id: 'after-the-pause' }), stalled]);
    clearTimeout(timer);
    const answered = Date.now();
    console.log(`pause ended ${pauseEnd - asked} ms after the survivor asked; it was answered after ${answered - asked} ms`);
    expect(outcome).not.toBe('stalled');
    expect(outcome !== 'stalled' && outcome.isOk()).toBe(true);
    expect(survivorThrottled).toBe(0);
    // The dead process's pause held the survivor too, which never met a 429 itself...
    expect(pauseEnd - asked).toBeGreaterThan(200);
    expect(answered).toBeGreaterThanOrEqual(pauseEnd - 50);
    // ... and ended in Redis, within a heartbeat of when it was due.
    expect(answered - pauseEnd).toBeLessThan(3_000);
  });
});
