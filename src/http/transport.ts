/**
 * The transport under every MX call: limiter, credentials, one exchange, classification, events.
 * It retries a 429 (through the limiter) and a token refused as expired (once); every other
 * outcome goes back to the caller as a value.
 */
import { defined } from '../_internals/index.js';
import { err, ok, ResultAsync, type Result } from 'neverthrow';
import { Agent, fetch as undiciFetch } from 'undici';
import { classify, classifyNetworkError, makeApiError, redactPath } from '../errors/index.js';
import type { ApiError, ClassifierRule, DialectOption } from '../errors/index.js';
import type { EventHub } from './events.js';
import { abortedError, exchange, exchangeDirect, stampWrites, type FetchLike, type RawResponse } from './exchange.js';
import { createLimiter, type AttemptVerdict, type LimiterOptions, type LimiterState, type SendSlot } from './limiter.js';
import { createTokenSource, type TokenLease, type TokenSource } from './token.js';
import { tokenFetcher } from './tokenEndpoint.js';
import { requestParent, startAttemptSpan, traceServerOf } from './tracing.js';
import { loadOtelApi, otelSettled, type OtelContext } from '../_internals/index.js';

export interface TransportOptions {
  baseUrl: string;
  clientId: string;
  apiKey: string;
  auth: 'token' | 'basic';
  /** Sent as `Accept-Version`, with the `Accept` that version expects. */
  apiVersion: 'v20250224' | 'v20111101';
  dialect: DialectOption;
  rules: readonly ClassifierRule[];
  timeoutMs: number;
  userAgent: string;
  tokenPath: string;
  tokenSkewMs: number;
  limiter: Partial<LimiterOptions>;
  fetch?: FetchLike;
  events: EventHub;
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface HttpRequest {
  method: HttpMethod;
  /** The path below the base URL, segments already encoded. */
  path: string;
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  signal?: AbortSignal;
  /** Values in this request that must never reach an error or event (member credentials). */
  secrets?: readonly string[];
  /** Extra request headers (e.g. `X-Callback-Payload`); they cannot replace Authorization. */
  headers?: Readonly<Record<string, string>>;
  /** Told of each exchange: method, path template, status, time (see `ExchangeNote`). */
  onExchange?: (exchange: ExchangeNote) => void;
}

/** One exchange of a call, as a customer's history keeps it: no URL, guid, query, header or body. */
export interface ExchangeNote {
  method: HttpMethod;
  /** The path with every id in it named, e.g. `/users/{user_guid}/members/{member_guid}/status`. */
  path: string;
  /** 0 when no response came (a reset, a timeout, an abort). */
  status: number;
  ms: number;
}

const ID_NAMES: Readonly<Record<string, string>> = { users: '{user_guid}', members: '{member_guid}', institutions: '{institution_code}' };

/**
 * The path as MX's reference writes it: MX paths alternate a collection and an id, and each id
 * is replaced by its name; the query is dropped.
 *
 * @example
 * ```ts
 * pathTemplate('/users/USR-1/members/MBR-2/status?x=1'); // '/users/{user_guid}/members/{member_guid}/status'
 * ```
 */
export function pathTemplate(path: string): string {
  const segments = (path.split('?')[0] ?? '').split('/').slice(1);
  return `/${segments.map((segment, i) => (i % 2 === 1 ? (ID_NAMES[segments[i - 1] ?? ''] ?? '{id}') : segment)).join('/')}`;
}

export interface Transport {
  /** Sends a request; `Ok` for any 2xx response, `Err` with the classified error otherwise. */
  send(request: HttpRequest): ResultAsync<RawResponse, ApiError>;
  limiterState(): LimiterState;
  close(): Promise<void>;
}

export const MX_ACCEPT = 'application/vnd.mx.api.v1+json';
/** The `Accept` each version is served with (MX's migration guide to Accept-Version). */
export const ACCEPT_BY_VERSION: Readonly<Record<TransportOptions['apiVersion'], string>> = {
  v20250224: 'application/json',
  v20111101: MX_ACCEPT,
};

/**
 * The path with its query string, as sent and as recorded.
 *
 * @example
 * ```ts
 * withQuery('/users', { id: 'c-1', page: 1 }); // '/users?id=c-1&page=1'
 * ```
 */
export function withQuery(path: string, query: HttpRequest['query']): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value !== undefined) params.append(name, String(value));
  const text = params.toString();
  return text === '' ? path : `${path}?${text}`;
}

