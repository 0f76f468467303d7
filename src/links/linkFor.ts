/**
 * Writing stable links: the public URL of one connection's link, as the fintech's mailer sends it.
 */
import { sealLinkToken, type LinkKeys, type LinkRef } from './token.js';
import { LINK_PATH_PREFIX } from './handler.js';

/** How long a written link stays good. @default 14 days, as long as a connection waits for its end user. */
export const DEFAULT_LINK_TTL_MS = 14 * 24 * 60 * 60 * 1000;

/**
 * Why `publicUrl` cannot be the base of links, or null when it can: an absolute http(s) URL with
 * no credentials, query or fragment.
 *
 * @example
 * publicUrlProblem('https://connect.example.com/bank') // null
 * publicUrlProblem('ftp://x') // 'must start with http:// or https://'
 */
export function publicUrlProblem(publicUrl: string): string | null {
  let url: URL;
  try {
    url = new URL(publicUrl);
  } catch {
    return 'is not a URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must start with http:// or https://';
  if (url.username !== '' || url.password !== '') return 'must not hold a user name or password';
  if (url.search !== '' || url.hash !== '') return 'must not have a query or a fragment';
  return null;
}

/**
 * A function that writes the link of a connection under `publicUrl`, good for `ttlMs`.
 *
 * @example
 * ```ts
 * const linkFor = createLinkWriter(keys, 'https://connect.example.com');
 * linkFor({ jobId: 'march', customerId: 'c-1', connectionId: 'chase' }); // 'https://connect.example.com/c/AQ…'
 * ```
 */
export function createLinkWriter(keys: LinkKeys, publicUrl: string, ttlMs = DEFAULT_LINK_TTL_MS, now: () => number = Date.now): (ref: LinkRef) => string {
  const problem = publicUrlProblem(publicUrl);
  if (problem !== null) throw new Error(`public URL ${problem}`);
  const base = publicUrl.replace(/\/+$/, '');
  return (ref) => `${base}${LINK_PATH_PREFIX}${sealLinkToken(keys, ref, now() + ttlMs)}`;
}
