/**
 * Words for what happened: one reason per customer, one line per classified error, and the one
 * message a halted job prints, which says what to fix. Everything here reads only the final
 * outcomes and errors, which hold no secret (the classifier redacted them before they were stored).
 */
import type { ApiError } from '../../errors/index.js';
import type { ItemState } from '../../durable/index.js';
import { STATUS_MEANINGS, type StatusCategory } from '../../../machines/index.js';

/** A classified error as the report keeps it, with the customer and member it belongs to. */
export interface ErrorEntry {
  member: string | null;
  error: ApiError;
}

export interface Described {
  reason: string;
  errors: ErrorEntry[];
  userGuid: string | null;
  members: unknown[];
}

const KIND_OF: Partial<Record<StatusCategory, string>> = {
  endCustomer: 'end-user action', retryLater: 'retried later', terminal: 'terminal', aggregationFailed: 'failed',
};
/** A status's own advice, prefixed with what kind of status it is (MX's documented meaning). */
const STATUS_ADVICE: Record<string, string> = Object.fromEntries(
  Object.entries(STATUS_MEANINGS).map(([status, m]) => [status, KIND_OF[m.category] ? `${KIND_OF[m.category]}: ${m.advice}` : m.advice]),
);

const NEEDS_ACTION_REASONS: Record<string, string> = {
  pollTimeout: 'still in progress when polling gave up',
  challengeUnanswered: 'an MFA challenge is waiting for the customer\'s answer',
  challengeExpired: 'the MFA challenge expired before it was answered',
  tooManyChallenges: 'MX kept asking MFA questions',
  statusRetriesExhausted: 'a temporary status outlasted every retry; aggregate again later',
  oauthPending: 'an OAuth connection waits for the customer to sign in at the bank (oauth_window_uri)',
};

const asObject = (value: unknown): Record<string, unknown> | null =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
const asString = (value: unknown): string | null => (typeof value === 'string' ? value : null);

function isError(value: unknown): value is ApiError {
  const object = asObject(value);
  return object !== null && typeof object.kind === 'string' && typeof object.status === 'number';
}

/**
 * One line for a classified error: kind, status, where, and what MX said.
 *
 * @example
 * describeError({ kind: 'server_error', status: 500, retryable: true, scope: 'item', dialect: 'mx-sso', message: 'Internal error' })
 * // 'server_error (500): Internal error'
 */
export function describeError(error: ApiError): string {
  if (error.kind === 'unreadable_row') return `unreadable_row (${error.column}, ${error.cause})${error.message ? `: ${error.message}` : ''}`;
  const where = error.exchange?.request ? ` on ${error.exchange.request.method} ${error.exchange.request.path}` : '';
  const status = error.status === 0 ? 'no response' : String(error.status);
  const cause = 'cause' in error && typeof error.cause === 'string' ? `, ${error.cause}` : '';
  const timeout = 'timeout' in error && error.timeout === true ? ', timed out' : '';
  const message = error.message ? `: ${error.message}` : '';
  return `${error.kind} (${status}${timeout}${cause})${where}${message}`;
}

function memberReason(member: Record<string, unknown>): string | null {
  const id = asString(member.externalId) ?? '?';
  const outcome = asString(member.outcome);
  const status = asString(member.connectionStatus);
  if (outcome === 'connected' || outcome === 'deleted' || outcome === 'alreadyGone') return null;
  // A refresh's skipped member (it has a next time) is a normal ending, as a refreshed one is.
  if (outcome === 'refreshed' || (outcome === 'skipped' && 'nextRefreshAt' in member)) return null;
  if (outcome === 'skipped') return `${id}: not tried (the user could not be created)`;
  if (outcome === 'failed') {
    const shown = status ? `${status}${STATUS_ADVICE[status] ? ` (${STATUS_ADVICE[status]})` : ''}` : null;
    const error = isError(member.error) ? describeError(member.error) : null;
    return `${id}: ${shown && error ? `${shown}; last error: ${error}` : (shown ?? error ?? 'failed')}`;
  }
  if (outcome === 'needsAction') {
    const why = asString(member.reason);
    if (why === 'connectionStatus' || (why === null && status !== null)) {
      return `${id}: ${status ?? 'unknown status'}${status && STATUS_ADVICE[status] ? ` (${STATUS_ADVICE[status]})` : ''}`;
    }
    return `${id}: ${(why && NEEDS_ACTION_REASONS[why]) ?? why ?? 'needs action'}${status ? ` (status ${status})` : ''}`;
  }
  return `${id}: ${outcome === 'pending' || outcome === null ? 'not finished' : outcome}`;
}

