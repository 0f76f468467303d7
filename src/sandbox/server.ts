/**
 * `startSandbox`: a local MX Platform API on node:http. Each request goes through the same
 * gates, in the order a gateway applies them: Accept, Accept-Version, auth, rate limit, route,
 * Content-Type, fault, body, handler. Nothing here logs, and nothing here keeps a credential value.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { Authenticator } from './auth.js';
import { trackConnections } from './connectionCap.js';
import { EndUserLinks, type EndUserStats } from './endUserLinks.js';
import { createEndUserPages } from './endUserPages.js';
import { FaultInjector, type Fault } from './faultInjector.js';
import type { HandlerContext } from './handlers/context.js';
import { resolveSandboxOptions, type SandboxOptions } from './options.js';
import { createReplies, JSON_TYPE } from './replies.js';
import { HANDLERS, isWriteRoute, takesNoBody } from './routes.js';
import { matchRoute, type RouteMatch } from './router.js';
import { routeKey } from './routeTemplates.js';
import { StatsRecorder, type SandboxStats } from './stats.js';
import { SandboxStore, type SandboxMember, type SandboxUser } from './store.js';
import { TokenBucket } from './tokenBucket.js';
import { versionOf } from './versions.js';
import { createWebhookSender, type WebhookSenderStats } from './webhookSender.js';
import { memberWriteOf } from './webhookWrites.js';
import { acceptable, hasEmptyBody, isJsonContentType, parseJson, readBody } from './wire.js';

/** The sandbox's ground truth: every record (never a credential) and the request statistics. */
export interface SandboxState {
  users: SandboxUser[];
  members: SandboxMember[];
  stats: SandboxStats;
  /** What the webhook sender did, when the sandbox sends webhooks. */
  webhooks?: WebhookSenderStats;
  /** Connect widget URLs and OAuth windows: counts only, never a URL. */
  endUser: EndUserStats;
}

export interface Sandbox {
  /** `http://host:port`, no trailing slash. */
  url: string;
  port: number;
  /** Stops listening, drops open connections and pending responses. */
  close(): Promise<void>;
  /** The same document as `GET /__sandbox/state`. */
  state(): SandboxState;
  /** The same as `POST /__sandbox/reset`: no users, members or statistics; the fault sequence starts over. */
  reset(): void;
}

const EMPTY_QUERY = new URLSearchParams();
const firstOf = (header: string | string[] | undefined): string | undefined => (Array.isArray(header) ? header[0] : header);

/**
 * Starts a sandbox MX Platform API on loopback.
 *
 * @example
 * const sandbox = await startSandbox({ rateLimit: 20, aggregationMs: 100 });
 * const users = await fetch(`${sandbox.url}/users`, {
 *   headers: {
 *     authorization: `Basic ${Buffer.from('sandbox-client:sandbox-key').toString('base64')}`,
 *     accept: 'application/json',
 *     'accept-version': 'v20250224',
 *   },
 * }).then((r) => r.json());
 * console.log(sandbox.state().stats.maxObservedRate);
 * await sandbox.close();
 */
