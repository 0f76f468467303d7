/**
 * Authenticating MX's webhook deliveries. MX offers HTTP Basic, mutual TLS, or an OAuth 2 bearer
 * token obtained with client credentials (docs.mx.com/resources/webhooks, "Security"). Basic and
 * bearer are checked here; mutual TLS ends at the fintech's TLS proxy. The expected secrets are
 * kept only as digests, and every Authorization header compared in constant time, so neither its
 * length nor its first wrong byte shows in the answer's timing.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

/** Checks an Authorization header; built once from `USER:PASSWORD`. */
export type BasicCheck = (authorization: string | undefined) => boolean;

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

/**
 * Why `USER:PASSWORD` is not usable, or null when it is.
 *
 * @example
 * webhookAuthProblem('mx') // 'must be USER:PASSWORD with both parts non-empty'
 */
export function webhookAuthProblem(auth: string): string | null {
  const colon = auth.indexOf(':');
  return colon <= 0 || colon === auth.length - 1 ? 'must be USER:PASSWORD with both parts non-empty' : null;
}

/**
 * A constant-time check of `Authorization: Basic …` against `USER:PASSWORD`.
 *
 * @example
 * const check = basicCheck('mx:s3cret');
 * check(`Basic ${Buffer.from('mx:s3cret').toString('base64')}`); // true
 */
export function basicCheck(auth: string): BasicCheck {
  const problem = webhookAuthProblem(auth);
  if (problem) throw new TypeError(`webhook auth ${problem}, e.g. createWebhookReceiver({ auth: 'mx:long-random-password', ... })`);
  const expected = digest(auth);
  return (authorization) => {
    const match = /^Basic[ \t]+([A-Za-z0-9+/=]+)[ \t]*$/i.exec(authorization ?? '');
    const given = match?.[1] === undefined ? '' : Buffer.from(match[1], 'base64').toString('utf8');
    // Digests have one length whatever was sent, which timingSafeEqual needs.
    return timingSafeEqual(digest(given), expected) && match !== null;
  };
}

/**
 * Why a bearer token is not usable, or null when it is (RFC 6750 token68 characters, 16 or more).
 *
 * @example
 * webhookBearerProblem('short') // 'must be at least 16 characters of A-Z a-z 0-9 - . _ ~ + /'
 */
export function webhookBearerProblem(token: string): string | null {
  return /^[A-Za-z0-9\-._~+/]{16,}=*$/.test(token) ? null : 'must be at least 16 characters of A-Z a-z 0-9 - . _ ~ + /';
}

/**
 * A constant-time check of `Authorization: Bearer …` against the token MX was given.
 *
 * @example
 * const check = bearerCheck('a-long-random-token-value');
 * check('Bearer a-long-random-token-value'); // true
 */
export function bearerCheck(token: string): BasicCheck {
  const problem = webhookBearerProblem(token);
  if (problem) throw new TypeError(`webhook bearer token ${problem}, e.g. createWebhookReceiver({ bearer: process.env.MX_WEBHOOK_BEARER, ... })`);
  const expected = digest(token);
  return (authorization) => {
    const match = /^Bearer[ \t]+([A-Za-z0-9\-._~+/]+=*)[ \t]*$/i.exec(authorization ?? '');
    return timingSafeEqual(digest(match?.[1] ?? ''), expected) && match !== null;
  };
}

/**
 * The check of a receiver: a delivery passes with either configured scheme; with neither, every
 * delivery passes (only behind a proxy that authenticates MX itself, e.g. with mutual TLS).
 *
 * @example
 * const check = webhookCheck({ auth: 'mx:s3cret', bearer: process.env.MX_WEBHOOK_BEARER ?? null });
 */
export function webhookCheck(schemes: { auth: string | null; bearer?: string | null }): BasicCheck {
  const checks = [schemes.auth === null ? null : basicCheck(schemes.auth), schemes.bearer ? bearerCheck(schemes.bearer) : null]
    .filter((c): c is BasicCheck => c !== null);
  if (checks.length === 0) return () => true;
  // Every configured check runs, so the answer's timing does not say which scheme was tried.
  return (authorization) => checks.map((check) => check(authorization)).includes(true);
}
