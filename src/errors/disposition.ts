import type { ApiErrorKind, ErrorScope } from './types.js';

/** How the layers above must react to an error of one kind. */
export interface Disposition {
  /** Whether sending the same request again (after a wait or a token refresh) can succeed. */
  retryable: boolean;
  /** `job` when every other request would fail the same way, so the job halts or waits as a whole. */
  scope: ErrorScope;
}

const DISPOSITIONS: Readonly<Record<Exclude<ApiErrorKind, 'unknown'>, Disposition>> = {
  duplicate: { retryable: false, scope: 'item' },
  not_found: { retryable: false, scope: 'item' },
  invalid_external_id: { retryable: false, scope: 'item' },
  validation: { retryable: false, scope: 'item' },
  token_expired: { retryable: true, scope: 'job' },
  unauthorized: { retryable: false, scope: 'job' },
  forbidden: { retryable: false, scope: 'job' },
  rate_limited: { retryable: true, scope: 'job' },
  unavailable: { retryable: true, scope: 'job' },
  server_error: { retryable: true, scope: 'item' },
  misconfigured: { retryable: false, scope: 'job' },
  conflict: { retryable: false, scope: 'item' },
  challenge_expired: { retryable: false, scope: 'item' },
  credentials_stale: { retryable: false, scope: 'item' },
  not_aggregatable: { retryable: false, scope: 'item' },
  // One customer's row; the rest of the job runs.
  unreadable_row: { retryable: false, scope: 'item' },
};

/**
 * The taxonomy's default disposition of a kind. `unknown` depends on the status: a 5xx is worth
 * another try, anything else is not.
 *
 * @example
 * ```ts
 * dispositionOf('rate_limited'); // { retryable: true, scope: 'job' }
 * dispositionOf('unknown', 507); // { retryable: true, scope: 'item' }
 * ```
 */
export function dispositionOf(kind: ApiErrorKind, status?: number): Disposition {
  if (kind === 'unknown') {
    return { retryable: typeof status === 'number' && status >= 500 && status <= 599, scope: 'item' };
  }
  // A kind from an untyped caller (plain JS, a rule loaded from JSON) falls back to `unknown`.
  const known = Object.hasOwn(DISPOSITIONS, kind) ? DISPOSITIONS[kind] : undefined;
  return known ? { ...known } : dispositionOf('unknown', status);
}
