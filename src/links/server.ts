/**
 * `startLinkServer`: the link handler on a node:http server of its own, for the CLI's
 * `--links-port`. Behind the fintech's reverse proxy it is the part of mx-lifecycle that faces the
 * internet, so it bounds what one client can hold: slow headers and bodies time out, headers are
 * small, and connections are capped.
 */
import { createServer } from 'node:http';
import { listenOn } from '../_internals/index.js';
import { createLinkHandler, type LinkHandlerOptions } from './handler.js';

export interface LinkServerOptions extends LinkHandlerOptions {
  /** TCP port; 0 picks a free one. */
  port: number;
  /**
   * Interface to listen on; put the fintech's HTTPS reverse proxy in front.
   * @default '127.0.0.1'
   */
  host?: string;
  /**
   * Open connections at once; more are refused by the socket.
   * @default 512
   */
  maxConnections?: number;
}

export interface LinkServer {
  /** `http://host:port`: where the server listens (not the public URL links are written with). */
  url: string;
  port: number;
  /** Stops listening and drops open connections. */
  close(): Promise<void>;
}

export const DEFAULT_LINKS_HOST = '127.0.0.1';

/**
 * Starts serving stable links.
 *
 * @example
 * ```ts
 * const server = await startLinkServer({ port: 8080, keys, servesJob: (id) => id === 'march', backend, redirects });
 * // … later
 * await server.close();
 * ```
 */
export async function startLinkServer(options: LinkServerOptions): Promise<LinkServer> {
  const host = options.host ?? DEFAULT_LINKS_HOST;
  const server = createServer({ maxHeaderSize: 8 * 1024, requestTimeout: 10_000, headersTimeout: 5_000, keepAliveTimeout: 5_000 }, createLinkHandler(options));
  server.maxConnections = options.maxConnections ?? 512;
  const { port, origin } = await listenOn(server, options.port, host);
  return {
    url: origin,
    port,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
