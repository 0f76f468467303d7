import { describe, expect, it } from 'vitest';
import { createHub } from '../../src/_internals/hub.js';
import type { RuntimeEventMap } from '../../src/durable/runtime.js';
import { createEventHub } from '../../src/http/events.js';
import { trackProgress } from '../../src/cli/ui/progress.js';
import { progressLine, showProgress } from '../../src/cli/ui/progressView.js';

const counts = { pending: 4, active: 0, halted: 0, done: 1, needsAction: 0, failed: 0, cancelled: 0 };

function setup(now: () => number = Date.now) {
  const runtime = createHub<RuntimeEventMap>();
  const client = createEventHub();
  const tracker = trackProgress(runtime, { events: client }, counts, now);
  return { runtime, client, tracker };
}

function screen(isTTY: boolean) {
  const writes: string[] = [];
  return { writes, stream: { isTTY, columns: 90, write: (text: string) => writes.push(text) > 0 } as unknown as NodeJS.WriteStream };
}

describe('progress', () => {
  it('counts finals, items in flight, responses per second and 429s from events, with an ETA at this run\'s pace', () => {
    let clock = 0;
    const { runtime, client, tracker } = setup(() => clock);
    runtime.emit({ type: 'item.transition', jobId: 'j', itemId: 'a', state: 'active', value: 'creatingUser' });
    runtime.emit({ type: 'item.transition', jobId: 'j', itemId: 'b', state: 'active', value: 'creatingUser' });
    for (let i = 0; i < 10; i += 1) client.emit({ type: 'response', callId: i, method: 'GET', path: '/users', attempt: 1, status: 200, durationMs: 5 });
    client.emit({ type: 'rate_limited', callId: 1, method: 'GET', path: '/users', attempt: 1, status: 429, pauseMs: 1000, willRetry: true });
    clock = 2_000;
    runtime.emit({ type: 'item.final', jobId: 'j', itemId: 'a', state: 'needsAction', outcome: null });
    expect(tracker.figures()).toMatchObject({
      total: 5, done: 1, needsAction: 1, inFlight: 1, pending: 2, requestsPerSecond: 5, rateLimited: 1, elapsedSeconds: 2,
      // 3 left, one finished in 2 s: 6 s.
      etaSeconds: 6,
    });
    clock = 8_000;
    expect(tracker.figures().requestsPerSecond).toBe(0);
    tracker.dispose();
  });

  it('draws a bar on a terminal no more than 10 times a second, each frame in place and within the width', async () => {
    const { tracker } = setup();
    const { writes, stream } = screen(true);
    const view = showProgress(tracker, { stream, job: 'j' });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    view.stop();
    expect(writes.length).toBeGreaterThanOrEqual(3);
    expect(writes.length).toBeLessThanOrEqual(12);
    for (const frame of writes) {
      expect(frame.startsWith('\r\x1b[2K')).toBe(true);
      expect(frame.replace('\r\x1b[2K', '').replace('\n', '').length).toBeLessThan(90);
    }
    // 90 columns are too few for the long labels: the short ones keep every figure, the ETA too.
    expect(writes.at(-1)).toBe('\r\x1b[2K[██░░░░░░░░] 1/5 done 1 action 0 failed 0 flight 0 0.0/s 429s 0 ETA --:--\n');
  });

  it('writes JSON lines off a terminal, and a final one on stop', async () => {
    const { tracker } = setup();
    const { writes, stream } = screen(false);
    const view = showProgress(tracker, { stream, job: 'j', jsonEveryMs: 100 });
    await new Promise((resolve) => setTimeout(resolve, 350));
    view.stop();
    const lines = writes.map((w) => JSON.parse(w) as Record<string, unknown>);
    expect(lines.length).toBeGreaterThanOrEqual(3);
    expect(lines.at(-1)).toMatchObject({ type: 'progress', job: 'j', total: 5, done: 1, final: true });
    expect(lines.slice(0, -1).every((l) => !('final' in l))).toBe(true);
  });

  it('fills the bar in proportion to the customers that are final', () => {
    const line = progressLine({ total: 10, done: 4, needsAction: 1, failed: 0, cancelled: 0, inFlight: 2, pending: 3, requestsPerSecond: 12.5, rateLimited: 2, tokenRefreshes: 0, elapsedSeconds: 3, etaSeconds: 125 });
    expect(line).toBe('[██████████░░░░░░░░░░]  5/10  done 4 · needs action 1 · failed 0 · in flight 2 · 12.5 req/s · 429s 2 · ETA 2:05');
  });

  it('says pausing, then paused with how long, while an operator holds the job, and nothing once it is resumed', () => {
    let clock = 10_000;
    const { runtime, tracker } = setup(() => clock);
    runtime.emit({ type: 'job.pause.changed', jobId: 'j', state: 'pausing', pausedAt: 9_000, inFlight: 2 });
    expect(tracker.figures().pause).toEqual({ state: 'pausing', pausedSeconds: 1 });
    clock = 75_000;
    runtime.emit({ type: 'job.pause.changed', jobId: 'j', state: 'paused', pausedAt: 9_000, inFlight: 0 });
    const figures = tracker.figures();
    expect(figures.pause).toEqual({ state: 'paused', pausedSeconds: 66 });
    expect(progressLine(figures)).toMatch(/ · paused for 1:06: mx-lifecycle resume lets it go on$/);
    expect(progressLine(figures, true)).toMatch(/ paused 1:06$/);
    runtime.emit({ type: 'job.pause.changed', jobId: 'j', state: 'running', pausedAt: null, inFlight: 0 });
    expect(tracker.figures()).not.toHaveProperty('pause');
    expect(progressLine(tracker.figures())).not.toMatch(/paus/);
    tracker.dispose();
  });
});
