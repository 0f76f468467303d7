/**
 * Input checks that run before any request: an answer we can give locally costs no rate budget
 * and says precisely what was wrong. These errors have status 0 (no exchange happened).
 */
import { makeApiError } from '../errors/index.js';
import type { ApiError } from '../errors/index.js';

/** The characters MX accepts in an external id. */
const EXTERNAL_ID = /^[A-Za-z0-9_-]+$/;
/** Prefixes MX reserves for its own guids. */
const RESERVED_PREFIXES = ['USR-', 'MBR-'] as const;

function describe(value: unknown): string {
  const text = typeof value === 'string' ? value : String(value);
  return JSON.stringify(text.length > 64 ? `${text.slice(0, 64)}…` : text);
}

/**
 * `null` when `id` can be used as an external user or member id, else the `invalid_external_id` error.
 *
 * @example
 * ```ts
 * checkExternalId('customer-42'); // null
 * checkExternalId('USR-42');      // { kind: 'invalid_external_id', status: 0, ... }
 * ```
 */
export function checkExternalId(id: unknown): ApiError | null {
  let reason: string | null = null;
  if (typeof id !== 'string' || id === '') reason = 'must be a non-empty string';
  else if (RESERVED_PREFIXES.some((prefix) => id.startsWith(prefix))) reason = `must not start with ${RESERVED_PREFIXES.join(' or ')} (MX reserves them)`;
  else if (!EXTERNAL_ID.test(id)) reason = 'may hold only letters, digits, "_" and "-"';
  if (reason === null) return null;
  return makeApiError('invalid_external_id', { message: `External id ${describe(id)} ${reason}.` });
}

/**
 * `null` when `value` can be a path segment (a guid or institution code), else a `validation` error.
 *
 * @example
 * ```ts
 * checkSegment('user_guid', ''); // { kind: 'validation', fields: [{ field: 'user_guid', ... }] }
 * ```
 */
export function checkSegment(field: string, value: unknown): ApiError | null {
  if (typeof value === 'string' && value.trim() !== '' && value.length <= 256) return null;
  return makeApiError('validation', { message: `${field} must be a non-empty string.`, fields: [{ field, message: 'must be a non-empty string' }] });
}
