/**
 * What a member's `connection_status` asks of the lifecycle.
 */
import type { ConnectionStatus } from '../src/api/types.js';

/** Aggregation finished and the member is usable. */
export const CONNECTED_STATUSES: readonly ConnectionStatus[] = ['CONNECTED', 'RECONNECTED'];
/** Aggregation still runs: read the status again after the poll interval. */
export const IN_PROGRESS_STATUSES: readonly ConnectionStatus[] = ['CREATED', 'UPDATED', 'DELAYED', 'RESUMED', 'PENDING'];
/** Only the end customer can fix these (new credentials, unlock the account, …). */
export const END_CUSTOMER_STATUSES: readonly ConnectionStatus[] = [
  'DENIED', 'PREVENTED', 'REJECTED', 'LOCKED', 'EXPIRED', 'IMPAIRED', 'IMPEDED', 'DISABLED', 'DISCONTINUED', 'CLOSED',
];

/**
 * The statuses MX's Connection Status webhook calls end-user-actionable, less CHALLENGED (a
 * connection the end user makes waits for them when CHALLENGED too, but a credentials member answers
 * MFA as before): the end user fixes them in the Connect widget opened on the member, or in a fresh
 * OAuth window.
 */
export const END_USER_STATUSES: readonly ConnectionStatus[] = ['DENIED', 'EXPIRED', 'IMPAIRED', 'IMPEDED', 'LOCKED', 'PREVENTED', 'REJECTED'];

export type StatusCategory = 'connected' | 'inProgress' | 'challenged' | 'endCustomer' | 'aggregationFailed' | 'other';

/**
 * The category of a status; `null` (not reported yet) counts as in progress, and the statuses MX
 * documents without a customer action (DEGRADED, DISCONNECTED, IMPORTED) as `other`, which the
 * member machine hands to a person as `needsAction`.
 *
 * @example
 * ```ts
 * statusCategory('CHALLENGED'); // 'challenged'
 * statusCategory('LOCKED');     // 'endCustomer'
 * ```
 */
export function statusCategory(status: ConnectionStatus | null | undefined): StatusCategory {
  if (status === null || status === undefined) return 'inProgress';
  if (CONNECTED_STATUSES.includes(status)) return 'connected';
  if (IN_PROGRESS_STATUSES.includes(status)) return 'inProgress';
  if (status === 'CHALLENGED') return 'challenged';
  if (END_CUSTOMER_STATUSES.includes(status)) return 'endCustomer';
  if (status === 'FAILED') return 'aggregationFailed';
  return 'other';
}
