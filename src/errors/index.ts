export { classify, createClassifier, defaultClassifyOptions } from './classify.js';
export { classifyNetworkError } from './classifyNetworkError.js';
export { dispositionOf, type Disposition } from './disposition.js';
export { isApiError, isRetryable, isSystemic } from './guards.js';
export { asApiError, makeApiError, type ApiErrorDetail } from './make.js';
export { parseRetryAfter } from './retryAfter.js';
export { REDACTED, redact, redactExcerpt, redactPath } from './redact.js';
export {
  API_ERROR_KINDS,
  type ApiError,
  type ApiErrorKind,
  type ApiErrorOf,
  type ClassifierRule,
  type ClassifyOptions,
  type Dialect,
  type DialectOption,
  type ErrorDialect,
  type ErrorScope,
  type FieldError,
  type HttpOutcome,
  type RedactedExchange,
  type UnreadableCause,
  type UnreadableColumn,
} from './types.js';
