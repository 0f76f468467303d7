/**
 * The PostgreSQL and Redis of this test run, as the global setup chose them (./globalSetup.ts).
 * Test files import these instead of reading MX_LIFECYCLE_TEST_PG/REDIS themselves, so no test falls
 * back to an address nobody checked.
 */
import { inject } from 'vitest';

/** The test database, e.g. `postgres://postgres@127.0.0.1:5432/test`. */
export const PG_URL: string = inject('pgUrl');
/** The test Redis, e.g. `redis://127.0.0.1:6379`. */
export const REDIS_URL: string = inject('redisUrl');
