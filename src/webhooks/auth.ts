/**
 * HTTP Basic for webhooks (one of the schemes MX offers, docs.mx.com/resources/webhooks): the
 * expected `USER:PASSWORD` kept only as a digest, and every Authorization header compared in
 * constant time, so neither its length nor its first wrong byte shows in the answer's timing.
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