/** Tells a call's listener of one exchange; a listener that throws never breaks the call. */
function noteExchange(request: HttpRequest, call: { method: HttpMethod }, status: number, ms: number): void {
  if (!request.onExchange) return;
  try {
    request.onExchange({ method: call.method, path: pathTemplate(request.path), status, ms });
  } catch {
    // Observing a call never changes its outcome.
  }
}

function closedError(request: { method: string; path: string }): ApiError {
  return makeApiError('unavailable', { retryable: false, cause: 'client closed', exchange: { request } });
}

/**
 * Builds the transport of one client.
 *
 * @example
 * ```ts
 * const transport = createTransport({ ...options, events: createEventHub() });
 * const res = await transport.send({ method: 'GET', path: '/users/USR-1' });
 * ```
 */
export function createTransport(options: TransportOptions): Transport {
  const base = options.baseUrl.replace(/\/+$/, '');
  const agent = options.fetch ? undefined : new Agent({ keepAliveTimeout: 10_000, keepAliveMaxTimeout: 60_000 }).compose(stampWrites);
  // Token requests go through fetch; API calls, unless a fetch is injected, through undici's own API.
  const doFetch: FetchLike = options.fetch ?? (undiciFetch as unknown as FetchLike);
  const basic = `Basic ${Buffer.from(`${options.clientId}:${options.apiKey}`).toString('base64')}`;
  // Frozen, so the redactor may keep the literals it derives from it.
  const keySecrets = Object.freeze([options.apiKey, Buffer.from(`${options.clientId}:${options.apiKey}`).toString('base64')]);
  const common = { Accept: ACCEPT_BY_VERSION[options.apiVersion], 'Accept-Version': options.apiVersion, 'User-Agent': options.userAgent };
  const limiter = createLimiter({ ...options.limiter, expirationMs: options.limiter.cluster ? options.timeoutMs * 3 + 60_000 : null });
  const { events } = options;
  const traceServer = traceServerOf(base);
  let callSeq = 0;
  let closed = false;

  const tokens: TokenSource | null =
    options.auth === 'token'
      ? createTokenSource({
          skewMs: options.tokenSkewMs,
          fetchToken: tokenFetcher({
            url: `${base}${options.tokenPath}`,
            path: options.tokenPath,
            headers: { ...common, 'Content-Type': 'application/json', Authorization: basic },
            fetch: doFetch,
            dispatcher: agent,
            timeoutMs: options.timeoutMs,
            dialect: options.dialect,
            rules: options.rules,
            secrets: keySecrets,
          }),
          onRefreshed: (info) => events.emit({ type: 'token_refreshed', ...info }),
        })
      : null;

  const attempt = async (
    request: HttpRequest,
    call: { callId: number; method: HttpMethod; path: string; fullPath: string; traceParent: OtelContext | undefined },
    attemptNumber: number,
    slot: SendSlot,
    progress: { replayed: boolean; queuedAt: number },
  ): Promise<AttemptVerdict<Result<RawResponse, ApiError>>> => {
    const secrets = [...keySecrets, ...(request.secrets ?? [])];
    const requestInfo = { method: call.method, path: call.fullPath };
    if (request.signal?.aborted) return { type: 'done', value: err(abortedError(requestInfo, secrets)) };
    let lease: TokenLease | null = null;
    if (tokens) {
      const token = await tokens.getToken();
      if (token.isErr()) return { type: 'done', value: err(token.error) };
      lease = token.value;
      secrets.push(lease.token);
    }
    const headers: Record<string, string> = { ...common, ...request.headers, Authorization: lease ? `Bearer ${lease.token}` : basic };
    const body = request.body === undefined ? undefined : JSON.stringify(request.body);
    // MX answers a bare 404 to a POST or PUT without this header, even one with no body.
    if (body !== undefined || call.method === 'POST' || call.method === 'PUT') headers['Content-Type'] = 'application/json';
    const fields = { callId: call.callId, method: call.method, path: call.path, attempt: attemptNumber };
    // Everything that could take time is done: the limiter decides now. undici writes the request
    // once this turn's work is done (and a new connection open); `written` tells the limiter when,
    // so a send held back that way counts where it really leaves, not where it was decided.
    const written = await slot();
    if (request.signal?.aborted) return { type: 'done', value: err(abortedError(requestInfo, secrets)) };
    const span = startAttemptSpan(call.traceParent, traceServer, { method: call.method, path: call.fullPath, attempt: attemptNumber });
    const started = performance.now();
    events.emit({ type: 'request', ...fields, queuedMs: Math.round(started - progress.queuedAt) });
    const init = { method: call.method, headers, ...defined({ body }) };
    const sent = { timeoutMs: options.timeoutMs, ...(request.signal ? { signal: request.signal } : {}), request: requestInfo, secrets };
    const outcome = agent
      ? await exchangeDirect(`${base}${call.fullPath}`, init, { ...sent, dispatcher: agent, onWritten: written })
      : await exchange(`${base}${call.fullPath}`, init, { ...sent, fetch: doFetch });
    progress.queuedAt = performance.now();
    const durationMs = Math.round(progress.queuedAt - started);
    noteExchange(request, call, outcome.isErr() ? 0 : outcome.value.status, durationMs);
    if (outcome.isErr()) {
      const e = outcome.error;
      const timeout = e.kind === 'unavailable' && e.timeout === true;
      events.emit({ type: 'response', ...fields, status: 0, durationMs, kind: e.kind, ...(timeout ? { timeout: true } : {}) });
      span?.end({ status: 0, kind: e.kind, timeout, aborted: request.signal?.aborted === true });
      return { type: 'done', value: err(e) };
    }
    const { status, headers: responseHeaders, text } = outcome.value;
    if (status >= 200 && status <= 299) {
      events.emit({ type: 'response', ...fields, status, durationMs });
      span?.end({ status });
      return { type: 'done', value: ok(outcome.value) };
    }
    const error = classify(
      { status, headers: responseHeaders, body: text },
      { dialect: options.dialect, rules: options.rules, request: { ...requestInfo, baseUrl: base }, secrets },
    );
    events.emit({ type: 'response', ...fields, status, durationMs, kind: error.kind });
    span?.end({ status, kind: error.kind });
    if (error.kind === 'rate_limited' || status === 429) {
      const retryAfterMs = 'retryAfterMs' in error ? error.retryAfterMs : undefined;
      return { type: 'throttled', retryAfterMs, value: err(error) };
    }
    if (error.kind === 'token_expired' && lease && !progress.replayed) {
      progress.replayed = true;
      tokens?.invalidate(lease.generation);
      return { type: 'replay', value: err(error) };
    }
    return { type: 'done', value: err(error) };
  };

  const run = async (request: HttpRequest): Promise<Result<RawResponse, ApiError>> => {
    const fullPath = withQuery(request.path, request.query);
    // The span's parent is the work that made the call, so it is read before the limiter queues it.
    if (!otelSettled()) await loadOtelApi();
    const traceParent = requestParent();
    const call = { callId: (callSeq += 1), method: request.method, path: redactPath(fullPath, keySecrets), fullPath, traceParent };
    const requestInfo = { method: request.method, path: fullPath };
    if (closed) return err(closedError({ method: request.method, path: call.path }));
    if (request.signal?.aborted) return err(abortedError(requestInfo, keySecrets));
    const progress = { replayed: false, queuedAt: performance.now() };
    const job = limiter
      .run((n, slot) => attempt(request, call, n, slot, progress), {
        onThrottled: (info) => {
          const status = 429;
          const retryAfter = defined({ retryAfterMs: info.retryAfterMs });
          events.emit({ type: 'rate_limited', callId: call.callId, method: call.method, path: call.path, attempt: info.attempt, status, ...retryAfter, pauseMs: info.pauseMs, willRetry: info.willRetry });
        },
        onRetry: (info) =>
          events.emit({ type: 'retried', callId: call.callId, method: call.method, path: call.path, attempt: info.attempt, reason: info.reason, delayMs: info.delayMs }),
      })
      .catch((error: unknown): Result<RawResponse, ApiError> =>
        closed ? err(closedError({ method: request.method, path: call.path })) : err(classifyNetworkError(error, { request: requestInfo, secrets: keySecrets })),
      );
    const signal = request.signal;
    if (!signal) return job;
    // A call cancelled while it waits in the queue answers at once; its job later finds the signal aborted.
    let onAbort: (() => void) | undefined;
    const aborted = new Promise<Result<RawResponse, ApiError>>((resolve) => {
      onAbort = () => resolve(err(abortedError(requestInfo, keySecrets)));
      signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      return await Promise.race([job, aborted]);
    } finally {
      if (onAbort) signal.removeEventListener('abort', onAbort);
    }
  };

  return {
    send: (request) => new ResultAsync(run(request)),
    limiterState: () => limiter.state(),
    async close() {
      if (closed) return;
      closed = true;
      tokens?.stop();
      await agent?.destroy().catch(() => undefined);
      await limiter.stop().catch(() => undefined);
    },
  };
}
