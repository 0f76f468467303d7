/**
 * `createWebhookReceiver`: the webhook handler on a node:http server of its own, at one path,
 * for a process that has no HTTP server to mount it in (the CLI's `--webhook-port`).
 */
import { createServer } from 'node:http';
import { listenOn } from '../_internals/index.js';
import { createWebhookHandler, type WebhookHandlerOptions, type WebhookStats } from './handler.js';

export interface WebhookReceiverOptions extends WebhookHandlerOptions {
  /** TCP port; 0 picks a free one. */
  port: number;
  /** Interface to listen on; put a TLS proxy in front for MX, which posts over HTTPS. @default '127.0.0.1' */
  host?: string;
  /** The path MX posts to; other paths answer 404. @default '/webhooks/mx' */
  path?: string;
}

export interface WebhookReceiver {
  /** `http://host:port/path`: the URL to give MX (behind its HTTPS proxy). */
  url: string;
  port: number;
  stats(): WebhookStats;
  /** Stops listening and drops open connections. */
  close(): Promise<void>;
}

import { DEFAULT_WEBHOOK_HOST, DEFAULT_WEBHOOK_PATH } from './defaults.js';

/**
 * Starts a webhook receiver that wakes the members of `target` (a runtime).
 *
 * @example
 * ```ts
 * const runtime = createRuntime({ store, client, options: { pollIntervalMs: WEBHOOK_POLL_INTERVAL_MS } });
 * const receiver = await createWebhookReceiver({ target: runtime, port: 8443, auth: process.env.MX_WEBHOOK_AUTH ?? null });
 * await runtime.run('march');
 * await receiver.close();
 * ```
 */
export async function createWebhookReceiver(options: WebhookReceiverOptions): Promise<WebhookReceiver> {
  const path = options.path ?? DEFAULT_WEBHOOK_PATH;
  const host = options.host ?? DEFAULT_WEBHOOK_HOST;
  const handler = createWebhookHandler(options);
  const server = createServer((req, res) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    if ((q === -1 ? url : url.slice(0, q)) === path) return handler(req, res);
    req.resume();
    res.writeHead(404, { 'content-length': '0' }).end();
  });
  // A slow or stuck sender cannot hold a socket for long.
  server.requestTimeout = 10_000;
  server.headersTimeout = 5_000;
  const { port, origin } = await listenOn(server, options.port, host);
  return {
    url: `${origin}${path}`,
    port,
    stats: handler.stats,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
