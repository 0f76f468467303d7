import { describe, expect, it } from 'vitest';
import { createConcurrencyController, fixedConcurrency, type ConcurrencyController } from '../../src/durable/concurrency.js';

/**
 * The controller on a clock the test moves: each window, `requests` requests start after waiting
 * `queuedMs` at the limiter and finish after `latencyMs` at the API, with every slot taken and
 * customers waiting for one unless told otherwise.
 */
function drive(
  controller: ConcurrencyController,
  clock: { t: number },
  windows: number,
  traffic: { queuedMs: number | ((limit: number) => number); latencyMs: number; requests?: number; backlog?: boolean; paused?: boolean },
): number[] {
  const limits: number[] = [];
  for (let w = 0; w < windows; w += 1) {
    const queuedMs = typeof traffic.queuedMs === 'function' ? traffic.queuedMs(controller.limit) : traffic.queuedMs;
    for (let r = 0; r < (traffic.requests ?? 20); r += 1) {
      controller.requestStarted(queuedMs);
      controller.requestFinished(traffic.latencyMs);
    }
    clock.t += 250;
    limits.push(
      controller.update({ inUse: controller.limit, backlog: traffic.backlog ?? true, ...(traffic.paused ? { limiterPaused: true } : {}) }),
    );
  }
  return limits;
}

const setup = (max = 1_200) => {
  const clock = { t: 0 };
  return { clock, controller: createConcurrencyController({ now: () => clock.t, max }) };
};

describe('concurrency auto', () => {
  it('grows while requests start without queueing and every slot is taken, up to the ceiling', () => {
    const { clock, controller } = setup(300);
    expect(controller.limit).toBe(16);
    const limits = drive(controller, clock, 12, { queuedMs: 5, latencyMs: 1_500 });
    expect(limits[0]).toBeGreaterThan(16);
    for (let i = 1; i < limits.length; i += 1) expect(limits[i]).toBeGreaterThanOrEqual(limits[i - 1]!);
    expect(limits.at(-1)).toBe(300);
  });

  it('does not grow when slots are free or no customer waits for one', () => {
    const { clock, controller } = setup();
    expect(drive(controller, clock, 8, { queuedMs: 0, latencyMs: 300, backlog: false })).toEqual(Array(8).fill(16));
    const other = setup();
    for (let w = 0; w < 8; w += 1) {
      other.controller.requestStarted(0);
      other.controller.requestFinished(300);
      other.clock.t += 250;
      other.controller.update({ inUse: 3, backlog: true });
    }
    expect(other.controller.limit).toBe(16);
  });

  it('shrinks when requests queue at the limiter, and settles where the queue stays under the tolerance', () => {
    const { clock, controller } = setup();
    // 30 customers keep the rate full; each one more makes every request wait 20 ms longer.
    const queue = (limit: number) => Math.max(0, (limit - 30) * 20);
    const limits = drive(controller, clock, 60, { queuedMs: queue, latencyMs: 200 });
    const max = Math.max(...limits);
    expect(max).toBeGreaterThan(30);
    const settled = limits.slice(-20);
    for (const limit of settled) {
      expect(limit).toBeGreaterThanOrEqual(30);
      expect(queue(limit)).toBeLessThanOrEqual(250);
    }
    expect(Math.min(...settled)).toBeLessThan(max);
  });

  it('shrinks when the API slows down, and when the limiter is paused by a 429', () => {
    const { clock, controller } = setup();
    drive(controller, clock, 6, { queuedMs: 0, latencyMs: 200 });
    const before = controller.limit;
    expect(before).toBeGreaterThan(16);
    const slow = drive(controller, clock, 2, { queuedMs: 0, latencyMs: 1_000 });
    expect(slow[0]).toBeLessThan(before);
    expect(slow[1]).toBeLessThan(slow[0]!);
    const atPause = controller.limit;
    const paused = drive(controller, clock, 1, { queuedMs: 0, latencyMs: 1_000, requests: 0, paused: true });
    expect(paused[0]).toBeLessThan(atPause);
    expect(drive(controller, clock, 20, { queuedMs: 0, latencyMs: 1_000, requests: 0, paused: true }).at(-1)).toBe(4);
  });

  it('decides once a window: updates inside a window keep the limit', () => {
    const { clock, controller } = setup();
    controller.requestStarted(0);
    clock.t += 100;
    expect(controller.update({ inUse: 16, backlog: true })).toBe(16);
    clock.t += 160;
    expect(controller.update({ inUse: 16, backlog: true })).toBe(24);
  });

  it('keeps a pinned number as it is', () => {
    const pinned = fixedConcurrency(32);
    pinned.requestStarted(10_000);
    expect(pinned.update({ inUse: 32, backlog: true, limiterPaused: true })).toBe(32);
    expect(pinned.adaptive).toBe(false);
  });
});
