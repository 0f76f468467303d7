/**
 * The client's options: a fully required `MxClientOptions`, its defaults, and the check that runs
 * when a client is built (a missing field is a programming error, reported with example code).
 */
import type { RedisOptions } from 'ioredis';
import type { ClassifierRule, DialectOption } from '../errors/index.js';
import type { ClientEvent } from '../http/index.js';
import type { FetchLike } from '../http/index.js';

export interface RateOptions {
  /** The API's rate limit for this key, in requests per second; unknown by default (the client adapts to 429s). */
  perSecond?: number;
  /** Requests in flight at once (default: three seconds of `perSecond`, 10 to 1,500; 10 when the rate is unknown). */
  maxConcurrent?: number;
  /** 429 retries per call before it returns `rate_limited` (default 5). */
  maxRetries?: number;
  /** Backoff after a 429 without Retry-After: base × 2^n (default 1000 ms), capped (default 30 000 ms), with jitter. */
  retryBaseMs?: number;
  retryCapMs?: number;
  /** A Retry-After longer than this is not waited for: the call returns `rate_limited` (default 120 000 ms). */
  maxRetryAfterMs?: number;
  /** Share the limit with every process using this key, through Redis (options or a `redis://` URL). */
  redis?: RedisOptions | string;
}

/** The MX Platform API versions the client speaks, sent as `Accept-Version` on every request. */
export const API_VERSIONS = ['v20250224', 'v20111101'] as const;
export type ApiVersion = (typeof API_VERSIONS)[number];

export interface MxClientOptions {
  /** e.g. `https://int-api.mx.com` (MX's integration environment) or a sandbox URL. */
  baseUrl: string;
  clientId: string;
  apiKey: string;
  /** `basic` (default, what MX Platform uses): Basic `clientId:apiKey` on every request; `token`: a Bearer token from `tokenPath`. */
  auth: 'token' | 'basic';
  /**
   * The MX Platform API version, sent as `Accept-Version` with its `Accept`
   * (`v20250224`: `application/json`; `v20111101`: `application/vnd.mx.api.v1+json`).
   * v20250224 reads a user or member by its external id in one request.
   * @default 'v20250224'
   */
  apiVersion: ApiVersion;
  /**
   * Which error dialect to classify with: `platform` (MX Platform's own statuses), a seed
   * document's (`mx-sso`, `mcc`, `mgx`, `nexus`), or `auto`.
   * @default 'platform'
   */
  dialect: DialectOption;
  /** Extra classification rules, tried before the built-in ones. */
  rules: readonly ClassifierRule[];
  rate: RateOptions;
  /** Per-request timeout (default 30 000 ms); a timeout is `unavailable` with `timeout: true`. */
  timeoutMs: number;
  userAgent: string;
  /** Where tokens come from with auth `token` (default `/oauth/token`). */
  tokenPath: string;
  /** Refresh a token this long before it expires (default 30 000 ms, at most half its lifetime). */
  tokenSkewMs: number;
  /** Replaces undici's fetch (and its keep-alive pool). */
  fetch: FetchLike | undefined;
  /** Receives every event; the same as `client.events.onAny(listener)`. */
  onEvent: ((event: ClientEvent) => void) | undefined;
}

export type MxClientInit = Pick<MxClientOptions, 'baseUrl' | 'clientId' | 'apiKey'> &
  Partial<Omit<MxClientOptions, 'baseUrl' | 'clientId' | 'apiKey'>>;

export const defaultMxClientOptions: Omit<MxClientOptions, 'baseUrl' | 'clientId' | 'apiKey'> = {
  auth: 'basic',
  apiVersion: 'v20250224',
  dialect: 'platform',
  rules: [],
  rate: {},
  timeoutMs: 30_000,
  userAgent: 'mx-lifecycle',
  tokenPath: '/oauth/token',
  tokenSkewMs: 30_000,
  fetch: undefined,
  onEvent: undefined,
};

const EXAMPLE = `Example:

  const client = createMxClient({
    baseUrl: 'https://int-api.mx.com',
    clientId: process.env.MX_CLIENT_ID,
    apiKey: process.env.MX_API_KEY,
    rate: { perSecond: 20 },
  });`;

function problem(message: string): TypeError {
  return new TypeError(`createMxClient: ${message}\n\n${EXAMPLE}`);
}

const positive = (value: unknown): boolean => typeof value === 'number' && Number.isFinite(value) && value > 0;

/**
 * Defaults merged with `init`, checked. Throws a TypeError with example code when a required
 * option is missing or a value cannot work; never echoes the API key.
 *
 * @example
 * ```ts
 * const options = resolveMxClientOptions({ baseUrl, clientId, apiKey });
 * ```
 */
export function resolveMxClientOptions(init: MxClientInit): MxClientOptions {
  if (typeof init !== 'object' || init === null) throw problem('options are required.');
  const defined = Object.fromEntries(Object.entries(init).filter(([, v]) => v !== undefined));
  const options = { ...defaultMxClientOptions, ...defined } as MxClientOptions;
  for (const name of ['baseUrl', 'clientId', 'apiKey'] as const) {
    if (typeof options[name] !== 'string' || options[name].trim() === '') throw problem(`\`${name}\` is required (a non-empty string).`);
  }
  let url: URL;
  try {
    url = new URL(options.baseUrl);
  } catch {
    throw problem('`baseUrl` must be an absolute http(s) URL.');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw problem('`baseUrl` must be an absolute http(s) URL.');
  if (url.username || url.password) throw problem('`baseUrl` must not carry credentials; pass `clientId` and `apiKey`.');
  if (options.clientId.includes(':')) throw problem('`clientId` cannot contain ":" (it is the user name of Basic auth).');
  if (options.auth !== 'basic' && options.auth !== 'token') throw problem("`auth` must be 'basic' or 'token'.");
  if (!(API_VERSIONS as readonly unknown[]).includes(options.apiVersion)) {
    throw problem(`\`apiVersion\` must be one of ${API_VERSIONS.map((v) => `'${v}'`).join(', ')}.`);
  }
  if (!positive(options.timeoutMs)) throw problem('`timeoutMs` must be a positive number of milliseconds.');
  if (!positive(options.tokenSkewMs) && options.tokenSkewMs !== 0) throw problem('`tokenSkewMs` must be zero or more milliseconds.');
  if (!options.tokenPath.startsWith('/')) throw problem("`tokenPath` must start with '/'.");
  const rate = options.rate;
  if (rate.perSecond !== undefined && !positive(rate.perSecond)) throw problem('`rate.perSecond` must be a positive number.');
  if (rate.maxConcurrent !== undefined && !(Number.isInteger(rate.maxConcurrent) && rate.maxConcurrent >= 1)) {
    throw problem('`rate.maxConcurrent` must be an integer of at least 1.');
  }
  if (rate.maxRetries !== undefined && !(Number.isInteger(rate.maxRetries) && rate.maxRetries >= 0)) {
    throw problem('`rate.maxRetries` must be an integer of at least 0.');
  }
  for (const name of ['retryBaseMs', 'retryCapMs', 'maxRetryAfterMs'] as const) {
    if (rate[name] !== undefined && !positive(rate[name])) throw problem(`\`rate.${name}\` must be a positive number of milliseconds.`);
  }
  if (options.fetch !== undefined && typeof options.fetch !== 'function') throw problem('`fetch` must be a function.');
  if (options.onEvent !== undefined && typeof options.onEvent !== 'function') throw problem('`onEvent` must be a function.');
  return options;
}
