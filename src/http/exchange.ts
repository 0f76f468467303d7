/**
 * One HTTP exchange: fetch with a per-request timeout joined to the caller's signal, the whole
 * body read as text. Failures come back as classified values; nothing here throws.
 */
import { defined } from '../_internals/index.js';
import { err, ok, type Result } from 'neverthrow';
import { request as undiciRequest, type Dispatcher } from 'undici';
import { classifyNetworkError } from '../errors/index.js';
import type { ApiError } from '../errors/index.js';

/** The part of a fetch response the client reads. */
export interface FetchResponseLike {
  status: number;
  headers: { get(name: string): string | null };
  text(): Promise<string>;
}

export interface FetchInit {
  method: string;
  headers: Record<string, string>;
  body?: string;
  signal: AbortSignal;
  /** undici's connection pool; an injected fetch may ignore it. */
  dispatcher?: unknown;
}

/** `fetch` as the client calls it; inject one to route requests elsewhere (undici's is the default). */
export type FetchLike = (url: string, init: FetchInit) => Promise<FetchResponseLike>;

/** A response as far as the classifier and the API layer need it: no other header leaves here. */
export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  text: string;
}

export interface ExchangeOptions {
  fetch: FetchLike;
  dispatcher?: unknown;
  timeoutMs: number;
  signal?: AbortSignal;
  /** Recorded (redacted) on a network error. */
  request: { method: string; path: string };
  secrets: readonly string[];
}

const KEPT_HEADERS = ['retry-after', 'content-type', 'www-authenticate'] as const;

/** The few response headers the classifier reads, whichever API the response came from. */
function keptHeaders(get: (name: string) => string | null | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const name of KEPT_HEADERS) {
    const value = get(name);
    if (value !== null && value !== undefined) headers[name] = value;
  }
  return headers;
}

/**
 * Sends one request. A timeout is `unavailable` with `timeout: true`; the caller's abort is
 * `unavailable` with cause `AbortError`.
 *
 * @example
 * ```ts
 * const r = await exchange(url, { method: 'GET', headers }, { fetch, timeoutMs: 30_000, request, secrets: [] });
 * ```
 */
export async function exchange(
  url: string,
  init: Omit<FetchInit, 'signal' | 'dispatcher'>,
  options: ExchangeOptions,
): Promise<Result<RawResponse, ApiError>> {
  // One controller for the timeout and the caller's signal, both let go of when the exchange ends:
  // AbortSignal.timeout and AbortSignal.any per request left a 30-s timer and two signals behind
  // each call, and took a good part of the client's CPU.
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError'));
  }, options.timeoutMs);
  const caller = options.signal;
  const onAbort = (): void => controller.abort(caller?.reason);
  if (caller?.aborted) onAbort();
  else caller?.addEventListener('abort', onAbort, { once: true });
  const classifyOptions = { request: options.request, secrets: options.secrets };
  try {
    const response = await options.fetch(url, {
      ...init,
      signal: controller.signal,
      ...defined({ dispatcher: options.dispatcher }),
    });
    const text = await response.text();
    return ok({ status: response.status, headers: keptHeaders((name) => response.headers.get(name)), text });
  } catch (error) {
    if (timedOut) return err(classifyNetworkError(controller.signal.reason, classifyOptions));
    if (caller?.aborted) return err(abortedError(options.request, options.secrets));
    return err(classifyNetworkError(error, classifyOptions));
  } finally {
    clearTimeout(timer);
    caller?.removeEventListener('abort', onAbort);
  }
}

/**
 * Sends one request on undici's own API, the client's default: no WHATWG Request, Response,
 * Headers or stream objects, and no AbortController or timer of its own per call (the timeout is
 * undici's headers and body timeouts, each `timeoutMs`), which made the fetch path cost about as
 * much CPU as the rest of the client. Same results as {@link exchange}.
 *
 * @example
 * ```ts
 * const r = await exchangeDirect(url, { method: 'GET', headers }, { dispatcher: agent, timeoutMs: 30_000, request, secrets: [] });
 * ```
 */
export async function exchangeDirect(
  url: string,
  init: Omit<FetchInit, 'signal' | 'dispatcher'>,
  options: Omit<ExchangeOptions, 'fetch' | 'dispatcher'> & {
    dispatcher: Dispatcher;
    /** Called as the request's head is written to its connection (with `stampWrites` on the dispatcher). */
    onWritten?: () => void;
  },
): Promise<Result<RawResponse, ApiError>> {
  const caller = options.signal;
  if (caller?.aborted) return err(abortedError(options.request, options.secrets));
  try {
    const response = await undiciRequest(url, {
      method: init.method as Dispatcher.HttpMethod,
      headers: init.headers,
      ...defined({ body: init.body }),
      ...(options.onWritten ? { [WRITTEN]: options.onWritten } : {}),
      dispatcher: options.dispatcher,
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
      ...(caller ? { signal: caller } : {}),
    });
    const text = await response.body.text();
    const headers = keptHeaders((name) => {
      const value = response.headers[name];
      return Array.isArray(value) ? value[0] : value;
    });
    return ok({ status: response.statusCode, headers, text });
  } catch (error) {
    if (caller?.aborted) return err(abortedError(options.request, options.secrets));
    return err(classifyNetworkError(error, { request: options.request, secrets: options.secrets }));
  }
}

/** The request option `stampWrites` reads: a symbol, so it can meet no option of undici's. */
const WRITTEN = Symbol('mx-lifecycle.written');

/**
 * Tells `written` when undici starts writing the request, then hands every step on. undici gives
 * an interceptor its handlers in this shape (it wraps older ones), so forwarding is all it takes.
 */
function stamped(handler: Dispatcher.DispatchHandler, written: () => void): Dispatcher.DispatchHandler {
  return {
    onRequestStart(controller, context) {
      written();
      handler.onRequestStart?.(controller, context);
    },
    onRequestUpgrade: (controller, statusCode, headers, socket) => handler.onRequestUpgrade?.(controller, statusCode, headers, socket),
    onResponseStart: (controller, statusCode, headers, statusMessage) => handler.onResponseStart?.(controller, statusCode, headers, statusMessage),
    onResponseData: (controller, chunk) => handler.onResponseData?.(controller, chunk),
    onResponseEnd: (controller, trailers) => handler.onResponseEnd?.(controller, trailers),
    onResponseError: (controller, error) => handler.onResponseError?.(controller, error),
  };
}

/**
 * An undici interceptor: a request given `onWritten` (through `exchangeDirect`) hears when its head
 * is written to a connection. undici writes once the turn that asked has done its work, and on a
 * new connection once it opens; the send window must count a request where it really leaves.
 *
 * @example
 * ```ts
 * const agent = new Agent().compose(stampWrites);
 * await exchangeDirect(url, init, { dispatcher: agent, onWritten: () => console.log('written'), timeoutMs, request, secrets: [] });
 * ```
 */
export const stampWrites: Dispatcher.DispatcherComposeInterceptor = (dispatch) => (opts, handler) => {
  const written = (opts as { [WRITTEN]?: () => void })[WRITTEN];
  return dispatch(opts, written ? stamped(handler, written) : handler);
};

/**
 * The error of a call its caller cancelled (before or during the request).
 *
 * @example
 * ```ts
 * if (signal.aborted) return err(abortedError({ method: 'GET', path: '/users' }, []));
 * ```
 */
export function abortedError(request: { method: string; path: string }, secrets: readonly string[]): ApiError {
  return classifyNetworkError(new DOMException('The caller aborted the request.', 'AbortError'), { request, secrets });
}
