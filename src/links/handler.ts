/**
 * `createLinkHandler`: a Node request handler that turns a stable link (`GET /c/<token>`) into a
 * fresh MX URL for one waiting connection and answers 302 to it. MX's URLs die after ten minutes
 * or on first use, so each click mints a new one; the token itself is the fintech's, sealed with
 * its link secret. The handler writes nothing about the URL anywhere: it is only ever in the
 * `Location` header of the answer to the end user who clicked.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ResultAsync } from 'neverthrow';
import type { ApiError } from '../errors/index.js';
import { createLinkGate, type LinkGateOptions } from './gate.js';
import { renderLinkPage, type LinkPage } from './pages.js';
import type { RedirectPolicy } from './redirects.js';
import { openLinkToken, type LinkKeys, type LinkRef } from './token.js';

/** What the link server needs to know of one connection to mint its URL. */
export interface LinkTarget {
  /** How the end user connects: the Connect widget, or the member's OAuth window. */
  kind: 'oauth' | 'widget';
  /** Whether the connection is waiting for its end user; a finished one gets "nothing left to do". */
  waiting: boolean;
  userGuid?: string | undefined;
  memberGuid?: string | undefined;
  institutionCode?: string | undefined;
}

/** Where the handler finds connections, mints MX URLs and records clicks. */
export interface LinkBackend {
  /** The connection `ref` names, or null when the job has no such customer or connection. */
  find(ref: LinkRef): Promise<LinkTarget | null>;
  /** A fresh MX URL for `target` (a widget URL, or the member's OAuth window). */
  mint(ref: LinkRef, target: LinkTarget): ResultAsync<{ url: string }, ApiError>;
  /** Records that the end user opened the link (called at most once a minute per connection). */
  opened?(ref: LinkRef): Promise<void>;
}

/** What the handler did with one request; never holds the token or an MX URL. */
export type LinkEvent =
  | { type: 'link.redirected'; jobId: string; customerId: string; connectionId: string }
  | { type: 'link.refused'; status: number; reason: string; jobId?: string; customerId?: string; connectionId?: string }
  | { type: 'link.mintFailed'; jobId: string; customerId: string; connectionId: string; error: ApiError };

export interface LinkHandlerOptions extends Partial<LinkGateOptions> {
  keys: LinkKeys;
  /** Whether this server serves links of `jobId`; a token of another job is refused as unknown. */
  servesJob(jobId: string): boolean;
  backend: LinkBackend;
  /** Which minted URLs may be sent on; see `mxRedirectPolicy`. */
  redirects: RedirectPolicy;
  /** Told of every answer, for logs and counts. */
  onEvent?: (event: LinkEvent) => void;
  now?: () => number;
}

export type LinkHandler = (req: IncomingMessage, res: ServerResponse) => void;

/** The path prefix of a stable link: `/c/<token>`. */
export const LINK_PATH_PREFIX = '/c/';

const PAGE_HEADERS = {
  'Content-Type': 'text/html; charset=utf-8',
  'Cache-Control': 'no-store',
  'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  'Referrer-Policy': 'no-referrer',
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
};

const PAGE_STATUS: Record<LinkPage, number> = {
  notFound: 404, expired: 410, complete: 410, busy: 503, mxUnavailable: 503, tooMany: 429, method: 405,
};

function answer(res: ServerResponse, page: LinkPage, extra: Record<string, string> = {}): void {
  const html = renderLinkPage(page);
  res.writeHead(PAGE_STATUS[page], { ...PAGE_HEADERS, 'Content-Length': String(Buffer.byteLength(html)), ...extra });
  res.end(html);
}

/**
 * A handler for `GET /c/<token>`; mount it in your own server, or run it with `startLinkServer`.
 *
 * @example
 * ```ts
 * const handler = createLinkHandler({
 *   keys, servesJob: (id) => id === 'march', redirects: mxRedirectPolicy(baseUrl),
 *   backend: createStoreLinkBackend({ store, client }),
 * });
 * http.createServer(handler).listen(8080);
 * ```
 */
export function createLinkHandler(options: LinkHandlerOptions): LinkHandler {
  const now = options.now ?? Date.now;
  const gate = createLinkGate(options, now);
  const tell = (event: LinkEvent) => options.onEvent?.(event);

  const refuse = (res: ServerResponse, page: LinkPage, reason: string, ref?: LinkRef, extra?: Record<string, string>) => {
    answer(res, page, extra);
    tell({ type: 'link.refused', status: PAGE_STATUS[page], reason, ...ref });
  };

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?', 1)[0] ?? '/';
    if (!path.startsWith(LINK_PATH_PREFIX) || path.indexOf('/', LINK_PATH_PREFIX.length) !== -1) return refuse(res, 'notFound', 'unknown path');
    if (req.method !== 'GET') return refuse(res, 'method', `method ${req.method ?? ''}`, undefined, { Allow: 'GET' });
    const opened = openLinkToken(options.keys, path.slice(LINK_PATH_PREFIX.length), now());
    if (!opened.ok) return refuse(res, opened.problem === 'expired' ? 'expired' : 'notFound', `token ${opened.problem}`);
    const ref = opened.ref;
    if (!options.servesJob(ref.jobId)) return refuse(res, 'notFound', 'another job', ref);
    if (gate.enter() === 'busy') return refuse(res, 'busy', 'requests in flight at their limit', ref, { 'Retry-After': '5' });
    try {
      const target = await options.backend.find(ref);
      if (target === null) return refuse(res, 'notFound', 'no such connection', ref);
      if (!target.waiting) return refuse(res, 'complete', 'connection not waiting', ref);
      if (gate.firstOpen(ref)) await options.backend.opened?.(ref).catch(() => undefined);
      if (gate.mint(ref) === 'tooMany') return refuse(res, 'tooMany', 'connection opened too often', ref, { 'Retry-After': '60' });
      const minted = await options.backend.mint(ref, target);
      if (minted.isErr()) {
        tell({ type: 'link.mintFailed', ...ref, error: minted.error });
        return answer(res, 'mxUnavailable', { 'Retry-After': '30' });
      }
      if (!options.redirects(minted.value.url)) return refuse(res, 'mxUnavailable', 'minted URL is not on an MX host', ref, { 'Retry-After': '30' });
      res.writeHead(302, { Location: minted.value.url, 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer', 'Content-Length': '0' });
      res.end();
      tell({ type: 'link.redirected', ...ref });
    } finally {
      gate.release();
    }
  }

  return (req, res) => {
    // A request body is never read: drain it so the socket can be reused or closed cleanly.
    req.resume();
    serve(req, res).catch(() => {
      if (!res.headersSent) answer(res, 'mxUnavailable', { 'Retry-After': '30' });
      else res.destroy();
    });
  };
}