/** A finished refresh customer: how many members were refreshed and skipped, and the earliest next time. */
function refreshReason(members: Record<string, unknown>[]): string {
  const refreshed = members.filter((m) => m.outcome === 'refreshed').length;
  const next = members.map((m) => asString(m.nextRefreshAt)).filter((t): t is string => t !== null).toSorted()[0];
  return `${refreshed} member(s) refreshed, ${members.length - refreshed} skipped${next ? ` (next refresh possible from ${next})` : ''}`;
}

/**
 * The errors that explain an outcome. A member that got there in the end may still carry the last
 * error it retried past: that one explains nothing, so only failed members' errors count.
 */
function errorsOf(outcome: Record<string, unknown>, members: Record<string, unknown>[]): ErrorEntry[] {
  const errors: ErrorEntry[] = [];
  if (outcome.outcome !== 'done' && isError(outcome.error)) errors.push({ member: null, error: outcome.error });
  for (const member of members) {
    if (member.outcome === 'failed' && isError(member.error)) errors.push({ member: asString(member.externalId), error: member.error });
  }
  return errors;
}

const NOT_FINAL: Partial<Record<ItemState, string>> = {
  pending: 'not started yet',
  active: 'in progress when the run stopped',
  halted: 'waiting for the job to resume',
};

/** The reason of an offboarded customer MX never had (or no longer had) a user for. */
export const NOT_FOUND_AT_MX = 'not found at MX';

/**
 * Whether an offboarding outcome found no user at MX: no guid known and none found by external id
 * (a typo in a leavers list looks exactly like this, so it is counted apart from the removed).
 *
 * @example
 * isNotFoundAtMx({ outcome: 'done', user: 'alreadyGone', userGuid: null, members: [] }) // true
 */
export function isNotFoundAtMx(stored: unknown): boolean {
  const outcome = asObject(stored);
  return outcome !== null && outcome.user === 'alreadyGone' && (outcome.userGuid ?? null) === null;
}

/**
 * Explains an item's final (or current) state from its stored outcome.
 *
 * @example
 * describeItem('needsAction', { outcome: 'needsAction', members: [{ externalId: 'c1-bank', outcome: 'needsAction', reason: 'connectionStatus', connectionStatus: 'DENIED' }] })
 * // { reason: 'c1-bank: DENIED (end-user action: the institution refused the credentials; ...)', ... }
 */
export function describeItem(state: ItemState, stored: unknown): Described {
  const outcome = asObject(stored);
  if (!outcome) return { reason: NOT_FINAL[state] ?? state, errors: [], userGuid: null, members: [] };
  const members = Array.isArray(outcome.members) ? outcome.members.map(asObject).filter((m) => m !== null) : [];
  const errors = errorsOf(outcome, members);
  const userGuid = asString(outcome.userGuid);
  const offboard = typeof outcome.user === 'string';
  let reason: string;
  if (isError(outcome.error) && outcome.error.kind === 'unreadable_row') {
    // A row set apart names its cause, whatever state its state column records.
    const { column, cause, message } = outcome.error;
    reason = `stored row unreadable (${column}, ${cause})${message ? `: ${message}` : ''}`;
  } else if (state === 'done') {
    if (isNotFoundAtMx(stored)) {
      reason = NOT_FOUND_AT_MX;
    } else if (offboard) {
      const word = (what: unknown) => (what === 'deleted' ? 'deleted' : 'already gone');
      const same = members.filter((m) => word(m.outcome) === word(outcome.user)).length;
      reason =
        members.length === 0 ? `user ${word(outcome.user)}`
        : same === members.length ? `user and ${same} member(s) ${word(outcome.user)}`
        : `user ${word(outcome.user)}; ${members.length - same} member(s) ${word(outcome.user === 'deleted' ? 'alreadyGone' : 'deleted')}, ${same} ${word(outcome.user)}`;
    } else if (members.some((m) => 'nextRefreshAt' in m)) {
      reason = refreshReason(members);
    } else {
      reason = members.length === 0 ? 'user created (no connections)' : `user created, ${members.length} member(s) connected`;
    }
  } else {
    const userError = isError(outcome.error) ? `${offboard ? 'delete' : 'user'}: ${describeError(outcome.error)}` : null;
    const parts = [userError, ...members.map(memberReason)].filter((p): p is string => p !== null);
    reason = parts.length > 0 ? parts.join('; ') : state;
  }
  return { reason, errors, userGuid, members };
}

