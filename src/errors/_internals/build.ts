import { dispositionOf } from '../disposition.js';
import { redactExcerpt, redactPath } from '../redact.js';
import type { ApiError, FieldError, RedactedExchange } from '../types.js';
import { guidIn, type NotFoundResource, type Verdict } from './evidence.js';

const CODE_BYTES = 128;

/** Everything known about a failed exchange, unredacted; `buildError` makes it safe to keep. */
export interface Findings {
  verdict: Verdict;
  status: number;
  dialect: ApiError['dialect'];
  code?: string;
  message?: string;
  fields?: FieldError[];
  retryAfterMs?: number;
  timeout?: boolean;
  cause?: string;
  /** The head of the response body; absent for network failures (no response). */
  bodyText?: string;
  request?: unknown;
  secrets: readonly string[];
}

function inferResource(message: string | undefined): NotFoundResource | undefined {
  const word = message && /\b(user|member|account|challenge)\b/i.exec(message)?.[1]?.toLowerCase();
  return word === 'user' || word === 'member' || word === 'account' || word === 'challenge' ? word : undefined;
}

function requestOf(request: unknown, secrets: readonly string[]): RedactedExchange['request'] | undefined {
  if (typeof request !== 'object' || request === null) return undefined;
  const { method, path } = request as { method?: unknown; path?: unknown };
  if (typeof method !== 'string' && typeof path !== 'string') return undefined;
  const m = typeof method === 'string' ? method : '';
  return {
    method: /^[A-Za-z-]{1,16}$/.test(m) ? m.toUpperCase() : redactExcerpt(m, secrets, 32),
    path: redactExcerpt(redactPath(typeof path === 'string' ? path : '', secrets), secrets),
  };
}

/**
 * Turns findings into the plain, JSON-serialisable `ApiError`: the kind's disposition, the fields
 * its kind carries, and every copied text redacted and capped.
 */
export function buildError(f: Findings): ApiError {
  const { verdict, status, secrets } = f;
  const disposition = dispositionOf(verdict.kind, status);
  const clean = (text: string, max?: number): string => redactExcerpt(text, secrets, max);
  const error: Record<string, unknown> = {
    kind: verdict.kind,
    status,
    retryable: verdict.retryable ?? disposition.retryable,
    scope: verdict.scope ?? disposition.scope,
    dialect: f.dialect,
  };
  if (f.code !== undefined) error.code = clean(f.code, CODE_BYTES);
  if (verdict.message !== undefined) {
    error.message = clean(f.message === undefined ? verdict.message : `${verdict.message} MX said: ${f.message}`);
  } else if (f.message !== undefined) error.message = clean(f.message);

  switch (verdict.kind) {
    case 'duplicate': {
      const guid = verdict.guid ?? (f.message === undefined ? undefined : guidIn(f.message));
      if (guid !== undefined) error.guid = clean(guid, CODE_BYTES);
      break;
    }
    case 'not_found': {
      const resource = verdict.resource ?? inferResource(f.message);
      if (resource !== undefined) error.resource = resource;
      break;
    }
    case 'validation':
      if (f.fields && f.fields.length > 0) {
        error.fields = f.fields.map((x) => ({ field: clean(x.field, 256), message: clean(x.message, 512) }));
      }
      break;
    case 'rate_limited':
      if (f.retryAfterMs !== undefined) error.retryAfterMs = f.retryAfterMs;
      break;
    case 'unavailable':
      if (f.timeout) error.timeout = true;
      if (f.cause !== undefined) error.cause = f.cause;
      if (f.retryAfterMs !== undefined) error.retryAfterMs = f.retryAfterMs;
      break;
    default:
      break;
  }

  const exchange: RedactedExchange = {};
  const request = requestOf(f.request, secrets);
  if (request) exchange.request = request;
  if (f.bodyText !== undefined) exchange.response = { status, bodyExcerpt: clean(f.bodyText) };
  if (exchange.request || exchange.response) error.exchange = exchange;
  return error as unknown as ApiError;
}
