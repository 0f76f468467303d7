/**
 * The send window of `sendWindow.ts` for a limit shared by several processes: one atomic Lua
 * script in Redis decides each send, on Redis's own clock (`TIME`), so the processes' clocks and
 * event loops do not matter and no two processes can take the same moment. It also keeps the
 * shared pause after a 429, so requests that other processes had already let through their queue
 * wait at the send as well.
 *
 * It replaces the spacing bottleneck's clustering gave (bottleneck remains the shared queue:
 * requests in flight, job expiry, the pause at admission). bottleneck decided a job's start when it
 * scheduled it, and a busy process then sent several together; and its spacing was whole
 * milliseconds, so 100/s ran at about 91/s.
 */
import { randomUUID } from 'node:crypto';
import type { Redis, RedisOptions } from 'ioredis';
import { catchUpMs, lengthOf, windowShape, type WindowLength } from './sendWindow.js';

/**
 * KEYS: the send log (a sorted set of send times), the schedule's next slot, the pause's end, the
 * widest window any process asked for lately.
 * ARGV: allowed per window (0: unlimited, only the pause holds), window (µs), interval (µs),
 * catch-up (µs), idle expiry (ms), a unique prefix for the log's members, how many sends are
 * wanted, how long (ms) a wider window holds for everyone. Grants as many of them as fit now, and
 * returns `{waitUs, nowUs, granted}`: how long until one more fits when not all did, Redis's time
 * (µs), and how many may leave now. A process asks for its whole line at once, so a slow round trip
 * to Redis costs no rate: the sends it missed are made up in the next answer, as in one process.
 *
 * The window is the widest any process asked for within the hold: the process whose event loop
 * stalls sends late, and the others' sends must leave room for its late ones at the API.
 */
const TAKE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local cap = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local interval = tonumber(ARGV[3])
local catchUp = tonumber(ARGV[4])
local ttl = tonumber(ARGV[5])
local want = tonumber(ARGV[7])
local paused = tonumber(redis.call('GET', KEYS[3]) or '0')
if paused > now then return {paused - now, now, 0} end
if cap == 0 then return {0, now, want} end
local widest = tonumber(redis.call('GET', KEYS[4]) or '0')
if window >= widest then
  redis.call('SET', KEYS[4], window, 'PX', tonumber(ARGV[8]))
else
  interval = interval * widest / window
  window = widest
end
local nextAt = tonumber(redis.call('GET', KEYS[2]) or '0')
-- Only the latest cap sends are read; by rank, not by time, so a window that widens later still
-- finds them.
redis.call('ZREMRANGEBYRANK', KEYS[1], 0, -(2 * cap) - 1)
local held = redis.call('ZCARD', KEYS[1])
local granted = 0
local wait = 0
while granted < want do
  if nextAt > now then
    wait = nextAt - now
    break
  end
  if held >= cap then
    local oldest = redis.call('ZRANGE', KEYS[1], -cap, -cap, 'WITHSCORES')
    local opens = tonumber(oldest[2]) + window - now
    if opens > 0 then
      wait = opens
      break
    end
  end
  granted = granted + 1
  held = held + 1
  redis.call('ZADD', KEYS[1], now, ARGV[6] .. ':' .. granted)
  if nextAt < now - catchUp then nextAt = now end
  nextAt = nextAt + interval
end
if granted > 0 then
  redis.call('SET', KEYS[2], nextAt, 'PX', ttl)
  redis.call('PEXPIRE', KEYS[1], ttl)
end
return {wait, now, granted}
`;

/** KEYS: the pause's end. ARGV: pause length (ms). Only lengthens a pause; returns its end (µs). */
const PAUSE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local untilUs = now + tonumber(ARGV[1]) * 1000
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if current >= untilUs then return current end
redis.call('SET', KEYS[1], untilUs, 'PX', math.max(1, math.ceil(tonumber(ARGV[1]))))
return untilUs
`;

