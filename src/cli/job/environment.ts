/**
 * Failures of what a run needs around it (its store, Redis, another process holding the job), as
 * one line and a documented exit code each, instead of "unexpected error" (70) or a silent hang.
 */
import { createRequire } from 'node:module';

import { EXIT_BUSY, EXIT_UNAVAILABLE } from '../ui/output.js';
/** How long the CLI waits for Redis to answer before it gives up. */
export const REDIS_DEADLINE_MS = 5_000;

const load = createRequire(import.meta.url);

/** A Redis URL fit to print: no password. */
function shownRedis(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'redis://…';
  }
}

/**
 * Connects to Redis and PINGs it within `deadlineMs`; `null` when it answered, else one line that
 * says what to fix. The client gives up after one try: no reconnect loop outlives the check.
 *
 * @example
 * const problem = await probeRedis('redis://127.0.0.1:6379');
 */
export async function probeRedis(url: string, deadlineMs = REDIS_DEADLINE_MS): Promise<string | null> {
  // The deadline counts from here: loading ioredis is part of what the user waits for.
  const started = Date.now();
  const { Redis } = load('ioredis') as typeof import('ioredis');
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: deadlineMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
    // A server that accepted and never answered never closes either: disconnect ends our half of
    // the socket and waits this long for the other, which kept the process alive past the deadline.
    disconnectTimeout: 0,
  });
  let lastError: NodeJS.ErrnoException | undefined;
  redis.on('error', (error: NodeJS.ErrnoException) => (lastError = error));
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${deadlineMs} ms`)), Math.max(0, deadlineMs - (Date.now() - started)));
  });
  try {
    await Promise.race([redis.connect().then(() => redis.ping()), deadline]);
    return null;
  } catch (error) {
    const reason = lastError?.code ?? (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    return `cannot reach Redis at ${shownRedis(url)} (${reason}): check --redis, or leave it out to limit this process alone`;
  } finally {
    clearTimeout(timer);
    redis.disconnect();
  }
}

const ENVIRONMENTAL_CODE = /^(E[A-Z]+|SQLITE_[A-Z_]+|08[0-9A-Z]{3}|57P0[1-3]|53[0-9A-Z]{3})$/;

/**
 * The exit code and one line for a failure of the run's surroundings, or `null` for anything else:
 * another process holds the job (75), the store or a connection failed (69).
 *
 * @example
 * environmentalFailure(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }))
 * // { code: 69, message: 'the store or a connection failed: connect ECONNREFUSED 127.0.0.1:5432' }
 */
export function environmentalFailure(error: unknown): { code: number; message: string } | null {
  if (!(error instanceof Error)) return null;
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'MX_STORE_JOB_BUSY') return { code: EXIT_BUSY, message: error.message };
  if (typeof code === 'string' && ENVIRONMENTAL_CODE.test(code)) {
    const message = error.message.split('\n')[0] ?? code;
    return { code: EXIT_UNAVAILABLE, message: message.startsWith('cannot open the store') ? message : `the store or a connection failed: ${message}` };
  }
  return null;
}

/**
 * Wraps a command that opens a store so that a store it cannot reach (a PostgreSQL that refuses the
 * connection, a SQLite file it may not read) is one line and exit 69, as for onboard, rather than
 * an "unexpected error" and 70.
 *
 * @example
 * export const command = { summary, usage, run: guarded('status', explainingEnvironment('status', run)) };
 */
export function explainingEnvironment(name: string, run: (argv: string[]) => Promise<number>): (argv: string[]) => Promise<number> {
  return async (argv) => {
    try {
      return await run(argv);
    } catch (error) {
      const failure = environmentalFailure(error);
      if (!failure) throw error;
      process.stderr.write(`mx-lifecycle ${name}: ${failure.message}\n`);
      return failure.code;
    }
  };
}
