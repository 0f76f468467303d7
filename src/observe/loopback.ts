/**
 * What keeps a local server local: it listens on 127.0.0.1 unless told otherwise, and it answers
 * only requests addressed to it by a loopback name (a page on another site that points its own
 * domain at 127.0.0.1, DNS rebinding, is refused by its Host) and coming from its own pages (a
 * foreign Origin, or a browser that says the request is cross-site, is refused).
 */
import type { IncomingMessage } from 'node:http';

export const LOOPBACK_HOST = '127.0.0.1';

/** Whether `host` is a loopback address or name. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '');
  return bare === 'localhost' || bare === '::1' || /^127(\.\d{1,3}){3}$/.test(bare);
}

/**
 * Why a request must be refused, or null when it may be answered.
 *
 * @example
 * refusal(req, { port: 8123, loopbackOnly: true }) // 'foreign origin https://evil.example'
 */
export function refusal(request: Pick<IncomingMessage, 'headers'>, options: { port: number; loopbackOnly: boolean }): string | null {
  const host = request.headers.host ?? '';
  const match = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(host);
  if (!match) return 'no Host header';
  if (options.loopbackOnly && (!isLoopbackHost(match[1] ?? '') || Number(match[2] ?? 80) !== options.port)) return `foreign host ${host}`;
  const origin = request.headers.origin;
  if (origin !== undefined && origin !== `http://${host}`) return `foreign origin ${origin}`;
  const site = request.headers['sec-fetch-site'];
  if (site === 'cross-site') return 'cross-site request';
  return null;
}

/** Headers every answer carries: nothing may load from elsewhere, nothing may frame the page. */
export const LOCAL_PAGE_HEADERS = {
  'Content-Security-Policy': "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
} as const;
