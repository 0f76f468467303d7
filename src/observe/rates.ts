/**
 * The rate chart's data: one sample a second of requests/s against the limit, 429s, the limiter's
 * queue, requests in flight, and the time left at this run's pace. Kept for the last few minutes.
 */
import type { ObservableMxClient } from '../api/index.js';
import type { WatchCounts } from './jobWatch.js';

export interface RateSample {
  at: number;
  requestsPerSecond: number;
  /** The limit the limiter paces to (requests/s), or null while it is still learning it. */
  limit: number | null;
  rateLimited: number;
  queued: number;
  inFlight: number;
  /** Seconds until every customer is final at this run's pace; null until one has finished. */
  etaSeconds: number | null;
}

export interface RateSampler {
  samples(): RateSample[];
  stop(): void;
}

/** Samples kept: five minutes at one a second. */
export const RATE_SAMPLES = 300;

/**
 * Samples the client once a second; `counts` gives the job's counts for the ETA.
 *
 * @example
 * const sampler = sampleRates(client, () => watch.counts());
 * sampler.samples().at(-1)?.requestsPerSecond;
 */
export function sampleRates(client: Pick<ObservableMxClient, 'events' | 'limiterState'>, counts: () => WatchCounts, everyMs = 1_000): RateSampler {
  const samples: RateSample[] = [];
  const startedAt = Date.now();
  const finalOf = (c: WatchCounts) => c.items.done + c.items.needsAction + c.items.failed + c.items.cancelled;
  const finalAtStart = finalOf(counts());
  let responses = 0;
  let rateLimited = 0;
  let last = Date.now();
  const subscriptions = [
    client.events.on('response', () => void (responses += 1)),
    client.events.on('rate_limited', () => void (rateLimited += 1)),
  ];
  const timer = setInterval(() => {
    const at = Date.now();
    const state = client.limiterState();
    const c = counts();
    const finished = finalOf(c);
    const doneThisRun = finished - finalAtStart;
    const left = Math.max(0, c.total - finished);
    samples.push({
      at,
      requestsPerSecond: Math.round((responses * 10_000) / Math.max(1, at - last)) / 10,
      limit: state.perSecond,
      rateLimited,
      queued: state.queued,
      inFlight: state.running,
      etaSeconds: doneThisRun > 0 ? Math.round((left * (at - startedAt)) / doneThisRun / 1000) : left === 0 ? 0 : null,
    });
    if (samples.length > RATE_SAMPLES) samples.shift();
    responses = 0;
    rateLimited = 0;
    last = at;
  }, everyMs);
  timer.unref?.();
  return {
    samples: () => samples.slice(),
    stop() {
      clearInterval(timer);
      for (const s of subscriptions) s.dispose();
    },
  };
}
