/**
 * Counts a running job from events rather than by querying the store: the runtime says when an
 * item moves and when it ends, the client says when a request answers or gets a 429. Counting a
 * million-row table ten times a second would cost more than the job.
 */
import type { Events } from '../../_internals/index.js';
import type { ObservableMxClient } from '../../api/index.js';
import type { RuntimeEventMap } from '../../durable/index.js';
import type { ItemState } from '../../durable/index.js';

/** What a progress line shows. */
export interface ProgressFigures {
  total: number;
  done: number;
  needsAction: number;
  failed: number;
  cancelled: number;
  inFlight: number;
  pending: number;
  /** Responses per second over the last few seconds. */
  requestsPerSecond: number;
  /** 429s this run. */
  rateLimited: number;
  tokenRefreshes: number;
  elapsedSeconds: number;
  /** Seconds until every item is final at this run's pace; null until one item has finished. */
  etaSeconds: number | null;
  /** Connections waiting for their end user now (OAuth, widget, re-link); they hold no slot. */
  waitingOnEndUsers?: number;
  /** While the job waits out an outage: for how long so far, the budget, and the next try. */
  outage?: { waitedSeconds: number; budgetSeconds: number; nextTryInSeconds: number };
  /**
   * While an operator holds the job (`mx-lifecycle pause`): `pausing` until the requests in flight
   * have answered, then `paused`; and for how long since the pause was made.
   */
  pause?: { state: 'pausing' | 'paused'; pausedSeconds: number };
}

export interface ProgressTracker {
  figures(): ProgressFigures;
  dispose(): void;
}

const WINDOW_MS = 5_000;

/**
 * Starts counting from the job's counts at the start of the run.
 *
 * @example
 * const tracker = trackProgress(runtime.events, client, await store.counts(jobId));
 * setInterval(() => console.log(tracker.figures()), 5000);
 */
export function trackProgress(
  runtimeEvents: Events<RuntimeEventMap>,
  client: Pick<ObservableMxClient, 'events'>,
  start: Record<ItemState, number>,
  now: () => number = Date.now,
): ProgressTracker {
  const startedAt = now();
  const total = Object.values(start).reduce((a, b) => a + b, 0);
  const finals = { done: start.done, needsAction: start.needsAction, failed: start.failed, cancelled: start.cancelled };
  const finalAtStart = finals.done + finals.needsAction + finals.failed + finals.cancelled;
  const live = new Set<string>();
  const endUserWaits = new Map<string, number>();
  // Response times of the last few seconds, so requests/s falls to 0 while the job waits.
  const responses: number[] = [];
  let rateLimited = 0;
  let tokenRefreshes = 0;
  let pause: { since: number; until: number; budgetMs: number } | null = null;
  let held: { state: 'pausing' | 'paused'; since: number } | null = null;

  const subscriptions = [
    runtimeEvents.on('item.transition', (event) => {
      if (event.state === 'active' || event.state === 'halted') live.add(event.itemId);
    }),
    runtimeEvents.on('item.enduser', (event) => {
      if (event.waiting === 0) endUserWaits.delete(event.itemId);
      else endUserWaits.set(event.itemId, event.waiting);
    }),
    runtimeEvents.on('item.final', (event) => {
      live.delete(event.itemId);
      endUserWaits.delete(event.itemId);
      finals[event.state] += 1;
    }),
    client.events.on('response', (event) => {
      responses.push(now());
      if (pause && now() >= pause.until && event.status >= 200 && event.status < 300) pause = null;
    }),
    runtimeEvents.on('job.paused', (event) => {
      pause = { since: event.since, until: event.until, budgetMs: event.budgetMs };
    }),
    runtimeEvents.on('job.pause.changed', (event) => {
      held = event.state === 'running' ? null : { state: event.state, since: event.pausedAt ?? now() };
    }),
    client.events.on('rate_limited', () => {
      rateLimited += 1;
    }),
    client.events.on('token_refreshed', () => {
      tokenRefreshes += 1;
    }),
  ];

  return {
    figures() {
      const at = now();
      let old = 0;
      while (old < responses.length && (responses[old] ?? 0) < at - WINDOW_MS) old += 1;
      responses.splice(0, old);
      const elapsedMs = at - startedAt;
      const window = Math.min(WINDOW_MS, Math.max(elapsedMs, 1));
      const finished = finals.done + finals.needsAction + finals.failed + finals.cancelled;
      const left = Math.max(0, total - finished);
      const doneThisRun = finished - finalAtStart;
      const eta = doneThisRun > 0 ? Math.round((left * elapsedMs) / doneThisRun / 1000) : left === 0 ? 0 : null;
      return {
        total,
        ...finals,
        inFlight: live.size,
        pending: Math.max(0, left - live.size),
        requestsPerSecond: Math.round((responses.length * 10_000) / window) / 10,
        rateLimited,
        tokenRefreshes,
        elapsedSeconds: Math.round(elapsedMs / 100) / 10,
        etaSeconds: eta,
        ...(endUserWaits.size > 0 ? { waitingOnEndUsers: [...endUserWaits.values()].reduce((a, b) => a + b, 0) } : {}),
        ...(pause
          ? {
              outage: {
                waitedSeconds: Math.round((at - pause.since) / 1000),
                budgetSeconds: Math.round(pause.budgetMs / 1000),
                nextTryInSeconds: Math.max(0, Math.round((pause.until - at) / 1000)),
              },
            }
          : {}),
        ...(held ? { pause: { state: held.state, pausedSeconds: Math.max(0, Math.round((at - held.since) / 1000)) } } : {}),
      };
    },
    dispose() {
      for (const subscription of subscriptions) subscription.dispose();
    },
  };
}
