/**
 * The one way to build an `ApiError` outside the classifier: for errors that no HTTP exchange
 * produced (a refused id, a closed client, a missing actor, a body that is not what the API
 * documents). Its disposition comes from the taxonomy unless the caller knows better.
 */
import { dispositionOf } from './disposition.js';
import { isApiError } from './guards.js';
import type { ApiError, ApiErrorKind, ApiErrorOf } from './types.js';

/** What a caller may set on a made error; `kind` is the first argument. */
export type ApiErrorDetail<K extends ApiErrorKind> = Partial<Omit<ApiErrorOf<K>, 'kind'>>;

/**
 * An `ApiError` of `kind`: status 0, the kind's disposition and dialect `local` unless `detail` says
 * otherwise.
 *
 * @example
 * ```ts
 * makeApiError('validation', { message: 'email must be a string.' });
 * // { kind: 'validation', status: 0, retryable: false, scope: 'item', dialect: 'local', message: … }
 * ```
 */
export function makeApiError<K extends ApiErrorKind>(kind: K, detail: ApiErrorDetail<K> = {}): ApiErrorOf<K> {
  const status = detail.status ?? 0;
  return { kind, status, ...dispositionOf(kind, status), dialect: 'local', ...detail } as ApiErrorOf<K>;
}

/**
 * `value` when it is an `ApiError` already; otherwise an `unknown` error with `fallback`'s
 * disposition, whose message says what was thrown instead.
 *
 * @example
 * ```ts
 * asApiError(new Error('boom'), { retryable: false, scope: 'item' }).message; // 'boom'
 * ```
 */
export function asApiError(value: unknown, fallback: Pick<ApiError, 'retryable' | 'scope'> & { message?: string }): ApiError {
  if (isApiError(value)) return value;
  const thrown = value instanceof Error ? value.message : typeof value === 'string' ? value : undefined;
  return makeApiError('unknown', { retryable: fallback.retryable, scope: fallback.scope, message: (thrown ?? fallback.message ?? 'non-error rejection').slice(0, 200) });
}
