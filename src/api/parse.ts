/**
 * Reading a success body: JSON, unwrapped from its root key. A body that is not what the spec
 * promises becomes an `unknown` error value, never an exception.
 */
import { makeApiError } from '../errors/index.js';
import { err, ok, type Result } from 'neverthrow';
import { redactExcerpt } from '../errors/index.js';
import type { ApiError } from '../errors/index.js';
import type { RawResponse } from '../http/index.js';

export type JsonRecord = Record<string, unknown>;

export const isRecord = (value: unknown): value is JsonRecord =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export interface ParseContext {
  request: { method: string; path: string };
  secrets: readonly string[];
}

/**
 * The error for a 2xx body that does not hold what it should.
 *
 * @example
 * ```ts
 * return err(malformed(response, ctx, 'no "user" object'));
 * ```
 */
export function malformed(response: RawResponse, ctx: ParseContext, what: string): ApiError {
  return makeApiError('unknown', {
    status: response.status,
    retryable: false,
    message: `The response to ${ctx.request.method} ${ctx.request.path.split('?')[0]} is not the expected JSON: ${what}.`,
    exchange: {
      request: { method: ctx.request.method, path: redactExcerpt(ctx.request.path, ctx.secrets) },
      response: { status: response.status, bodyExcerpt: redactExcerpt(response.text, ctx.secrets, 512) },
    },
  });
}

function parseObject(response: RawResponse, ctx: ParseContext): Result<JsonRecord, ApiError> {
  let body: unknown;
  try {
    body = JSON.parse(response.text);
  } catch {
    return err(malformed(response, ctx, 'the body is not JSON'));
  }
  return isRecord(body) ? ok(body) : err(malformed(response, ctx, 'the body is not an object'));
}

/**
 * The object under `key` of a JSON body, checked by `accept`.
 *
 * @example
 * ```ts
 * const user = unwrap(response, ctx, 'user', isUser); // Result<MxUser, ApiError>
 * ```
 */
export function unwrap<T>(
  response: RawResponse,
  ctx: ParseContext,
  key: string,
  accept: (value: unknown) => value is T,
): Result<T, ApiError> {
  return parseObject(response, ctx).andThen((body) => {
    const value = body[key];
    return accept(value) ? ok(value) : err(malformed(response, ctx, `no valid "${key}"${problemOf(accept, value)}`));
  });
}

/** What a schema guard (`Check`) says is wrong, as ` (field: problem)`; nothing for a plain guard. */
function problemOf(accept: unknown, value: unknown): string {
  const problem = (accept as { problem?: (v: unknown) => string }).problem;
  return typeof problem === 'function' ? ` (${problem(value)})` : '';
}

/** A list page: the items under `key` and the page count (1 when the body has no pagination). */
export interface Page<T> {
  items: T[];
  totalPages: number;
}

/**
 * A paginated list body (`{ [key]: [...], pagination: { total_pages } }`).
 *
 * @example
 * ```ts
 * const page = unwrapPage(response, ctx, 'members', isMember);
 * ```
 */
export function unwrapPage<T>(
  response: RawResponse,
  ctx: ParseContext,
  key: string,
  accept: (value: unknown) => value is T,
): Result<Page<T>, ApiError> {
  return parseObject(response, ctx).andThen((body) => {
    const items = body[key];
    if (!Array.isArray(items)) return err(malformed(response, ctx, `no "${key}" list`));
    const bad = items.findIndex((item) => !accept(item));
    if (bad >= 0) return err(malformed(response, ctx, `item ${bad} of "${key}" is not valid${problemOf(accept, items[bad])}`));
    const { pagination } = body;
    const pages = isRecord(pagination) && typeof pagination.total_pages === 'number' ? pagination.total_pages : 1;
    return ok({ items: items as T[], totalPages: Math.max(1, Math.floor(pages)) });
  });
}

/** Shapes checked loosely: the fields the lifecycle reads, nothing more. */
export const hasGuid = (value: unknown): value is JsonRecord & { guid: string } =>
  isRecord(value) && typeof value.guid === 'string' && value.guid !== '';