/** ` for 31 s, longer than the 30 s outage budget (--outage-budget)` when the halt ended an outage that outlasted its budget. */
function outageLasted(error: ApiError): string {
  const spent = (error as { outageSpent?: { lastedMs?: unknown; budgetMs?: unknown } }).outageSpent;
  if (typeof spent?.lastedMs !== 'number' || typeof spent.budgetMs !== 'number') return '';
  const seconds = (ms: number) => (ms >= 120_000 ? `${Math.round(ms / 60_000)} min` : `${Math.round(ms / 1000)} s`);
  return ` for ${seconds(spent.lastedMs)}, longer than the ${seconds(spent.budgetMs)} outage budget (--outage-budget)`;
}

/**
 * The one message of a halted job: what MX said, what to check, and that running the same
 * command again continues where the job stopped.
 *
 * @example
 * haltMessage({ kind: 'unauthorized', status: 401, retryable: false, scope: 'job', dialect: 'mx-sso' }, 'https://int-api.mx.com')
 * // 'MX refused the API key (401 unauthorized): check --client-id/--api-key or MX_CLIENT_ID/MX_API_KEY; then run the same command again to continue'
 */
export function haltMessage(error: ApiError, baseUrl?: string): string {
  const said = error.message ? `, "${error.message}"` : '';
  const again = 'then run the same command again to continue';
  switch (error.kind) {
    case 'unauthorized':
      return `MX refused the API key (${error.status} unauthorized${said}): check --client-id/--api-key or MX_CLIENT_ID/MX_API_KEY; ${again}`;
    case 'forbidden':
      return `MX refused this client (${error.status} forbidden${said}): the client id may not use these endpoints; check --client-id or ask MX to enable it; ${again}`;
    case 'misconfigured':
      // The platform dialect names what to fix for these two: the base URL's path, or --api-version.
      if (error.dialect === 'platform' && (error.status === 404 || error.status === 406) && error.message) {
        return `MX answered ${error.status}: ${error.message} Then run the same command again to continue`;
      }
      return `MX says the API client is not set up for this (${error.status}${said}): ask MX support to finish the client's setup (e.g. associate it); ${again}`;
    case 'token_expired':
      return `MX kept refusing fresh tokens as expired (${error.status}${said}): check this machine's clock, or try --auth basic; ${again}`;
    case 'rate_limited':
      return `MX kept answering 429 too many requests${said}: lower --rate or --concurrency, or stop other jobs using this key; ${again}`;
    case 'unavailable': {
      const lasted = outageLasted(error);
      if (error.status === 0) {
        const detail = error.message ?? ('cause' in error ? error.cause : undefined);
        const why = 'timeout' in error && error.timeout ? 'requests timed out' : `no connection${detail ? ` (${detail})` : ''}`;
        return `MX could not be reached${baseUrl ? ` at ${baseUrl}` : ''}${lasted}: ${why}; check --base-url or MX_BASE_URL and the network; ${again}`;
      }
      return `MX is unavailable${lasted} (${error.status}${said}): wait for the outage or maintenance to end; ${again}`;
    }
    default:
      return `the job halted on ${describeError(error)}; ${again}`;
  }
}
