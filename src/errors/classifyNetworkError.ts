import { buildError } from './_internals/build.js';
import type { Verdict } from './_internals/evidence.js';
import type { ApiError, ClassifyOptions } from './types.js';

const TIMEOUT_CODES = new Set([
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

// Failures of the request as written, not of the network: no retry cures them, and every other
// request of the job is built the same way.
const MISCONFIGURED_CODES = new Set([
  'ERR_INVALID_URL',
  'ERR_INVALID_ARG_TYPE',
  'ERR_INVALID_ARG_VALUE',
  'ERR_INVALID_HTTP_TOKEN',
  'ERR_INVALID_CHAR',
  'UND_ERR_INVALID_ARG',
  'UND_ERR_NOT_SUPPORTED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
]);

const MAX_DEPTH = 8;

interface Found {
  codes: string[];
  names: string[];
  messages: string[];
}

function readProp(value: object, key: string): unknown {
  try {
    return (value as Record<string, unknown>)[key];
  } catch {
    return undefined;
  }
}

/** Walks `cause` chains and AggregateError lists (happy-eyeballs connects fail with several). */
function collect(error: unknown, found: Found, depth: number, seen: Set<unknown>): void {
  if (depth > MAX_DEPTH || typeof error !== 'object' || error === null || seen.has(error)) return;
  seen.add(error);
  const code = readProp(error, 'code');
  const name = readProp(error, 'name');
  const message = readProp(error, 'message');
  // DOMException's numeric `code` is a legacy constant, not a system error code.
  if (typeof code === 'string' && /^[A-Z][A-Z0-9_]{1,63}$/.test(code)) found.codes.push(code);
  if (typeof name === 'string' && /^\w{1,64}$/.test(name)) found.names.push(name);
  if (typeof message === 'string' && message !== '') found.messages.push(message);
  const errors = readProp(error, 'errors');
  if (Array.isArray(errors)) for (const e of errors.slice(0, 4)) collect(e, found, depth + 1, seen);
  collect(readProp(error, 'cause'), found, depth + 1, seen);
}

function verdictOf(found: Found): { verdict: Verdict; timeout: boolean; cause?: string } {
  const timeoutCode = found.codes.find((c) => TIMEOUT_CODES.has(c));
  if (found.names.includes('TimeoutError') || timeoutCode) {
    return { verdict: { kind: 'unavailable' }, timeout: true, cause: timeoutCode ?? 'TimeoutError' };
  }
  const misconfigured = found.codes.find((c) => MISCONFIGURED_CODES.has(c));
  if (misconfigured) return { verdict: { kind: 'misconfigured' }, timeout: false, cause: misconfigured };
  const network = found.codes.find((c) => /^E[A-Z0-9]+$/.test(c) || c.startsWith('UND_ERR_') || c.startsWith('EAI_'));
  if (network) return { verdict: { kind: 'unavailable' }, timeout: false, cause: network };
  if (found.names.includes('AbortError')) return { verdict: { kind: 'unavailable' }, timeout: false, cause: 'AbortError' };
  // undici reports every network failure as TypeError('fetch failed'), and a body cut short as
  // TypeError('terminated'), even when it gives no cause.
  if (found.messages.some((m) => m === 'fetch failed' || m === 'terminated' || /\bsocket\b|\bnetwork\b/i.test(m))) {
    return { verdict: { kind: 'unavailable' }, timeout: false, cause: found.codes[0] ?? found.names[0] ?? 'fetch failed' };
  }
  // Not a transport failure (a bug, a thrown string): retrying would repeat it.
  const cause = found.codes[0] ?? found.names[0];
  return { verdict: { kind: 'unknown', retryable: false }, timeout: false, ...(cause ? { cause } : {}) };
}

/**
 * Classifies a failed `fetch` (no HTTP response at all) into an `ApiError` with status 0 and
 * dialect `network`: connection refused or reset, DNS failures and socket errors are
 * `unavailable` with the system code as `cause`; timeouts (`AbortSignal.timeout`, undici's
 * connect/headers/body timeouts) also carry `timeout: true`; a plain abort is `unavailable` with
 * cause `AbortError`; an invalid URL or TLS certificate is `misconfigured`. Never throws.
 *
 * @example
 * ```ts
 * try {
 *   res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
 * } catch (e) {
 *   return err(classifyNetworkError(e, { request: { method: 'GET', path: '/users' } }));
 *   // { kind: 'unavailable', status: 0, timeout: true, cause: 'TimeoutError', retryable: true, scope: 'job', ... }
 * }
 * ```
 */
export function classifyNetworkError(error: unknown, options: Partial<ClassifyOptions> = {}): ApiError {
  const found: Found = { codes: [], names: [], messages: [] };
  const opts = typeof options === 'object' && options !== null ? options : {};
  const secrets = Array.isArray(opts.secrets) ? opts.secrets.filter((s): s is string => typeof s === 'string') : [];
  try {
    collect(error, found, 0, new Set());
    if (typeof error === 'string') found.messages.push(error);
  } catch {
    // An error object hostile enough to throw while being read is still a failed request.
  }
  const { verdict, timeout, cause } = verdictOf(found);
  const message = [...new Set(found.messages)].slice(0, 3).join(': ');
  return buildError({
    verdict,
    status: 0,
    dialect: 'network',
    ...(message === '' ? {} : { message }),
    ...(timeout ? { timeout } : {}),
    ...(cause === undefined ? {} : { cause }),
    request: opts.request,
    secrets,
  });
}
