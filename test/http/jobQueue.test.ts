import { describe, expect, it } from 'vitest';
import { createLocalQueue } from '../../src/http/jobQueue.js';

describe('the in-process job queue', () => {
  it('runs at most maxConcurrent at once in the order they came, and a job retried after a delay keeps its slot', async () => {
    const queue = createLocalQueue({ maxConcurrent: 2 });
    const order: string[] = [];
    let running = 0;
    let most = 0;
    let tries = 0;
    const job = (name: string, retry = false) => async () => {
      running += 1;
      most = Math.max(most, running);
      order.push(name);
      await new Promise((resolve) => setTimeout(resolve, 20));
      running -= 1;
      if (retry && (tries += 1) === 1) throw { retrySignal: true, delayMs: 60 };
      return name;
    };
    const results = await Promise.all([queue.schedule(job('a', true)), queue.schedule(job('b')), queue.schedule(job('c')), queue.schedule(job('d'))]);
    expect(results).toEqual(['a', 'b', 'c', 'd']);
    expect(most).toBeLessThanOrEqual(2);
    // a's retry waited 60 ms in its slot: c and d ran one after another in the other slot meanwhile.
    expect(order).toEqual(['a', 'b', 'c', 'd', 'a']);
  });

  it('holds jobs while paused, counts them, and rejects waiting jobs when stopped', async () => {
    const queue = createLocalQueue({ maxConcurrent: 10 });
    const starts: number[] = [];
    const job = async () => void starts.push(performance.now());
    await Promise.all([queue.schedule(job), queue.schedule(job), queue.schedule(job)]);
    expect(starts).toHaveLength(3);
    queue.pause(1_000);
    const held = queue.schedule(job);
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(starts).toHaveLength(3);
    expect(queue.counts()).toEqual({ queued: 1, running: 0 });
    queue.resume();
    await held;
    expect(starts).toHaveLength(4);
    queue.pause(1_000);
    const dropped = queue.schedule(job);
    await queue.stop({ stopped: true });
    await expect(dropped).rejects.toEqual({ stopped: true });
  });

  it('keeps its order over thousands of jobs while it compacts its list', async () => {
    const queue = createLocalQueue({ maxConcurrent: 3 });
    const order: number[] = [];
    await Promise.all(Array.from({ length: 5_000 }, (_, i) => queue.schedule(async () => void order.push(i))));
    expect(order).toEqual(Array.from({ length: 5_000 }, (_, i) => i));
  });
});
