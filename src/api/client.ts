/**
 * `createMxClient`: the typed MX Platform client every layer above the transport uses.
 */
import { defined } from '../_internals/index.js';
import { createEventHub, type ClientEvents } from '../http/index.js';
import type { LimiterState } from '../http/index.js';
import { clusterId } from '../http/index.js';
import { createTransport } from '../http/index.js';
import { endUserEndpoints } from './endUser.js';
import { memberEndpoints } from './members.js';
import { resolveMxClientOptions, type MxClientInit, type RateOptions } from './options.js';
import type { MxClient } from './types.js';
import { userEndpoints } from './users.js';

/** An `MxClient` that can also be observed. */
export interface ObservableMxClient extends MxClient {
  /** Typed events of every call: `request`, `response`, `rate_limited`, `retried`, `token_refreshed`. */
  readonly events: ClientEvents;
  /** The limiter's current pacing and queue, for dashboards and tests. */
  limiterState(): LimiterState;
}

/**
 * Builds an MX Platform client: keep-alive connections, one rate limiter per API key that owns
 * 429s, tokens refreshed before they expire (auth `token`), and every outcome as a `ResultAsync`.
 * Throws a TypeError only for missing or unusable options.
 *
 * @example
 * ```ts
 * const client = createMxClient({
 *   baseUrl: 'https://int-api.mx.com',
 *   clientId: process.env.MX_CLIENT_ID!,
 *   apiKey: process.env.MX_API_KEY!,
 *   rate: { perSecond: 20 },
 * });
 * const user = await client.createUser({ id: 'customer-42' });
 * user.match((u) => console.log(u.guid), (e) => console.error(e.kind, e.message));
 * await client.close();
 * ```
 */
export function createMxClient(init: MxClientInit): ObservableMxClient {
  const options = resolveMxClientOptions(init);
  const events = createEventHub();
  if (options.onEvent) events.onAny(options.onEvent);
  const { rate } = options;
  const transport = createTransport({
    baseUrl: options.baseUrl,
    clientId: options.clientId,
    apiKey: options.apiKey,
    auth: options.auth,
    apiVersion: options.apiVersion,
    dialect: options.dialect,
    rules: options.rules,
    timeoutMs: options.timeoutMs,
    userAgent: options.userAgent,
    tokenPath: options.tokenPath,
    tokenSkewMs: options.tokenSkewMs,
    ...(options.fetch ? { fetch: options.fetch } : {}),
    events,
    limiter: {
      perSecond: rate.perSecond ?? null,
      ...defined({
        maxConcurrent: maxConcurrentFor(rate),
        maxRetries: rate.maxRetries,
        retryBaseMs: rate.retryBaseMs,
        retryCapMs: rate.retryCapMs,
        maxRetryAfterMs: rate.maxRetryAfterMs,
      }),
      cluster: rate.redis === undefined ? null : { redis: rate.redis, id: clusterId(options.clientId, options.apiKey) },
    },
  });
  const ctx = { transport, secrets: [options.apiKey], apiVersion: options.apiVersion };
  return {
    ...userEndpoints(ctx),
    ...memberEndpoints(ctx),
    ...endUserEndpoints(ctx),
    events: { on: events.on, onAny: events.onAny },
    limiterState: () => transport.limiterState(),
    close: () => transport.close(),
  };
}

/**
 * Requests in flight at once: as given, or, for a known rate, up to three seconds' worth of
 * requests (at least 10, at most 1,500, under MX's 2,000 concurrent connections), so an API slower
 * than a second (MX's latency is hundreds of ms to seconds) does not cap throughput below the
 * key's limit: 100/s at 1.5 s of latency is 150 requests in flight.
 */
function maxConcurrentFor(rate: RateOptions): number | undefined {
  if (rate.maxConcurrent !== undefined) return rate.maxConcurrent;
  return rate.perSecond === undefined ? undefined : Math.min(1_500, Math.max(10, Math.ceil(rate.perSecond * 3)));
}