export async function startSandbox(partial: Partial<SandboxOptions> = {}): Promise<Sandbox> {
  const options = resolveSandboxOptions(partial);
  const store = new SandboxStore(options);
  const stats = new StatsRecorder();
  const auth = new Authenticator(options.clients, options.tokenTtlSeconds);
  const faults = new FaultInjector(options.faults, options.faultKinds, options.seed);
  const buckets = new Map<string, TokenBucket>();
  const burst = options.burst > 0 ? options.burst : Math.max(1, options.rateLimit);
  const timers = new Set<NodeJS.Timeout>();
  const webhooks = options.webhooks ? createWebhookSender(options.webhooks, store, options, options.seed) : null;
  const links = new EndUserLinks(options.widgetUrlTtlMs);
  const pages = createEndUserPages({ store, options, links, onWrite: (write) => webhooks?.memberWritten(write) });

  const later = (ms: number, run: () => void): void => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      run();
    }, ms);
    timers.add(timer);
  };

  const { send, sendError, dropConnection, sendToken } = createReplies(options, stats);

  const state = (): SandboxState => ({
    ...store.snapshot(Date.now()),
    stats: stats.snapshot(),
    ...(webhooks ? { webhooks: webhooks.stats() } : {}),
    endUser: links.snapshot(Date.now()),
  });
  const reset = (): void => {
    store.clear();
    links.clear();
    stats.reset();
    buckets.clear();
    faults.reset();
    webhooks?.reset();
  };

  const issueToken = (req: IncomingMessage, res: ServerResponse): void => {
    if (req.method !== 'POST') return sendError(res, { case: 'method_not_allowed', allow: 'POST' });
    const client = auth.basic(req.headers.authorization);
    if (!client) return sendError(res, { case: 'unauthorized' });
    stats.tokensIssued++;
    sendToken(res, auth.issue(client, Date.now()));
  };

  const admin = (req: IncomingMessage, res: ServerResponse, path: string): void => {
    const allow = path === '/__sandbox/state' ? 'GET' : path === '/__sandbox/reset' ? 'POST' : undefined;
    const reply = (status: number, json?: unknown): void => {
      const body = json === undefined ? '' : JSON.stringify(json);
      res.writeHead(status, { 'content-type': JSON_TYPE, 'content-length': Buffer.byteLength(body), ...(allow ? { allow } : {}) });
      res.end(body);
    };
    if (!allow) return reply(404, { error: `No sandbox endpoint ${path}.` });
    if (req.method !== allow) return reply(405, { error: `Use ${allow} on ${path}.` });
    if (allow === 'GET') return reply(200, state());
    reset();
    reply(204);
  };

  /** Runs the handler once the body is in, then answers as the drawn fault says. */
  const handle = async (req: IncomingMessage, res: ServerResponse, route: RouteMatch, ctx: HandlerContext, fault?: Fault): Promise<void> => {
    if (req.method === 'POST' || req.method === 'PUT') {
      const body = await readBody(req);
      if (!body.ok) return body.reason === 'too_large' ? sendError(res, { case: 'payload_too_large' }) : undefined;
      if (!takesNoBody(route.name)) {
        const parsed = parseJson(body.text);
        if (!parsed.ok) return sendError(res, { case: 'malformed_json' });
        ctx.body = parsed.value;
      }
    }
    ctx.now = Date.now();
    const reply = HANDLERS.get(`${route.name} ${req.method}`)?.(ctx) ?? { error: { case: 'route_not_found' } };
    const write = webhooks ? memberWriteOf(route.name, req.method ?? '', ctx, reply, req.headers['x-callback-payload']) : null;
    if (write) webhooks?.memberWritten(write);
    const answer = (): void => ('error' in reply ? sendError(res, reply.error) : send(res, reply.status, ctx.version, reply.json));
    if (fault?.kind === 'lost') return fault.reset ? dropConnection(req) : sendError(res, { case: 'bad_gateway' });
    if (fault?.kind === 'timeout') return later(options.timeoutFaultMs, answer);
    answer();
  };

  const api = (req: IncomingMessage, res: ServerResponse, route: RouteMatch | undefined, query: string): void => {
    if (connections.isOverCap(req.socket)) {
      stats.connectionCapped++;
      // The refused connection closes, so the address is back under the cap once its client reads this.
      res.shouldKeepAlive = false;
      return sendError(res, { case: 'rate_limited', retryAfterSeconds: 1 });
    }
    if (route?.name === 'token') return issueToken(req, res);
    const accept = req.headers.accept;
    if (accept !== undefined && !acceptable(accept)) return sendError(res, { case: 'not_acceptable' });
    const version = versionOf(req.headers['accept-version'], options.requireApiVersion);
    if (version === undefined) return sendError(res, { case: 'unsupported_version' });
    const who = auth.authenticate(req.headers.authorization, options.auth, Date.now());
    if (!who.ok) return sendError(res, { case: who.reason });
    const mono = performance.now();
    stats.clientRequest(who.client.id, mono);
    if (options.rateLimit > 0) {
      let bucket = buckets.get(who.client.id);
      if (!bucket) buckets.set(who.client.id, (bucket = new TokenBucket(options.rateLimit, burst, mono)));
      const wait = bucket.take(mono);
      if (wait > 0) {
        stats.rateLimited++;
        return sendError(res, { case: 'rate_limited', retryAfterSeconds: wait });
      }
    }
    const method = req.method ?? 'GET';
    if (!route) return sendError(res, { case: 'route_not_found' });
    if (!route.allow.includes(method)) return sendError(res, { case: 'method_not_allowed', allow: route.allow.join(', ') });
    if (route.name === 'aggregate' && method === 'POST') stats.aggregateRequests++;
    // An empty body needs no type: the official SDK's aggregateMember POSTs form-encoded with length 0.
    if ((method === 'POST' || method === 'PUT') && !hasEmptyBody(req.headers) && !isJsonContentType(req.headers['content-type'])) {
      return sendError(res, { case: 'content_type' });
    }
    const fault = options.faults > 0
      ? faults.draw({ isDelete: method === 'DELETE', isWrite: isWriteRoute(route.name, method) })
      : undefined;
    if (fault) {
      stats.fault(fault.kind);
      switch (fault.kind) {
        case 'bad_gateway': case 'maintenance': case 'server_error': return sendError(res, { case: fault.kind });
        case 'delete_failed': return sendError(res, { case: 'delete_failed', resource: route.name === 'user' ? 'user' : 'member' });
        case 'reset': return dropConnection(req);
        default: break;
      }
    }
    const ctx: HandlerContext = {
      store, options, client: who.client, version, now: 0, body: undefined,
      userGuid: route.userGuid, memberGuid: route.memberGuid, institutionCode: route.institutionCode,
      query: query === '' ? EMPTY_QUERY : new URLSearchParams(query),
      callbackPayload: firstOf(req.headers['x-callback-payload']), links,
    };
    handle(req, res, route, ctx, fault).catch(() => {
      if (!res.headersSent) sendError(res, { case: 'server_error' });
    });
  };

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    if (path.startsWith('/__sandbox/')) return admin(req, res, path);
    // The end user's pages are no API: no client auth (the URL's token is the bearer), no rate limit, no faults.
    if (pages(req, res, path)) return;
    stats.requests++;
    const route = matchRoute(path);
    stats.route(routeKey(req.method ?? 'GET', route?.name, versionOf(req.headers['accept-version'], false) ?? 'v20111101'));
    const run = (): void => {
      try {
        api(req, res, route, q === -1 ? '' : url.slice(q + 1));
      } catch {
        if (!res.headersSent) sendError(res, { case: 'server_error' });
      }
    };
    if (options.latencyMs > 0) later(options.latencyMs, run);
    else run();
  };

  // Slow or stalled clients are dropped, as any production server does: without these a
  // connection that never finished its headers was held open for ever. Checked every quarter of
  // the shorter limit (Node's default check runs every 30 s).
  const server = createServer(
    {
      keepAlive: true,
      headersTimeout: options.headersTimeoutMs,
      requestTimeout: Math.max(options.requestTimeoutMs, options.headersTimeoutMs),
      connectionsCheckingInterval: Math.max(50, Math.min(1_000, Math.floor(options.headersTimeoutMs / 4))),
    },
    onRequest,
  );
  server.keepAliveTimeout = 30_000;
  const connections = trackConnections(server, options.maxConnections, stats);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  links.baseUrl = `http://${host}:${port}`;

  return {
    url: `http://${host}:${port}`,
    port,
    state,
    reset,
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        webhooks?.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
