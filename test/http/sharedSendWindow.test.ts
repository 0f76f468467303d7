import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { createLimiter, type RequestLimiter } from '../../src/http/limiter.js';
import { createSharedSendWindow } from '../../src/http/sharedSendWindow.js';
import { mostInWindow } from '../support/starts.js';
import { REDIS_URL } from '../support/services/urls.js';

describe('the send window shared through Redis', () => {
  const limiters: RequestLimiter[] = [];
  afterEach(async () => {
    await Promise.all(limiters.map((l) => l.stop()));
    limiters.length = 0;
  });

  const three = (id: string, perSecond: number): RequestLimiter[] => {
    for (let i = 0; i < 3; i += 1) {
      limiters.push(createLimiter({ perSecond, maxConcurrent: 10, cluster: { redis: REDIS_URL, id }, expirationMs: 60_000 }));
    }
    return limiters;
  };

  it('lets three clients of one key send no more than the key’s rate in any second of Redis’s clock', async () => {
    const perSecond = 30;
    const id = `send-window-${process.pid}-${Date.now()}`;
    const decided: number[] = [];
    const byClient = [0, 0, 0];
    const clients = three(id, perSecond);
    clients.forEach((limiter, c) => limiter.onSend((at) => {
      decided.push(at);
      byClient[c] = (byClient[c] ?? 0) + 1;
    }));
    await Promise.all(
      clients.flatMap((limiter) =>
        Array.from({ length: 40 }, () =>
          limiter.run(async (_n, slot) => {
            await slot();
            return { type: 'done' as const, value: null };
          }),
        ),
      ),
    );
    const sorted = decided.toSorted((a, b) => a - b);
    const span = sorted.at(-1)! - sorted[0]!;
    console.log(`shared ${perSecond}/s: 120 sends from 3 clients over ${Math.round(span)} ms of Redis time, at most ${mostInWindow(sorted, 1_000)} in one second`);
    expect(sorted).toHaveLength(120);
    expect(byClient.every((n) => n === 40)).toBe(true);
    // The script's own decisions, on Redis's clock: the whole limit between the three, never more.
    expect(mostInWindow(sorted, 1_000)).toBeLessThanOrEqual(perSecond);
    expect(mostInWindow(sorted, 1_020)).toBeLessThanOrEqual(perSecond);
    // Spaced by the rate, not by the three clients one after another: 120 at 30 per 1.02 s.
    expect(span).toBeGreaterThanOrEqual(((120 - perSecond) / perSecond) * 1_000);
  });

  it('holds the other clients’ sends during one client’s 429 pause', async () => {
    const id = `send-pause-${process.pid}-${Date.now()}`;
    const clients = three(id, 50);
    const decided: Array<{ client: number; at: number }> = [];
    clients.forEach((limiter, client) => limiter.onSend((at) => decided.push({ client, at })));
    let refused = false;
    await Promise.all(
      clients.flatMap((limiter, client) =>
        Array.from({ length: 20 }, (_, i) =>
          limiter.run(async (_n, slot) => {
            await slot();
            if (client === 0 && i === 5 && !refused) {
              refused = true;
              return { type: 'throttled' as const, retryAfterMs: 1_500, value: null };
            }
            return { type: 'done' as const, value: null };
          }),
        ),
      ),
    );
    const times = decided.map((d) => d.at).toSorted((a, b) => a - b);
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    expect(decided).toHaveLength(61);
    // Every client stood still for the pause (minus Redis's and the clients' few ms between the
    // 429 and the pause being set): no send of any of them fell inside it.
    expect(Math.max(...gaps)).toBeGreaterThanOrEqual(1_400);
  });

  it('holds every client of a key to the widest window one of them asked for lately', async () => {
    const id = `send-wide-${process.pid}-${Date.now()}`;
    // One client's event loop runs late, so it asks for 1.5 s; the other is on time.
    const late = createSharedSendWindow(Redis, REDIS_URL, id, () => 1_500);
    const prompt = createSharedSendWindow(Redis, REDIS_URL, id, 1_020);
    const perSecond = 20;
    const decided: number[] = [];
    const fromPrompt: number[] = [];
    try {
      await late.take(perSecond, 1).then((g) => decided.push(g.atMs));
      while (decided.length < 61) {
        const grant = await prompt.take(perSecond, 5);
        for (let i = 0; i < grant.ids.length; i += 1) {
          decided.push(grant.atMs);
          fromPrompt.push(grant.atMs);
        }
        if (grant.ids.length === 0) await new Promise((resolve) => setTimeout(resolve, Math.max(1, Math.ceil(grant.waitMs))));
        // The late client keeps asking (for nothing yet), so its window stays the key's.
        await late.take(perSecond, 0);
      }
    } finally {
      await late.close();
      await prompt.close();
    }
    // Redis's own decisions: the on-time client left room for the late one's 1.5-s window.
    expect(mostInWindow(decided, 1_500)).toBeLessThanOrEqual(perSecond);
    expect(fromPrompt.length).toBeGreaterThanOrEqual(60);
  });
});
