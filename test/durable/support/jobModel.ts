/**
 * A job in miniature, on a simulated clock, for the concurrency controller: customers that each
 * make `steps` requests one after another, a limiter that starts at most one request per
 * `1000 / rate` ms in arrival order, and an API that answers each after `latencyMs`. Every
 * millisecond the runtime claims as many customers as the controller's limit leaves room for, and
 * tells it what the real runtime tells it (requests started and finished, the limiter's queue).
 */
import type { ConcurrencyController } from '../../../src/durable/concurrency.js';

export interface ModelJob {
  customers: number;
  steps: number;
  rate: number;
  latencyMs: number;
  /** Gives up after this much simulated time (default 600 s). */
  maxMs?: number;
  /** Which queued request starts first: lower first, ties in arrival order (default: arrival order). */
  priority?: (stepsLeft: number) => number;
}

export interface ModelRun {
  makespanMs: number;
  /** Requests started in each simulated second. */
  perSecond: number[];
  /** The controller's limit, each 250 ms. */
  limits: number[];
  /** The most customers in progress at once. */
  peakInUse: number;
  /** The average wait at the limiter, ms. */
  meanQueuedMs: number;
}

export function runModel(controller: ConcurrencyController, job: ModelJob): ModelRun {
  const spacing = 1000 / job.rate;
  const maxMs = job.maxMs ?? 600_000;
  /** Customers' remaining steps, by customer; a customer is in progress from its claim to its last answer. */
  const queue: Array<{ customer: number; at: number }> = [];
  const inFlight: Array<{ customer: number; doneAt: number }> = [];
  const remaining = new Map<number, number>();
  let next = 0;
  let finished = 0;
  let nextStartAt = 0;
  let queuedSum = 0;
  let started = 0;
  let peakInUse = 0;
  const perSecond: number[] = [];
  const limits: number[] = [];
  for (let t = 0; t < maxMs; t += 1) {
    // Answers due now: the customer makes its next request at once, or is done.
    for (let i = inFlight.length - 1; i >= 0; i -= 1) {
      const call = inFlight[i]!;
      if (call.doneAt > t) continue;
      inFlight.splice(i, 1);
      controller.requestFinished(job.latencyMs);
      const left = remaining.get(call.customer)! - 1;
      if (left === 0) {
        remaining.delete(call.customer);
        finished += 1;
      } else {
        remaining.set(call.customer, left);
        queue.push({ customer: call.customer, at: t });
      }
    }
    if (finished === job.customers) return { makespanMs: t, perSecond, limits, peakInUse, meanQueuedMs: queuedSum / started };
    const backlog = next < job.customers;
    const limit = controller.update({
      inUse: remaining.size,
      backlog,
      limiter: { queued: queue.length, running: inFlight.length, spacingMs: spacing, paused: false },
    });
    if (t % 250 === 0) limits.push(limit);
    for (; next < job.customers && remaining.size < limit; next += 1) {
      remaining.set(next, job.steps);
      queue.push({ customer: next, at: t });
    }
    peakInUse = Math.max(peakInUse, remaining.size);
    while (queue.length > 0 && nextStartAt <= t) {
      let pick = 0;
      if (job.priority) {
        let best = Number.POSITIVE_INFINITY;
        for (let i = 0; i < queue.length; i += 1) {
          const key = job.priority(remaining.get(queue[i]!.customer)!);
          if (key < best) {
            best = key;
            pick = i;
          }
        }
      }
      const call = queue.splice(pick, 1)[0]!;
      controller.requestStarted(t - call.at);
      queuedSum += t - call.at;
      started += 1;
      inFlight.push({ customer: call.customer, doneAt: t + Math.max(1, job.latencyMs) });
      const second = Math.floor(t / 1000);
      perSecond[second] = (perSecond[second] ?? 0) + 1;
      nextStartAt = Math.max(nextStartAt + spacing, t - spacing);
    }
  }
  throw new Error(`the model job did not finish in ${maxMs} ms (${finished} of ${job.customers} customers)`);
}
