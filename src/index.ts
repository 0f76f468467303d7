export type {
  ApiError,
  ApiErrorKind,
  ApiErrorOf,
  ClassifierRule,
  ClassifyOptions,
  Dialect,
  DialectOption,
  ErrorScope,
  FieldError,
  HttpOutcome,
  RedactedExchange,
} from './errors/types.js';
export { API_ERROR_KINDS } from './errors/types.js';
