import { describe, expect, it } from 'vitest';
import { createConcurrencyController, fixedConcurrency, type ConcurrencyController } from '../../src/durable/concurrency.js';
import { runModel } from './support/jobModel.js';

/** A controller on the model's clock: each call to `update` is one simulated millisecond. */
function onModelClock(options: Parameters<typeof createConcurrencyController>[0] = {}): ConcurrencyController {
  let t = 0;
  const controller = createConcurrencyController({ ...options, now: () => t });
  return {
    get limit() {
      return controller.limit;
    },
    adaptive: true,
    requestStarted: (queuedMs) => controller.requestStarted(queuedMs),
    requestFinished: (latencyMs) => controller.requestFinished(latencyMs),
    update: (use) => {
      t += 1;
      return controller.update(use);
    },
  };
}

const job = { customers: 2_000, steps: 4, rate: 100 };
/** The model's whole-job ratio: makespan ÷ (requests ÷ rate). */
const ratioOf = (makespanMs: number) => makespanMs / ((job.customers * job.steps * 1000) / job.rate);

describe('concurrency auto, on a model job (2,000 customers × 4 requests at 100/s)', () => {
  it.each([1, 300, 1_500, 3_000])('keeps the rate full at %i ms of latency, with a short queue', (latencyMs) => {
    const run = runModel(onModelClock(), { ...job, latencyMs });
    // Little's law: 100/s at L needs 100 × L requests in flight; the limit grows to that and stops.
    expect(ratioOf(run.makespanMs)).toBeLessThan(1.06);
    const steady = run.perSecond.slice(Math.ceil(latencyMs / 1000) + 2, -Math.ceil((8 * latencyMs) / 1000) - 2);
    expect(Math.min(...steady)).toBeGreaterThanOrEqual(95);
    expect(run.peakInUse).toBeGreaterThanOrEqual((job.rate * latencyMs) / 1000);
    expect(run.meanQueuedMs).toBeLessThan(Math.max(200, latencyMs));
  });

  it('comes down from far too many customers without running the limit down to the floor', () => {
    // 600 customers at 1.5 s make 400 requests a second against a limit of 100: the queue grows to
    // seconds. Customers in progress only finish their step before a lower limit shows, and a
    // controller that shrank its limit again every window meanwhile ended at 4 and starved the rate.
    const run = runModel(onModelClock({ initial: 600 }), { ...job, latencyMs: 1_500 });
    const afterShrink = run.limits.slice(8, -40);
    expect(Math.min(...afterShrink)).toBeGreaterThanOrEqual(150);
    expect(Math.min(...run.perSecond.slice(2, -14))).toBeGreaterThanOrEqual(95);
    expect(ratioOf(run.makespanMs)).toBeLessThan(1.06);
  });

  it('stays within the ceiling', () => {
    const run = runModel(onModelClock({ max: 60 }), { ...job, customers: 400, latencyMs: 1_500 });
    expect(run.peakInUse).toBe(60);
    expect(Math.max(...run.limits)).toBe(60);
  });
});

describe('concurrency auto, window by window', () => {
  const manual = (max = 1_200) => {
    const clock = { t: 0 };
    return { clock, controller: createConcurrencyController({ now: () => clock.t, max }) };
  };
  const limiter = (queued: number, paused = false) => ({ queued, running: 20, spacingMs: 10, paused });

  it('does not grow when slots are free or no customer waits for one', () => {
    const { clock, controller } = manual();
    for (let w = 0; w < 8; w += 1) {
      controller.requestStarted(0);
      controller.requestFinished(300);
      clock.t += 250;
      controller.update({ inUse: 16, backlog: false, limiter: limiter(0) });
    }
    expect(controller.limit).toBe(16);
    const other = manual();
    for (let w = 0; w < 8; w += 1) {
      other.controller.requestStarted(0);
      other.controller.requestFinished(300);
      other.clock.t += 250;
      other.controller.update({ inUse: 3, backlog: true, limiter: limiter(0) });
    }
    expect(other.controller.limit).toBe(16);
  });

  it('takes no new customers while the limiter is paused by a 429, and shrinks once when the API slows down', () => {
    const { clock, controller } = manual();
    const window = (latencyMs: number, inUse: number, queued: number, paused = false) => {
      for (let r = 0; r < 20; r += 1) {
        controller.requestStarted(0);
        controller.requestFinished(latencyMs);
      }
      clock.t += 250;
      return controller.update({ inUse, backlog: true, limiter: limiter(queued, paused) });
    };
    for (let w = 0; w < 4; w += 1) window(200, controller.limit, 0);
    const grown = controller.limit;
    expect(grown).toBeGreaterThan(16);
    // Paused with fewer customers in progress than the limit: the limit comes down to them and holds.
    expect(window(200, grown - 10, 50, true)).toBe(grown - 10);
    expect(window(200, grown - 10, 50, true)).toBe(grown - 10);
    // The API takes five times as long: once to half of those in progress, then hold while the baseline follows.
    const slowed = window(1_000, grown - 10, 0);
    expect(slowed).toBe(Math.ceil((grown - 10) / 2));
  });

  it('decides once a window: updates inside a window keep the limit', () => {
    const { clock, controller } = manual();
    controller.requestStarted(0);
    clock.t += 100;
    expect(controller.update({ inUse: 16, backlog: true })).toBe(16);
    clock.t += 160;
    expect(controller.update({ inUse: 16, backlog: true })).toBe(32);
  });

  it('keeps a pinned number as it is', () => {
    const pinned = fixedConcurrency(32);
    pinned.requestStarted(10_000);
    expect(pinned.update({ inUse: 32, backlog: true, limiter: limiter(500, true) })).toBe(32);
    expect(pinned.adaptive).toBe(false);
  });
});
