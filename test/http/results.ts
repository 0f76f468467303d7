import type { Result } from 'neverthrow';
import type { ApiError } from '../../src/errors/types.js';

/** The value of an `Ok`, or a failed test naming the error's kind. */
export function valueOf<T>(result: Result<T, ApiError>): T {
  if (result.isErr()) throw new Error(`expected Ok, got ${result.error.kind}: ${result.error.message ?? ''}`);
  return result.value;
}

/** The error of an `Err`, or a failed test. */
export function errorOf(result: Result<unknown, ApiError>): ApiError {
  if (result.isOk()) throw new Error('expected Err, got Ok');
  return result.error;
}
