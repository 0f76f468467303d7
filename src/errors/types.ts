/**
 * The classified-error taxonomy: one plain, JSON-serialisable value for every HTTP outcome
 * that is not a success. Layers above the transport branch on `kind` (and on `retryable`
 * and `scope`), never on status codes or message text.
 */

/** The error dialects of the seed documents' APIs (the sandbox can render each of them). */
export type Dialect = 'mx-sso' | 'mcc' | 'mgx' | 'nexus';
/**
 * Every dialect the classifier knows: the seed documents' and `platform`, MX Platform's own
 * statuses (docs.mx.com/api-reference/platform-api/overview/errors), the client's default.
 */
export type ErrorDialect = Dialect | 'platform';
/** A dialect to classify with, or `auto`, which picks a seed dialect from the body's shape. */
export type DialectOption = ErrorDialect | 'auto';

/** Every kind of classified error. */
export const API_ERROR_KINDS = [
  'duplicate',
  'not_found',
  'invalid_external_id',
  'validation',
  'token_expired',
  'unauthorized',
  'forbidden',
  'rate_limited',
  'unavailable',
  'server_error',
  'misconfigured',
  'conflict',
  'challenge_expired',
  'credentials_stale',
  'not_aggregatable',
  'unreadable_row',
  'unknown',
] as const;

export type ApiErrorKind = (typeof API_ERROR_KINDS)[number];

/**
 * How far an error reaches: `item` errors end (or retry) one customer; `job` errors mean every
 * other request would fail the same way (bad key, outage, rate limit), so the job halts or waits.
 */
export type ErrorScope = 'item' | 'job';

/** A redacted record of the exchange, for reports sent to an integration engineer. */
export interface RedactedExchange {
  request?: { method: string; path: string };
  response?: { status: number; bodyExcerpt: string };
}

export interface FieldError {
  field: string;
  message: string;
}

interface ApiErrorBase {
  /** HTTP status; 0 for a network failure. */
  status: number;
  retryable: boolean;
  scope: ErrorScope;
  /**
   * The dialect whose rules classified the response; `network` for transport failures; `http` when
   * `auto` recognised no dialect's error body and the status alone decided; `local` when no response
   * was classified (made by `makeApiError`: a refused id, a closed client, an unexpected body).
   */
  dialect: ErrorDialect | 'network' | 'http' | 'local';
  /** The machine-readable code from the body, when it has one (numbers are kept as strings). */
  code?: string;
  /** The human-readable message from the body, when it has one (redacted). */
  message?: string;
  exchange?: RedactedExchange;
}

/**
 * Why a stored row could not be taken up again: its snapshot names a state the machines no longer
 * have, or one of its columns is not JSON, or not the shape a machine reads, or it was written by
 * newer machines than this release's.
 */
export type UnreadableCause = 'unknown_state' | 'bad_json' | 'bad_shape' | 'newer_machines';

/** The stored column that could not be read. */
export type UnreadableColumn = 'snapshot' | 'input' | 'outcome';

export type ApiError =
  | (ApiErrorBase & { kind: 'duplicate'; guid?: string })
  | (ApiErrorBase & { kind: 'not_found'; resource?: 'user' | 'member' | 'account' | 'challenge' | 'endpoint' | 'record' })
  | (ApiErrorBase & { kind: 'invalid_external_id' })
  | (ApiErrorBase & { kind: 'validation'; fields?: FieldError[] })
  | (ApiErrorBase & { kind: 'token_expired' })
  | (ApiErrorBase & { kind: 'unauthorized' })
  | (ApiErrorBase & { kind: 'forbidden' })
  | (ApiErrorBase & { kind: 'rate_limited'; retryAfterMs?: number })
  | (ApiErrorBase & { kind: 'unavailable'; timeout?: boolean; cause?: string; retryAfterMs?: number })
  | (ApiErrorBase & { kind: 'server_error' })
  | (ApiErrorBase & { kind: 'misconfigured' })
  | (ApiErrorBase & { kind: 'conflict' })
  | (ApiErrorBase & { kind: 'challenge_expired' })
  | (ApiErrorBase & { kind: 'credentials_stale' })
  | (ApiErrorBase & { kind: 'not_aggregatable' })
  /** Made by the runtime, not the classifier: the customer's stored row could not be restored. */
  | (ApiErrorBase & { kind: 'unreadable_row'; cause: UnreadableCause; column: UnreadableColumn; machinesVersion?: number })
  | (ApiErrorBase & { kind: 'unknown' });

/** The `ApiError` of one kind, e.g. `ApiErrorOf<'duplicate'>` has `guid`. */
export type ApiErrorOf<K extends ApiErrorKind> = Extract<ApiError, { kind: K }>;

/** An HTTP outcome as the classifier sees it. */
export interface HttpOutcome {
  status: number;
  headers: Record<string, string> | Headers;
  body: string | Uint8Array;
}

/** A user rule: when it matches, its `kind` wins over the built-in rules. */
export interface ClassifierRule {
  /** A status, several, or a predicate over it; omitted means any status. */
  status?: number | readonly number[] | ((status: number) => boolean);
  /** Matches the body's machine code (as a string). */
  code?: string | RegExp;
  /** Matches the body's message (or the raw body when it has no message). */
  message?: string | RegExp;
  kind: ApiErrorKind;
  retryable?: boolean;
  scope?: ErrorScope;
}

export interface ClassifyOptions {
  /** Which dialect's rules to apply; `auto` (default) picks from the body's shape. */
  dialect: DialectOption;
  /** Extra rules, tried in order before the built-in ones. */
  rules: readonly ClassifierRule[];
  /**
   * The request, recorded redacted on the error's `exchange`. The `platform` dialect also reads
   * which endpoint was called where the status alone is ambiguous (409), and names `baseUrl` when
   * a bare 404 says the URL is wrong.
   */
  request?: { method: string; path: string; baseUrl?: string };
  /** Secrets to scrub from excerpts and messages in addition to the built-in patterns. */
  secrets?: readonly string[];
}
