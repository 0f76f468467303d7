/**
 * The knobs every lifecycle machine reads: retry budget and backoff caps, polling cadence, and the
 * MFA answer window. They travel in the machine input and live in context, so a restored machine
 * keeps the options it started with.
 */

export interface LifecycleOptions {
  /** Retries of one step after its first failure, before the error is final (or halts the job). */
  maxAttempts: number;
  /** The backoff ceiling of the first retry; it doubles with each further attempt. */
  baseDelayMs: number;
  /** The highest backoff ceiling, whatever the attempt. */
  maxDelayMs: number;
  /** Time between two member status reads; MX asks for at least 3 s. */
  pollIntervalMs: number;
  /** How long a member may keep an in-progress status before it needs action. */
  maxPollMs: number;
  /** How long an MFA challenge waits for its answer before the member needs action. */
  answerWindowMs: number;
  /** Fresh aggregations tried when a member reports FAILED. */
  maxAggregationRetries: number;
  /** Re-reads of the institution's credential fields after a `credentials_stale` create. */
  maxCredentialRefreshes: number;
  /** MFA rounds (challenge, answer, resume) before the member needs action. */
  maxChallengeRounds: number;
  /** Aggregations tried again after a temporary status (DEGRADED, DISCONNECTED, DISABLED, DELAYED) before the member needs action. */
  maxStatusRetries: number;
  /** The wait before the first of those; it doubles with each further one (DELAYED waits a day). */
  statusRetryDelayMs: number;
  /**
   * How long a connection the end user makes (OAuth, widget) waits for them, counted from its first
   * wait, before it needs action with the reason `endUserAbandoned`.
   */
  endUserWaitMs: number;
  /**
   * The fallback check while the end user has not acted: the member's status (OAuth, re-link) or
   * the user's members (widget). A MEMBER webhook wakes the wait sooner.
   */
  endUserPollMs: number;
  /**
   * A refresh sends no aggregate for a member whose last successful aggregation is more recent
   * than this: MX "cannot run a new aggregation within three hours of a successful aggregation"
   * (docs.mx.com/aggregation/guides/introduction).
   */
  minAggregationIntervalMs: number;
  /**
   * Seeds the backoff jitter. Left out, it is derived from the external id, which spreads the
   * retries of different customers apart while keeping each one's schedule reproducible.
   */
  seed?: number;
}

export const defaultLifecycleOptions: Readonly<LifecycleOptions> = Object.freeze({
  maxAttempts: 5,
  baseDelayMs: 1_000,
  maxDelayMs: 60_000,
  pollIntervalMs: 3_000,
  maxPollMs: 10 * 60_000,
  answerWindowMs: 5 * 60_000,
  maxAggregationRetries: 1,
  maxCredentialRefreshes: 1,
  maxChallengeRounds: 3,
  maxStatusRetries: 3,
  statusRetryDelayMs: 15 * 60_000,
  endUserWaitMs: 14 * 24 * 3_600_000,
  endUserPollMs: 3_600_000,
  minAggregationIntervalMs: 3 * 3_600_000,
});

/** Options as they sit in context: every field present, the seed fixed. */
export type ResolvedLifecycleOptions = Required<LifecycleOptions>;

/**
 * Fills the options a caller left out and fixes the jitter seed.
 *
 * @example
 * ```ts
 * const options = resolveLifecycleOptions({ pollIntervalMs: 5_000 }, 'cust-1');
 * options.maxAttempts; // 5
 * ```
 */
export function resolveLifecycleOptions(
  partial: Partial<LifecycleOptions> | undefined,
  externalId: string,
): ResolvedLifecycleOptions {
  const merged = { ...defaultLifecycleOptions, ...stripUndefined(partial ?? {}) };
  return { ...merged, seed: merged.seed ?? seedFrom(externalId) };
}

/**
 * A 32-bit FNV-1a hash of a string, used as a default jitter seed.
 *
 * @example
 * ```ts
 * seedFrom('cust-1') === seedFrom('cust-1'); // true
 * ```
 */
export function seedFrom(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
