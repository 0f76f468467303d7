import { describe, expect, it } from 'vitest';
import { Api, sleep, started } from './helpers.js';

describe('rate limit', () => {
  it('answers a burst over the limit with 429 and Retry-After in whole seconds, then serves again', async () => {
    // One token a second: however long a loaded machine takes to deliver the burst, the bucket's
    // refills during it are bounded by that time, which this test measures instead of assuming.
    const sandbox = await started({ rateLimit: 1, burst: 5 });
    try {
      const api = await Api.connect(sandbox);
      const sentAt = performance.now();
      const replies = await Promise.all(Array.from({ length: 40 }, () => api.call('GET', '/users')));
      const seconds = Math.ceil((performance.now() - sentAt) / 1000);
      const ok = replies.filter((r) => r.status === 200).length;
      const limited = replies.filter((r) => r.status === 429);
      // Five from the bucket, plus one refilled for each second the burst took to arrive.
      expect(ok).toBeGreaterThanOrEqual(5);
      expect(ok).toBeLessThanOrEqual(5 + seconds);
      expect(limited.length).toBe(40 - ok);
      for (const reply of limited) {
        expect(reply.headers.get('retry-after')).toBe('1');
        expect(reply.json).toEqual({ error: 'Too many requests.' });
      }
      const stats = sandbox.state().stats;
      expect(stats.rateLimited).toBe(limited.length);
      expect(stats.byStatus['429']).toBe(limited.length);
      // All 40 arrived within those seconds, so some second held at least its share of them.
      expect(stats.maxObservedRate).toBeGreaterThanOrEqual(Math.ceil(40 / seconds));
      expect(stats.maxObservedRate).toBeLessThanOrEqual(40);
      await sleep(1_000);
      expect((await api.call('GET', '/users')).status).toBe(200);
    } finally {
      await sandbox.close();
    }
  });

  it('rounds Retry-After up to whole seconds for slow rates', async () => {
    const sandbox = await started({ rateLimit: 0.4, burst: 1 });
    try {
      const api = await Api.connect(sandbox);
      expect((await api.call('GET', '/users')).status).toBe(200);
      const limited = await api.call('GET', '/users');
      expect([limited.status, limited.headers.get('retry-after')]).toEqual([429, '3']);
    } finally {
      await sandbox.close();
    }
  });

  it('lets a client that keeps to the rate through without a 429, and measures its rate', async () => {
    const sandbox = await started({ rateLimit: 20 });
    try {
      const api = await Api.connect(sandbox);
      const statuses: number[] = [];
      // 30 requests, each sent 60 ms after the previous answer: the sandbox receives them at least
      // 60 ms apart, so never more than 17 in a second (about 16 per second when the machine is quiet,
      // fewer when it is busy). Spaced from the answers, not from a schedule a late timer would catch
      // up on in a burst.
      for (let i = 0; i < 30; i++) {
        if (i > 0) await sleep(60);
        statuses.push((await api.call('GET', '/users')).status);
      }
      expect(statuses.every((s) => s === 200)).toBe(true);
      const { maxObservedRate, rateLimited } = sandbox.state().stats;
      expect(rateLimited).toBe(0);
      expect(maxObservedRate).toBeGreaterThanOrEqual(5);
      expect(maxObservedRate).toBeLessThanOrEqual(17);
    } finally {
      await sandbox.close();
    }
  });

  it('keeps a bucket per client, so one client at its limit does not hold back another', async () => {
    const sandbox = await started({
      rateLimit: 2,
      clients: [{ id: 'a', key: 'ka' }, { id: 'b', key: 'kb' }],
    });
    try {
      const a = await Api.connect(sandbox, 'a', 'ka');
      const b = await Api.connect(sandbox, 'b', 'kb');
      const fromA = await Promise.all(Array.from({ length: 6 }, () => a.call('GET', '/users')));
      expect(fromA.filter((r) => r.status === 429).length).toBeGreaterThanOrEqual(3);
      expect((await b.call('GET', '/users')).status).toBe(200);
      expect(sandbox.state().stats.maxObservedRate).toBe(6);
    } finally {
      await sandbox.close();
    }
  });
});
