export {
  createEventHub,
  type ClientEvent,
  type ClientEventMap,
  type ClientEvents,
  type ClientEventType,
  type Disposable,
  type RateLimitedEvent,
  type RequestEvent,
  type ResponseEvent,
  type RetriedEvent,
  type TokenRefreshedEvent,
} from './events.js';
export type { FetchInit, FetchLike, FetchResponseLike } from './exchange.js';
export { createLimiter, defaultLimiterOptions, type AttemptVerdict, type LimiterOptions, type LimiterState, type RequestLimiter } from './limiter.js';
export { clusterId, type ClusterOptions } from './cluster.js';
export { createTokenSource, type IssuedToken, type TokenLease, type TokenSource, type TokenSourceOptions } from './token.js';

export { type ExchangeNote, type HttpRequest, type Transport, createTransport, withQuery } from './transport.js';
export { type RawResponse } from './exchange.js';
