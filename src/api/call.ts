/**
 * The glue between an endpoint function and the transport: send, then read the body; and the
 * paginated search both `find…ByExternalId` calls use.
 */
import { errAsync, okAsync, type Result, type ResultAsync } from 'neverthrow';
import type { ApiError } from '../errors/index.js';
import type { RawResponse } from '../http/index.js';
import { withQuery, type HttpRequest, type Transport } from '../http/index.js';
import type { Page, ParseContext } from './parse.js';
import type { CallOptions } from './types.js';

/** The largest page MX serves. */
export const MAX_RECORDS_PER_PAGE = 1000;
/** A search stops after this many pages whatever `total_pages` says (a misbehaving server cannot loop us). */
const MAX_PAGES = 10_000;

export interface ApiContext {
  transport: Transport;
  /** Secrets of the client (the API key) scrubbed from every error text. */
  secrets: readonly string[];
  /** Which version's paths and shapes to use. */
  apiVersion: 'v20250224' | 'v20111101';
}

/**
 * Sends `request` and reads a 2xx response with `read`.
 *
 * @example
 * ```ts
 * call(ctx, { method: 'GET', path: `/users/${guid}` }, (res, p) => unwrap(res, p, 'user', isUser));
 * ```
 */
export function call<T>(
  ctx: ApiContext,
  request: HttpRequest,
  read: (response: RawResponse, parse: ParseContext) => Result<T, ApiError>,
): ResultAsync<T, ApiError> {
  const path = withQuery(request.path, request.query);
  const parse: ParseContext = { request: { method: request.method, path }, secrets: [...ctx.secrets, ...(request.secrets ?? [])] };
  return ctx.transport.send(request).andThen((response) => read(response, parse));
}

/**
 * Walks pages 1, 2, … until an item matches or the pages run out.
 *
 * @example
 * ```ts
 * findInPages((page) => listMembersPage(userGuid, page), (m) => m.id === 'conn-1');
 * ```
 */
export function findInPages<T>(
  fetchPage: (page: number) => ResultAsync<Page<T>, ApiError>,
  match: (item: T) => boolean,
): ResultAsync<T | null, ApiError> {
  const step = (page: number): ResultAsync<T | null, ApiError> =>
    fetchPage(page).andThen((result): ResultAsync<T | null, ApiError> => {
      const found = result.items.find(match);
      if (found !== undefined) return okAsync(found);
      if (page >= result.totalPages || result.items.length === 0 || page >= MAX_PAGES) return okAsync(null);
      return step(page + 1);
    });
  return step(1);
}

/** A local error as a `ResultAsync`, for checks that fail before any request. */
export const refuse = <T>(error: ApiError): ResultAsync<T, ApiError> => errAsync(error);

/**
 * What a call passes on to the transport from its options: the abort signal and the exchange listener.
 *
 * @example
 * ```ts
 * call(ctx, { method: 'GET', path, ...callOptionsOf(options) }, read);
 * ```
 */
export function callOptionsOf(options?: CallOptions): Pick<HttpRequest, 'signal' | 'onExchange'> {
  if (!options) return {};
  return { ...(options.signal ? { signal: options.signal } : {}), ...(options.onExchange ? { onExchange: options.onExchange } : {}) };
}

/** Path segment encoding for guids and codes. */
export const seg = (value: string): string => encodeURIComponent(value);
