/**
 * Where a limiter is built, local or shared through Redis, so that everything talking to one API
 * key (also from other processes) draws from one limit. The scale-out work extends this file.
 */
import { createHash } from 'node:crypto';
import Bottleneck from 'bottleneck';
import { Redis, type RedisOptions } from 'ioredis';

/** Redis forgets a limiter's state after this long without use. */
const IDLE_STATE_TTL_MS = 15 * 60_000;

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
  if (cluster === null) return new Bottleneck(settings);
  const limiter = new Bottleneck({
    ...settings,
    id: cluster.id,
    datastore: 'ioredis',
    Redis,
    clientOptions: cluster.redis,
    clearDatastore: false,
    timeout: IDLE_STATE_TTL_MS,
  });
  // A cluster that already exists keeps its stored settings: apply ours, and lift a pause that a
  // process which died in the middle of one could have left behind.
  void limiter.updateSettings({ ...settings, reservoir: null });
  return limiter;
}