/** Redis forgets a window after this long without a send. */
const IDLE_TTL_MS = 15 * 60_000;
/** How long one process's wider window holds for every process of the key (see `loopLag.ts`'s hold). */
const WIDE_HOLD_MS = 2_000;

export interface SharedSendWindow {
  /**
   * Asks for up to `wanted` sends at `perSecond`: the sends in `ids` may leave now (`atMs`: Redis's
   * clock, ms); when fewer than wanted were granted, `waitMs` says when to ask again.
   */
  take(perSecond: number | null, wanted: number): Promise<SharedGrant>;
  /**
   * The send granted as `id` was written `lateMs` after it was asked for: the log moves it that
   * much later on Redis's clock (unless it has already left the log).
   */
  moved(id: string, grantedAtMs: number, lateMs: number): Promise<void>;
  /** Holds every process's sends for `ms` from now (a longer pause already set stays). */
  pause(ms: number): Promise<void>;
  close(): Promise<void>;
}

export interface SharedGrant {
  /** The log's name for each send granted (as many as may leave now), in order, for `moved`. */
  ids: string[];
  waitMs: number;
  atMs: number;
}

type ScriptedRedis = Redis & {
  mxSendTake(log: string, schedule: string, pause: string, wide: string, ...args: Array<string | number>): Promise<[number, number, number]>;
  mxSendPause(pause: string, ms: number): Promise<number>;
};

/**
 * The send window of the key `id`, kept in Redis. `Redis` is ioredis's class, loaded by the caller.
 *
 * @example
 * ```ts
 * const window = createSharedSendWindow(Redis, 'redis://127.0.0.1:6379', id, 1_020); // or () => 1_020 + margin()
 * const { ids, waitMs } = await window.take(60, 5); // ids.length may leave now
 * ```
 */
export function createSharedSendWindow(
  RedisClass: typeof Redis,
  redisOptions: RedisOptions | string,
  id: string,
  window: WindowLength,
): SharedSendWindow {
  const redis = (typeof redisOptions === 'string' ? new RedisClass(redisOptions) : new RedisClass(redisOptions)) as ScriptedRedis;
  redis.on('error', () => undefined);
  redis.defineCommand('mxSendTake', { numberOfKeys: 4, lua: TAKE });
  redis.defineCommand('mxSendPause', { numberOfKeys: 1, lua: PAUSE });
  // One hash tag, so a Redis Cluster keeps the keys on one node, as a script needs.
  const keys = { log: `{${id}}:send:log`, schedule: `{${id}}:send:next`, pause: `{${id}}:send:pause`, wide: `{${id}}:send:wide` };
  const member = randomUUID();
  let seq = 0;

  return {
    async take(perSecond, wanted) {
      const windowMs = lengthOf(window);
      const shape = perSecond === null ? null : windowShape(perSecond, windowMs);
      const args = shape === null
        ? [0, 0, 0, 0]
        : [shape.cap, Math.round(windowMs * 1000), Math.round(shape.intervalMs * 1000), Math.round(catchUpMs(shape.intervalMs) * 1000)];
      const prefix = `${member}:${(seq += 1)}`;
      const [waitUs, nowUs, granted] = await redis.mxSendTake(
        keys.log, keys.schedule, keys.pause, keys.wide, ...args, IDLE_TTL_MS, prefix, wanted, WIDE_HOLD_MS,
      );
      // The script names the k-th send it grants `prefix:k`, from 1.
      return { ids: Array.from({ length: granted }, (_, k) => `${prefix}:${k + 1}`), waitMs: waitUs / 1000, atMs: nowUs / 1000 };
    },
    async moved(id, grantedAtMs, lateMs) {
      // XX: only a send still in the log; a later score keeps the log's order by time.
      await redis.zadd(keys.log, 'XX', Math.round((grantedAtMs + lateMs) * 1000), id);
    },
    async pause(ms) {
      await redis.mxSendPause(keys.pause, Math.max(1, Math.ceil(ms)));
    },
    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
