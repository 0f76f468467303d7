/**
 * What a member's `connection_status` asks of the lifecycle, after MX's documented meaning of each
 * status (docs.mx.com member connection statuses; the Connection Status webhook lists the
 * end-user-actionable ones, docs.mx.com/resources/webhooks/connection-status).
 */
import type { ConnectionStatus } from '../src/api/index.js';

/** Aggregation finished and the member is usable. */
export const CONNECTED_STATUSES: readonly ConnectionStatus[] = ['CONNECTED', 'RECONNECTED'];
/** Aggregation still runs: read the status again after the poll interval. */
export const IN_PROGRESS_STATUSES: readonly ConnectionStatus[] = ['CREATED', 'UPDATED', 'RESUMED', 'PENDING'];
/** Only the end user can fix these (new credentials, unlock the account, …), each as its advice says. */
export const END_CUSTOMER_STATUSES: readonly ConnectionStatus[] = [
  'DENIED', 'PREVENTED', 'REJECTED', 'LOCKED', 'EXPIRED', 'IMPAIRED', 'IMPEDED', 'IMPORTED',
];
/** Temporary at MX or the institution: aggregate again later, with a bounded, durable backoff. */
export const RETRY_LATER_STATUSES: readonly ConnectionStatus[] = ['DEGRADED', 'DISCONNECTED', 'DISABLED', 'DELAYED'];
/** Nothing anyone can do for this member. */
export const TERMINAL_STATUSES: readonly ConnectionStatus[] = ['DISCONTINUED', 'CLOSED'];

/**
 * The statuses MX's Connection Status webhook calls end-user-actionable, less CHALLENGED (a
 * connection the end user makes waits for them when CHALLENGED too, but a credentials member answers
 * MFA as before): the end user fixes them in the Connect widget opened on the member, or in a fresh
 * OAuth window.
 */
export const END_USER_STATUSES: readonly ConnectionStatus[] = ['DENIED', 'EXPIRED', 'IMPAIRED', 'IMPEDED', 'LOCKED', 'PREVENTED', 'REJECTED'];


export type StatusCategory =
  | 'connected' | 'inProgress' | 'challenged' | 'endCustomer' | 'retryLater' | 'terminal' | 'aggregationFailed' | 'other';

/** What a status means, in words a report shows. */
export interface StatusMeaning {
  category: StatusCategory;
  /** MX's documented meaning and what the lifecycle does about it. */
  advice: string;
}

/** Each status MX documents, its category and its own advice (DESIGN facts 9, 17, 18). */
export const STATUS_MEANINGS: Readonly<Record<ConnectionStatus, StatusMeaning>> = Object.freeze({
  CONNECTED: { category: 'connected', advice: 'connected' },
  RECONNECTED: { category: 'connected', advice: 'connected again' },
  CREATED: { category: 'inProgress', advice: 'created, aggregation starting' },
  UPDATED: { category: 'inProgress', advice: 'updated, aggregation starting' },
  RESUMED: { category: 'inProgress', advice: 'MFA answered, aggregation resumed' },
  PENDING: { category: 'inProgress', advice: 'aggregation pending' },
  CHALLENGED: { category: 'challenged', advice: 'the institution asks an MFA question' },
  DENIED: { category: 'endCustomer', advice: 'the institution refused the credentials; the end user must enter them again' },
  PREVENTED: { category: 'endCustomer', advice: 'MX stopped trying after three failed attempts in a row; the end user must enter the credentials again' },
  REJECTED: { category: 'endCustomer', advice: 'the MFA answer was refused; the end user must answer again' },
  LOCKED: { category: 'endCustomer', advice: 'the account is locked at the institution; the end user must unlock it there' },
  EXPIRED: { category: 'endCustomer', advice: 'the MFA challenge was not answered in time; the end user must connect again and answer' },
  IMPAIRED: { category: 'endCustomer', advice: 'the connection needs the end user to sign in again (update the credentials)' },
  IMPEDED: { category: 'endCustomer', advice: 'the institution wants the end user to act on its website first (accept terms, read a notice), then connect again' },
  IMPORTED: { category: 'endCustomer', advice: 'the member was imported; the end user must enter the credentials before it can aggregate' },
  DEGRADED: { category: 'retryLater', advice: 'temporary trouble at the institution (e.g. website maintenance); aggregated again later' },
  DISCONNECTED: { category: 'retryLater', advice: 'temporary: MX could not reach the institution; aggregated again later' },
  DISABLED: { category: 'retryLater', advice: 'aggregation is momentarily paused for this institution; aggregated again later' },
  DELAYED: { category: 'retryLater', advice: 'the institution is slow to answer; MX asks to check back the next day' },
  DISCONTINUED: { category: 'terminal', advice: 'MX no longer supports this institution; the connection cannot be made' },
  CLOSED: { category: 'terminal', advice: 'the account is closed at the institution' },
  FAILED: { category: 'aggregationFailed', advice: 'aggregation failed at the institution' },
});

/**
 * The category of a status; `null` (not reported yet) counts as in progress, and a status MX adds
 * that this release does not know as `other`, which the member machine hands to a person.
 *
 * @example
 * ```ts
 * statusCategory('CHALLENGED'); // 'challenged'
 * statusCategory('DEGRADED');   // 'retryLater'
 * ```
 */
export function statusCategory(status: ConnectionStatus | null | undefined): StatusCategory {
  if (status === null || status === undefined) return 'inProgress';
  return Object.hasOwn(STATUS_MEANINGS, status) ? STATUS_MEANINGS[status].category : 'other';
}

/** Before the status retry's nth wait (0-based): DELAYED waits a day, the others double from `baseMs`. */
const DAY_MS = 24 * 60 * 60_000;

/**
 * How long to wait before aggregating again after a retry-later status, the nth time (0-based).
 *
 * @example
 * ```ts
 * statusRetryDelayMs('DEGRADED', 1, 900_000); // 1_800_000
 * statusRetryDelayMs('DELAYED', 0, 900_000);  // 86_400_000 ("check back the next day")
 * ```
 */
export function statusRetryDelayMs(status: ConnectionStatus | null, attempt: number, baseMs: number): number {
  return status === 'DELAYED' ? Math.max(DAY_MS, baseMs) : baseMs * 2 ** attempt;
}
