import { readBody } from './_internals/body.js';
import { buildError } from './_internals/build.js';
import { decide, statusOnly } from './_internals/decide.js';
import { DIALECTS, detectDialect, otherMessages } from './dialects/auto.js';
import type { DialectRules, Evidence } from './_internals/evidence.js';
import { headerValue } from './_internals/headers.js';
import { parseRetryAfter } from './retryAfter.js';
import type { ApiError, ClassifyOptions, HttpOutcome } from './types.js';
import { matchUserRules } from './_internals/userRules.js';

/** The defaults `classify` merges a `Partial<ClassifyOptions>` over. */
export const defaultClassifyOptions: Readonly<ClassifyOptions> = Object.freeze({ dialect: 'auto', rules: [] });

/** What `auto` applies when no dialect's envelope is recognised: only shared wording and the status. */
const NO_DIALECT = { codes: [], messages: [] } as const;

/** How much of a message (or a plain-text body) the message rules read. */
const MATCH_CHARS = 4096;
/** A body this short that is not markup may be a message sent as plain text. */
const PLAIN_TEXT_CHARS = 512;

function statusOf(value: unknown): number {
  return typeof value === 'number' && Number.isSafeInteger(value) ? value + 0 : 0;
}

function secretsOf(options: Partial<ClassifyOptions>): readonly string[] {
  return Array.isArray(options.secrets) ? options.secrets.filter((s): s is string => typeof s === 'string') : [];
}

/** The request as evidence: method and path when both are strings (a hostile caller may pass anything). */
function requestOf(request: unknown): Pick<Evidence, 'request'> {
  if (typeof request !== 'object' || request === null) return {};
  const { method, path, baseUrl } = request as Record<string, unknown>;
  if (typeof method !== 'string' || typeof path !== 'string') return {};
  return { request: { method: method.toUpperCase(), path, ...(typeof baseUrl === 'string' ? { baseUrl } : {}) } };
}

function dialectOf(name: unknown, body: ReturnType<typeof readBody>): DialectRules | undefined {
  if (typeof name === 'string' && Object.hasOwn(DIALECTS, name)) return DIALECTS[name as keyof typeof DIALECTS];
  return detectDialect(body);
}

function classifyOutcome(response: HttpOutcome, options: Partial<ClassifyOptions>): ApiError {
  const status = statusOf(response.status);
  const body = readBody(response.body);
  const rules = dialectOf(options.dialect, body);
  const read = rules?.read(body);
  const plain = body.text.trim();
  const text =
    read?.message ?? (plain.length <= PLAIN_TEXT_CHARS && !plain.startsWith('<') && !plain.startsWith('{') ? plain : undefined);
  const evidence: Evidence = {
    status,
    envelope: read !== undefined,
    ...read,
    ...(text === undefined ? {} : { text: text.slice(0, MATCH_CHARS) }),
    ...requestOf(options.request),
  };
  const verdict =
    matchUserRules(options.rules ?? [], evidence, body.text.slice(0, MATCH_CHARS)) ??
    decide(rules ?? NO_DIALECT, evidence, otherMessages(rules));
  const retryAfter = headerValue(response.headers, 'retry-after');
  return buildError({
    verdict,
    status,
    dialect: rules?.dialect ?? 'http',
    ...read,
    ...(retryAfter === undefined ? {} : { retryAfterMs: parseRetryAfter(retryAfter) }),
    ...(status === 408 || status === 504 ? { timeout: true } : {}),
    bodyText: body.text,
    request: options.request,
    secrets: secretsOf(options),
  });
}

/**
 * Classifies an HTTP outcome that is not a success into an `ApiError`. Evidence is weighed in the
 * order status, machine code, message, and the status alone always gives an answer. User `rules`
 * are tried first. Never throws, whatever the status, headers or body.
 *
 * @example
 * ```ts
 * const e = classify({ status: 400, headers: {}, body: '{"error":"User already exists with guid USR-1"}' });
 * // { kind: 'duplicate', guid: 'USR-1', status: 400, retryable: false, scope: 'item', dialect: 'mx-sso', ... }
 * if (e.kind === 'duplicate') await recoverExistingUser(e.guid);
 * ```
 */
export function classify(response: HttpOutcome, options: Partial<ClassifyOptions> = {}): ApiError {
  const opts = typeof options === 'object' && options !== null ? options : {};
  try {
    return classifyOutcome(typeof response === 'object' && response !== null ? response : ({} as HttpOutcome), opts);
  } catch {
    // Only a hostile input (a proxy whose getters throw) gets here; the status alone still answers.
    let status = 0;
    try {
      status = statusOf(response.status);
    } catch {
      // Unreadable status: 0, as for a response that never arrived.
    }
    return buildError({ verdict: statusOnly(status, false), status, dialect: 'http', secrets: [] });
  }
}

/**
 * A `classify` bound to defaults, so a client is configured once (its dialect, its own rules, its
 * secrets). Per-call rules are tried before the defaults' rules; secrets add up.
 *
 * @example
 * ```ts
 * const classifyMx = createClassifier({ dialect: 'mx-sso', secrets: [apiKey] });
 * const e = classifyMx(outcome, { request: { method: 'POST', path: '/users' } });
 * ```
 */
export function createClassifier(
  defaults: Partial<ClassifyOptions> = {},
): (response: HttpOutcome, options?: Partial<ClassifyOptions>) => ApiError {
  const base = { ...defaultClassifyOptions, ...defaults };
  return (response, options = {}) =>
    classify(response, {
      ...base,
      ...options,
      rules: [...(options.rules ?? []), ...(base.rules ?? [])],
      secrets: [...secretsOf(options), ...secretsOf(base)],
    });
}
