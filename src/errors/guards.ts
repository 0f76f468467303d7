import { API_ERROR_KINDS, type ApiError } from './types.js';

const KINDS: ReadonlySet<string> = new Set(API_ERROR_KINDS);

/**
 * Whether a value is a classified `ApiError`. Checks the shape, not the prototype, so it holds for
 * errors read back from JSON (a snapshot, a report) and for errors made by another copy of this
 * package.
 *
 * @example
 * ```ts
 * const e: unknown = JSON.parse(row.error);
 * if (isApiError(e) && e.kind === 'duplicate') recover(e.guid);
 * ```
 */
export function isApiError(value: unknown): value is ApiError {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.kind === 'string' &&
    KINDS.has(v.kind) &&
    typeof v.status === 'number' &&
    typeof v.retryable === 'boolean' &&
    (v.scope === 'item' || v.scope === 'job') &&
    typeof v.dialect === 'string'
  );
}

/**
 * Whether a value is an `ApiError` that another attempt may cure (after a wait or a token refresh).
 *
 * @example
 * ```ts
 * if (isRetryable(e)) return scheduleRetry(e.kind === 'rate_limited' ? e.retryAfterMs : undefined);
 * ```
 */
export function isRetryable(value: unknown): value is ApiError & { retryable: true } {
  return isApiError(value) && value.retryable;
}

/**
 * Whether a value is an `ApiError` that concerns the whole job (bad key, outage, rate limit) rather
 * than one customer: the job halts or waits once instead of failing every item.
 *
 * @example
 * ```ts
 * if (isSystemic(e)) return haltJob(e); else return failItem(e);
 * ```
 */
export function isSystemic(value: unknown): value is ApiError & { scope: 'job' } {
  return isApiError(value) && value.scope === 'job';
}
