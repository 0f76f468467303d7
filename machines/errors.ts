/**
 * How the machines read a failed effect. Actors reject with an `ApiError`; anything else that
 * reaches an `onError` (a bug in a provided actor, a missing implementation) is folded into an
 * `unknown`, item-scoped, non-retryable error so that it fails one item loudly and never halts a job.
 */
import { isApiError } from '../src/errors/index.js';
import { asApiError, makeApiError } from '../src/errors/index.js';
import type { ApiError, ApiErrorKind } from '../src/errors/index.js';

export { isApiError };

/**
 * The `ApiError` an actor rejected with, or an `unknown` error describing what it threw instead.
 *
 * @example
 * ```ts
 * toApiError(new Error('actor "createUser" must be provided')).kind; // 'unknown'
 * ```
 */
export function toApiError(value: unknown): ApiError {
  return asApiError(value, { retryable: false, scope: 'item' });
}

/**
 * Whether an actor's rejection is of one of the given kinds.
 *
 * @example
 * ```ts
 * isKind(error, 'duplicate');
 * ```
 */
export function isKind(value: unknown, ...kinds: ApiErrorKind[]): boolean {
  return kinds.includes(toApiError(value).kind);
}

/**
 * Whether an error stops every request of the job, not only this item's (bad key, outage, rate limit).
 *
 * @example
 * ```ts
 * isSystemicError({ kind: 'unauthorized', status: 401, retryable: false, scope: 'job', dialect: 'mx-sso' }); // true
 * ```
 */
export function isSystemicError(value: unknown): boolean {
  return toApiError(value).scope === 'job';
}

/**
 * The error a machine records when a create said "already exists" but no record with that external
 * id can be found: worth a few retries (listings can lag), then the item fails with it.
 *
 * @example
 * ```ts
 * lostDuplicateError('user').kind; // 'not_found'
 * ```
 */
export function lostDuplicateError(resource: 'user' | 'member'): ApiError {
  return makeApiError('not_found', {
    resource,
    retryable: true,
    message: `the create said the ${resource} already exists, but no ${resource} has this external id`,
  });
}

/**
 * The guid a duplicate error names ("already exists with guid …"), so recovery reads that record
 * instead of searching; `null` when MX named none.
 *
 * @example
 * ```ts
 * duplicateGuidOf({ kind: 'duplicate', guid: 'USR-1', status: 409, retryable: false, scope: 'item', dialect: 'platform' }); // 'USR-1'
 * ```
 */
export function duplicateGuidOf(value: unknown): string | null {
  const error = toApiError(value);
  return error.kind === 'duplicate' && typeof error.guid === 'string' && error.guid !== '' ? error.guid : null;
}
