/**
 * Where a limiter is built, local or shared through Redis, so that everything talking to one API
 * key (also from other processes) draws from one limit; and how it pauses after a 429, so that the
 * pause holds every process and ends even if the process that started it dies.
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import Bottleneck from 'bottleneck';
import type { RedisOptions } from 'ioredis';
import { isRetrySignal, type JobQueue } from './jobQueue.js';

/**
 * ioredis is loaded when a limiter is first shared, not with the library: it takes 65 ms to load,
 * which every run of every process paid whether it used Redis or not.
 */
const load = createRequire(import.meta.url);

/** Redis forgets a limiter's state after this long without use. */
const IDLE_STATE_TTL_MS = 15 * 60_000;
/**
 * How often each process ticks the shared state (bottleneck's default is 5 s): a pause that ends in
 * Redis, with nobody left to end it, frees the others within this long.
 */
const HEARTBEAT_MS = 1_000;
/** What the reservoir is refilled to when a pause ends in Redis: more than any run will use. */
const UNPAUSED_RESERVOIR = 1e9;
const NO_PAUSE = { reservoir: null, reservoirRefreshInterval: null, reservoirRefreshAmount: null } as const;

export interface ClusterOptions {
  /** ioredis options or a `redis://` URL. */
  redis: RedisOptions | string;
  /** The limiter id every process of this API key shares; see {@link clusterId}. */
  id: string;
}

/**
 * The shared limiter id for an API key: a hash, so the key itself never reaches Redis.
 *
 * @example
 * ```ts
 * clusterId('my-client-id', process.env.MX_API_KEY!); // 'mx-lifecycle:3f1c…'
 * ```
 */
export function clusterId(clientId: string, apiKey: string): string {
  const digest = createHash('sha256').update(`${clientId}\u0000${apiKey}`).digest('hex');
  return `mx-lifecycle:${digest.slice(0, 32)}`;
}

/**
 * A bottleneck instance: local, or clustered on Redis with a shared id.
 *
 * @example
 * ```ts
 * const limiter = createBottleneck({ maxConcurrent: 10, minTime: 50 }, { redis: 'redis://127.0.0.1:6379', id });
 * ```
 */
export function createBottleneck(
  settings: { maxConcurrent: number; minTime: number },
  cluster: ClusterOptions | null,
): Bottleneck {
  if (cluster === null) return yieldWithoutTimer(new Bottleneck(settings));
  const limiter = new Bottleneck({
    ...settings,
    id: cluster.id,
    datastore: 'ioredis',
    Redis: (load('ioredis') as typeof import('ioredis')).Redis,
    clientOptions: cluster.redis,
    clearDatastore: false,
    timeout: IDLE_STATE_TTL_MS,
    heartbeatInterval: HEARTBEAT_MS,
  });
  // A cluster that already exists keeps its stored settings: apply ours, and lift a pause that a
  // process which died in the middle of one could have left behind.
  void limiter.updateSettings({ ...settings, ...NO_PAUSE });
  return limiter;
}

/**
 * Stops the limiter (every process of it, when clustered) from starting jobs for `ms`.
 *
 * Shared through Redis, the pause also ends there by itself: bottleneck refills the reservoir `ms`
 * after its refill clock last started, so a process that dies or stops in the middle of a pause
 * does not leave the others paused for ever. bottleneck does not let a caller start that clock; a
 * refill interval of 0 refills at once, which does. The order keeps every step safe to die after:
 * first the clock (the reservoir refilled to plenty: no pause yet), then the pause with its length.
 *
 * @example
 * ```ts
 * await pauseBottleneck(limiter, retryAfterMs, true);
 * ```
 */
export async function pauseBottleneck(limiter: Bottleneck, ms: number, clustered: boolean): Promise<void> {
  if (!clustered) {
    await limiter.updateSettings({ reservoir: 0 });
    return;
  }
  await limiter.updateSettings({ reservoirRefreshInterval: 0, reservoirRefreshAmount: UNPAUSED_RESERVOIR });
  await limiter.updateSettings({ reservoir: 0, reservoirRefreshInterval: Math.max(1, Math.ceil(ms)) });
}

/**
 * Ends a pause {@link pauseBottleneck} started, before Redis would.
 *
 * @example
 * ```ts
 * await resumeBottleneck(limiter, true);
 * ```
 */
export async function resumeBottleneck(limiter: Bottleneck, clustered: boolean): Promise<void> {
  await limiter.updateSettings(clustered ? NO_PAUSE : { reservoir: null });
}

/**
 * bottleneck's in-process datastore waits a `setTimeout(0)` in every operation and admits queued
 * jobs one operation at a time: at the timer's 1-ms clamp (more on a busy event loop) that capped a
 * client at a few hundred requests a second whatever its limit. The wait is only there to yield to
 * the event loop, which `setImmediate` does without the clamp. bottleneck's last release (2.19.5) is
 * from 2019, so the private method replaced here will not move under us.
 */
function yieldWithoutTimer(limiter: Bottleneck): Bottleneck {
  const store = (limiter as unknown as { _store?: { yieldLoop?: unknown } })._store;
  if (store && typeof store.yieldLoop === 'function') {
    store.yieldLoop = () => new Promise<void>((resolve) => setImmediate(resolve));
  }
  return limiter;
}

/**
 * bottleneck behind the limiter's queue interface: a job that throws a retry signal is retried by
 * bottleneck's `failed` handler after the delay it names, keeping its slot.
 *
 * @example
 * ```ts
 * const queue = bottleneckQueue({ maxConcurrent: 10, minTime: 50 }, { redis: 'redis://127.0.0.1:6379', id }, 120_000);
 * ```
 */
export function bottleneckQueue(settings: { maxConcurrent: number; minTime: number }, cluster: ClusterOptions | null, expirationMs: number | null): JobQueue {
  const clustered = cluster !== null;
  const limiter = createBottleneck(settings, cluster);
  limiter.on('failed', (error: unknown) => (isRetrySignal(error) ? error.delayMs : undefined));
  // bottleneck reports its own internal failures here; they surface as the job's rejection instead.
  limiter.on('error', () => undefined);
  const jobOptions: Bottleneck.JobOptions = expirationMs === null ? {} : { expiration: expirationMs };
  return {
    schedule: (task) => limiter.schedule(jobOptions, task),
    counts() {
      const counts = limiter.counts();
      return { queued: counts.QUEUED + counts.RECEIVED, running: counts.RUNNING + counts.EXECUTING };
    },
    pause(ms) {
      void pauseBottleneck(limiter, ms, clustered);
    },
    resume() {
      void resumeBottleneck(limiter, clustered);
    },
    async stop() {
      await limiter.stop({ dropWaitingJobs: true });
      await limiter.disconnect().catch(() => undefined);
    },
  };
}
