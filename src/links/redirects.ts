/**
 * Where the link server may send an end user: only to MX. A minted URL is checked against the
 * hosts MX serves its widget and OAuth windows from before it becomes a `Location`, so neither a
 * token nor a request (its Host header, its path) nor an answer that is not MX's can turn the
 * server into an open redirect.
 */
import { isLoopbackHost } from '../observe/_internals/index.js';

/** Decides whether a minted URL may be sent to the end user. */
export type RedirectPolicy = (url: string) => boolean;

/**
 * The host suffixes MX's Connect widget and OAuth windows are served from. The widget URLs MX
 * documents are on `*.moneydesktop.com` (spec `WidgetResponse.url`: int-widgets.moneydesktop.com),
 * and `oauth_window_uri` on `*.mx.com` (spec `MemberResponse.oauth_window_uri`: mxbank.mx.com).
 */
export const MX_REDIRECT_HOST_SUFFIXES: readonly string[] = Object.freeze(['.mx.com', '.moneydesktop.com']);

function parse(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/**
 * The policy for a client of `apiBaseUrl`: HTTPS to a host under one of `hostSuffixes`; and, when
 * the API itself is on a loopback address (the sandbox), that exact origin too.
 *
 * @example
 * ```ts
 * const allowed = mxRedirectPolicy('https://int-api.mx.com');
 * allowed('https://int-widgets.moneydesktop.com/md/connect/abc'); // true
 * allowed('https://evil.example/'); // false
 * ```
 */
export function mxRedirectPolicy(apiBaseUrl: string, hostSuffixes: readonly string[] = MX_REDIRECT_HOST_SUFFIXES): RedirectPolicy {
  const api = parse(apiBaseUrl);
  const localOrigin = api !== null && isLoopbackHost(api.hostname) ? api.origin : null;
  return (url) => {
    const target = parse(url);
    if (target === null || target.username !== '' || target.password !== '') return false;
    if (localOrigin !== null && target.origin === localOrigin) return true;
    if (target.protocol !== 'https:') return false;
    const host = target.hostname.toLowerCase();
    return hostSuffixes.some((suffix) => host.endsWith(suffix) && host.length > suffix.length);
  };
}
