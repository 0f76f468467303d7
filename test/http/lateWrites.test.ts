/**
 * undici writes a request once the turn that asked for it has done its work (and, on a new
 * connection, once it opens), so a request leaves later than the limiter decided by as long as
 * that turn's work took; a send that leaves late crowds the
 * API's second with the sends decided after it. Measured at the start of a 200/s job on a loaded
 * machine: writes up to 38 ms after their decision, and 203 requests in one second at the sandbox
 * while the decisions held 200. The send window moves such a send to when it was really written.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { Agent } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { exchangeDirect, stampWrites } from '../../src/http/exchange.js';
import { createLimiter, type RequestLimiter } from '../../src/http/limiter.js';
import { createSendWindow } from '../../src/http/sendWindow.js';
import { createSharedSendWindow } from '../../src/http/sharedSendWindow.js';
import { mostInWindow } from '../support/starts.js';
import { REDIS_URL } from '../support/services/urls.js';

const busy = (ms: number): void => {
  const until = performance.now() + ms;
  while (performance.now() < until);
};

describe('a send written later than it was decided', () => {
  it('counts in the window where it was written, and keeps the log in order', () => {
    const window = createSendWindow(1_000);
    window.record(0, 2);
    window.record(500, 2);
    expect(window.waitMs(1_000, 2)).toBe(0);
    // The first left at 300: a third send must wait until a second after it.
    window.moved(0, 300);
    expect(window.waitMs(1_000, 2)).toBe(300);
    // Moved past a send decided after it and written before it: the oldest is still read first.
    window.moved(500, 1_200);
    window.record(1_300, 2);
    expect(window.waitMs(1_400, 2)).toBe(1_200 - 1_400 + 1_000);
    // A time that is not in the log, or not later, changes nothing.
    window.moved(42, 5_000);
    window.moved(1_300, 1_000);
    expect(window.waitMs(1_400, 2)).toBe(800);
  });

  it('holds the sends decided after a late write to a second after it really left', async () => {
    const perSecond = 5;
    const limiter = createLimiter({ perSecond, maxConcurrent: 10, lagMargin: 0 });
    const written: number[] = [];
    let first = true;
    try {
      await Promise.all(
        Array.from({ length: 8 }, () =>
          limiter.run(async (_n, slot) => {
            const wrote = await slot();
            if (first) {
              first = false;
              // The first waits 400 ms for its connection, as a new one did under load.
              await new Promise((resolve) => setTimeout(resolve, 400));
            }
            written.push(performance.now());
            wrote();
            return { type: 'done' as const, value: null };
          }),
        ),
      );
    } finally {
      await limiter.stop();
    }
    // Without the move, the sixth send left a second after the first's decision, 0.6 s after it was written.
    expect(mostInWindow(written, 1_000)).toBeLessThanOrEqual(perSecond);
  });
});

describe('undici, with the write stamp', () => {
  let server: Server;
  let url = '';
  beforeAll(async () => {
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => res.end('{}'));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/users`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('says when undici really writes: after the turn that asked, and after a new connection opens', async () => {
    const agent = new Agent({ keepAliveTimeout: 10_000 }).compose(stampWrites);
    let opened = 0;
    server.on('connection', () => (opened += 1));
    const send = async (): Promise<{ inTurn: boolean; lateMs: number }> => {
      let returned = false;
      let inTurn = true;
      let writtenAt = Number.NaN;
      const decidedAt = performance.now();
      const exchange = exchangeDirect(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }, {
        dispatcher: agent, timeoutMs: 10_000, request: { method: 'POST', path: '/users' }, secrets: [],
        onWritten: () => {
          inTurn = !returned;
          writtenAt = performance.now();
        },
      });
      returned = true;
      // The rest of the turn: the process's own work (a store write, the next decisions).
      busy(30);
      const outcome = await exchange;
      expect(outcome.isOk()).toBe(true);
      return { inTurn, lateMs: writtenAt - decidedAt };
    };
    try {
      // undici writes once the turn's own work is done, on a new connection and on a kept one alike:
      // a busy turn makes every send of it late, which is why the window hears the real moment.
      for (let i = 0; i < 3; i += 1) {
        const sent = await send();
        expect(sent.inTurn).toBe(false);
        expect(sent.lateMs).toBeGreaterThanOrEqual(30);
        await new Promise((resolve) => setImmediate(resolve));
      }
      expect(opened).toBe(1);
    } finally {
      await agent.close();
    }
  });
});

describe('a late write with the window shared through Redis', () => {
  const limiters: RequestLimiter[] = [];
  afterEach(async () => {
    await Promise.all(limiters.splice(0).map((l) => l.stop()));
  });

  it('moves the send in Redis’s log by how late it was written', async () => {
    const id = `late-write-${process.pid}-${Date.now()}`;
    const window = createSharedSendWindow(Redis, REDIS_URL, id, 1_000);
    const redis = new Redis(REDIS_URL);
    try {
      const grant = await window.take(10, 1);
      expect(grant.ids).toHaveLength(1);
      await window.moved(grant.ids[0]!, grant.atMs, 400);
      const [member, score] = await redis.zrange(`{${id}}:send:log`, 0, -1, 'WITHSCORES');
      expect(member).toBe(grant.ids[0]);
      expect(Number(score) / 1000).toBeCloseTo(grant.atMs + 400, 0);
    } finally {
      await window.close();
      redis.disconnect();
    }
  });

  it('holds the other sends of the key to a second after the late one really left', async () => {
    const perSecond = 5;
    const id = `late-write-limiter-${process.pid}-${Date.now()}`;
    const limiter = createLimiter({ perSecond, maxConcurrent: 10, lagMargin: 0, cluster: { redis: REDIS_URL, id }, expirationMs: 60_000 });
    limiters.push(limiter);
    const decided: number[] = [];
    limiter.onSend((at) => decided.push(at));
    const written: number[] = [];
    let first = true;
    await Promise.all(
      Array.from({ length: 8 }, () =>
        limiter.run(async (_n, slot) => {
          const wrote = await slot();
          // On Redis's clock: the decision, and as much later as the write came.
          const at = decided[decided.length - 1]!;
          const start = performance.now();
          if (first) {
            first = false;
            await new Promise((resolve) => setTimeout(resolve, 400));
          }
          written.push(at + (performance.now() - start));
          wrote();
          return { type: 'done' as const, value: null };
        }),
      ),
    );
    expect(mostInWindow(written, 1_000)).toBeLessThanOrEqual(perSecond);
  });
});
