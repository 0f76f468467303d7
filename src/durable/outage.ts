/**
 * The outage policy: a job-scope error that waiting can cure (MX unavailable, 503 maintenance, a
 * refused or reset connection) pauses the whole job with a growing backoff, for up to an outage
 * budget, before it halts the job. A network blip or a short MX outage at night then needs no
 * person. Errors no wait can fix (a bad key, a forbidden client, a wrong URL) still halt at once.
 *
 * The pause is recorded in the job's halt record (`outage`), so it is durable: XState does not
 * persist delayed events, so a pause kept only in a timer would start over (and the budget with it)
 * after a restart. A restarted run waits out what is left of the recorded pause, and the budget
 * counts from the outage's first failed request (kept as the pause's `since`).
 */
import type { ApiError } from '../errors/index.js';

/** How long job-scope outages may be waited out before the job halts (15 minutes). */
export const DEFAULT_OUTAGE_BUDGET_MS = 15 * 60_000;
const FIRST_PAUSE_MS = 2_000;
const LONGEST_PAUSE_MS = 60_000;

/** An outage being waited out, as kept in the job's halt record. */
export interface OutagePause {
  /** Epoch ms of the outage's first failed request (its first pause, when that is unknown); the budget counts from here. */
  since: number;
  /** Epoch ms at which the current pause ends and the halted customers are resumed. */
  until: number;
  /** Pauses so far in this outage. */
  pauses: number;
  budgetMs: number;
}

/** The job's halt record while it waits out an outage: the error, with the pause beside it. */
export type PausedHalt = ApiError & { outage: OutagePause };

/** The halt of an outage that outlasted its budget: the last error, with how long MX failed. */
export type SpentHalt = ApiError & { outageSpent: { since: number; lastedMs: number; budgetMs: number } };

/**
 * Whether waiting may cure `error`: retryable, and reaching the whole job.
 *
 * @example
 * isOutage({ kind: 'unavailable', status: 503, retryable: true, scope: 'job', dialect: 'http' } as ApiError) // true
 */
export const isOutage = (error: ApiError): boolean => error.retryable && error.scope === 'job';

/**
 * The pause recorded in a job's halt record, or `null` when the halt is a real one.
 *
 * @example
 * pauseOf(job.halt)?.until
 */
export function pauseOf(halt: ApiError | null | undefined): OutagePause | null {
  const outage = (halt as Partial<PausedHalt> | null | undefined)?.outage;
  return outage && typeof outage.since === 'number' && typeof outage.until === 'number' ? outage : null;
}

/**
 * The next pause of an outage (2 s, 4 s, 8 s … up to 60 s, never past the budget), or `null` when
 * the budget is spent and the job must halt. The first pause of an outage counts the budget from
 * `failingSince` (the first failed request of the outage), so customers' own retries before the
 * pause are part of the outage, not extra time beside it.
 *
 * @example
 * nextPause(null, Date.now(), 15 * 60_000) // { since: now, until: now + 2000, pauses: 1, budgetMs: 900000 }
 */
export function nextPause(previous: OutagePause | null, now: number, budgetMs: number, failingSince = now): OutagePause | null {
  const since = previous?.since ?? Math.min(failingSince, now);
  const end = since + budgetMs;
  if (budgetMs <= 0 || now >= end) return null;
  const pauses = (previous?.pauses ?? 0) + 1;
  const length = Math.min(LONGEST_PAUSE_MS, FIRST_PAUSE_MS * 2 ** (pauses - 1));
  return { since, until: Math.min(end, now + length), pauses, budgetMs };
}
