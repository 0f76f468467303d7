/**
 * The plain errors a store raises on purpose, and the guard that tells them from a driver's failure.
 */

export type StoreErrorCode =
  | 'MX_STORE_UNKNOWN_JOB'
  | 'MX_STORE_SCHEMA_TOO_NEW'
  | 'MX_STORE_BAD_SCHEMA'
  | 'MX_STORE_BAD_URL'
  | 'MX_STORE_BAD_OPTIONS'
  | 'MX_STORE_CLOSED'
  | 'MX_STORE_JOB_BUSY';

/** A store failure: a plain `Error` with a stable `code`, the way Node reports system errors. */
export type StoreError = Error & { code: StoreErrorCode };

export function storeError(code: StoreErrorCode, message: string): StoreError {
  return Object.assign(new Error(message), { code });
}

/**
 * True for an error a store raised on purpose (as opposed to a driver's failure).
 *
 * @example
 * ```ts
 * try { await store.counts('march'); } catch (e) { if (isStoreError(e)) console.error(e.code); }
 * ```
 */
export function isStoreError(value: unknown): value is StoreError {
  if (!(value instanceof Error)) return false;
  const { code } = value as { code?: unknown };
  return typeof code === 'string' && code.startsWith('MX_STORE_');
}

