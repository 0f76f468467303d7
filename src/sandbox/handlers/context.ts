/**
 * What every API handler receives and returns, and the small checks they share (root-key bodies,
 * external ids, pagination). Handlers are synchronous and pure over the store: the server owns
 * timing, faults and the wire.
 */
import type { EndUserLinks } from '../endUserLinks.js';
import type { SandboxError } from '../renderError.js';
import type { SandboxOptions, SandboxClient } from '../options.js';
import type { SandboxStore } from '../store.js';
import type { ApiVersion } from '../versions.js';

export interface HandlerContext {
  store: SandboxStore;
  options: SandboxOptions;
  client: SandboxClient;
  /** The API version the request's `Accept-Version` chose. */
  version: ApiVersion;
  /** Epoch ms, read once per request. */
  now: number;
  userGuid: string;
  memberGuid: string;
  institutionCode: string;
  query: URLSearchParams;
  /** The parsed JSON body, for routes that take one. */
  body: unknown;
  /** The request's `X-Callback-Payload` header. */
  callbackPayload: string | undefined;
  /** Issues the end users' one-time URLs (Connect widget, OAuth window). */
  links: EndUserLinks;
}

export type Reply = { status: number; json?: unknown } | { error: SandboxError };

export type Handler = (ctx: HandlerContext) => Reply;

export const fail = (error: SandboxError): Reply => ({ error });

/** External ids are URL-safe (RFC 3986 unreserved characters) and at most 255 long. */
const URL_SAFE = /^[A-Za-z0-9._~-]{1,255}$/;

/** Whether `id` can be a user's (`USR-`) or member's (`MBR-`) external id. */
export function validExternalId(id: string, reservedPrefix: 'USR-' | 'MBR-'): boolean {
  return URL_SAFE.test(id) && !id.toUpperCase().startsWith(reservedPrefix);
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The object under the body's root key, or the error for its absence. */
export function rootObject(body: unknown, root: string): Record<string, unknown> | SandboxError {
  const inner = isRecord(body) ? body[root] : undefined;
  if (inner === undefined || inner === null) return { case: 'missing_fields', fields: [root] };
  if (!isRecord(inner)) return { case: 'invalid_field', field: root };
  return inner;
}

export function isSandboxError(value: unknown): value is SandboxError {
  return isRecord(value) && typeof value.case === 'string';
}

/** The first optional field of `obj` whose type is wrong, as an error naming `root.field`. */
export function checkTypes(
  obj: Record<string, unknown>,
  root: string,
  types: Readonly<Record<string, 'string' | 'boolean'>>,
): SandboxError | undefined {
  for (const [field, type] of Object.entries(types)) {
    const value = obj[field];
    if (value !== undefined && value !== null && typeof value !== type) return { case: 'invalid_field', field: `${root}.${field}` };
  }
  return undefined;
}

export interface Pagination {
  current_page: number;
  per_page: number;
  total_entries: number;
  total_pages: number;
}

/** One page of `items` as MX pages them: `records_per_page` from 10 to 1000, else 25. */
export function paginate<T>(items: Iterable<T>, total: number, query: URLSearchParams): { page: T[]; pagination: Pagination } {
  const requested = Number.parseInt(query.get('records_per_page') ?? '', 10);
  const perPage = Number.isNaN(requested) || requested > 1000 ? 25 : Math.max(10, requested);
  const pageNumber = Math.max(1, Number.parseInt(query.get('page') ?? '', 10) || 1);
  const start = (pageNumber - 1) * perPage;
  const page: T[] = [];
  let index = 0;
  if (start < total) {
    for (const item of items) {
      if (index >= start + perPage) break;
      if (index >= start) page.push(item);
      index++;
    }
  }
  return {
    page,
    pagination: { current_page: pageNumber, per_page: perPage, total_entries: total, total_pages: Math.ceil(total / perPage) },
  };
}
