/**
 * Fetching an access token: `POST {tokenPath}` with Basic `client_id:api_key`, answered by
 * `{ access_token, token_type, expires_in }`. Only `tokens.ts`'s closure ever sees the value.
 */
import { err, ok, type Result } from 'neverthrow';
import { classify, makeApiError } from '../errors/index.js';
import type { ApiError, ClassifierRule, DialectOption } from '../errors/index.js';
import { exchange, type FetchLike } from './exchange.js';
import type { IssuedToken } from './token.js';

export interface TokenEndpointOptions {
  url: string;
  path: string;
  headers: Record<string, string>;
  fetch: FetchLike;
  dispatcher?: unknown;
  timeoutMs: number;
  dialect: DialectOption;
  rules: readonly ClassifierRule[];
  secrets: readonly string[];
}

/**
 * A `fetchToken` for the token source.
 *
 * @example
 * ```ts
 * const fetchToken = tokenFetcher({ url: `${base}/oauth/token`, path: '/oauth/token', headers, fetch, timeoutMs, dialect: 'auto', rules: [], secrets });
 * ```
 */
export function tokenFetcher(options: TokenEndpointOptions) {
  const request = { method: 'POST', path: options.path };
  return async (signal: AbortSignal): Promise<Result<IssuedToken, ApiError>> => {
    const response = await exchange(
      options.url,
      { method: 'POST', headers: options.headers, body: JSON.stringify({ grant_type: 'client_credentials' }) },
      { fetch: options.fetch, dispatcher: options.dispatcher, timeoutMs: options.timeoutMs, signal, request, secrets: options.secrets },
    );
    if (response.isErr()) return err(response.error);
    const { status, headers, text } = response.value;
    if (status < 200 || status > 299) {
      return err(classify({ status, headers, body: text }, { dialect: options.dialect, rules: options.rules, request, secrets: options.secrets }));
    }
    const grant = parseGrant(text);
    if (grant) return ok(grant);
    // The body held a token or something like it: it is not copied into the error.
    return err(makeApiError('unknown', {
      status,
      retryable: false,
      scope: 'job',
      message: 'The token endpoint answered without an access_token and a numeric expires_in.',
      exchange: { request },
    }));
  };
}

function parseGrant(text: string): IssuedToken | null {
  try {
    const body: unknown = JSON.parse(text);
    if (typeof body !== 'object' || body === null) return null;
    const { access_token: token, expires_in: expiresIn } = body as Record<string, unknown>;
    if (typeof token !== 'string' || token === '') return null;
    const seconds = typeof expiresIn === 'string' ? Number(expiresIn) : expiresIn;
    if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds <= 0) return null;
    return { token, expiresInSeconds: seconds };
  } catch {
    return null;
  }
}
