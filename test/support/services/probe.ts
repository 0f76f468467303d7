/**
 * Whether a PostgreSQL or a Redis answers at a URL, and a free loopback port for one that must be
 * started. A probe gives up after a few seconds: a test run must not wait out a driver's retries.
 */
import { createServer } from 'node:net';
import { Redis } from 'ioredis';
import pg from 'pg';

const PROBE_MS = 3_000;

/**
 * Connects and runs `SELECT 1`; resolves to undefined when that worked, else to why not.
 * @example
 * await postgresProblem('postgres://postgres@127.0.0.1:5432/test') // undefined, or 'connect ECONNREFUSED 127.0.0.1:5432'
 */
export async function postgresProblem(url: string): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: PROBE_MS });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (error) {
    return reason(error);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Connects once (no retries, no offline queue) and sends PING; undefined when PONG came back.
 * @example
 * await redisProblem('redis://127.0.0.1:6379') // undefined, or 'connect ECONNREFUSED 127.0.0.1:6379'
 */
export async function redisProblem(url: string): Promise<string | undefined> {
  const redis = new Redis(url, {
    lazyConnect: true, connectTimeout: PROBE_MS, commandTimeout: PROBE_MS, maxRetriesPerRequest: 0,
    enableOfflineQueue: false, retryStrategy: () => null,
  });
  // With no retries ioredis rejects with 'Connection is closed.'; the socket's own error says why.
  let socketError: unknown;
  redis.on('error', (error: unknown) => (socketError ??= error));
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG' ? undefined : 'PING was not answered with PONG';
  } catch (error) {
    return reason(socketError ?? error);
  } finally {
    redis.disconnect();
  }
}

/**
 * A port nothing listens on at 127.0.0.1 right now (the kernel's pick for port 0).
 * @example
 * const port = await freeLoopbackPort(); // e.g. 41873
 */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function reason(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return reason(error.errors[0]);
  return error instanceof Error ? error.message || String((error as { code?: unknown }).code ?? error.name) : String(error);
}
