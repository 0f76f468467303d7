/**
 * What a client reports about its traffic. Payloads are built from a fixed list of harmless
 * fields (method, redacted path, status, timings): never headers, bodies, tokens or keys.
 */
import type { ApiErrorKind } from '../errors/index.js';
import type { RefreshReason } from './token.machine.js';
import { createHub, type Disposable, type Events, type Hub } from '../_internals/index.js';

interface CallFields {
  /** Numbers the calls of one client, so the events of one call can be told apart. */
  callId: number;
  method: string;
  /** The request path with its query, redacted. */
  path: string;
  /** 1 for the first try, then one more for each retry. */
  attempt: number;
}

/** A request is about to be sent (after the limiter let it through). */
export interface RequestEvent extends CallFields {
  type: 'request';
  /** How long the call waited at the limiter (for a retry: since the attempt before it ended). */
  queuedMs?: number;
}

/** A response (or a network failure, status 0) arrived. */
export interface ResponseEvent extends CallFields {
  type: 'response';
  status: number;
  durationMs: number;
  /** The classified kind when the status was not a success. */
  kind?: ApiErrorKind;
  timeout?: boolean;
}

/** The API said 429; the whole limiter pauses for `pauseMs`. */
export interface RateLimitedEvent extends CallFields {
  type: 'rate_limited';
  status: number;
  retryAfterMs?: number;
  pauseMs: number;
  willRetry: boolean;
}

/** A call is sent again: after a 429, or once after its token was refused as expired. */
export interface RetriedEvent extends CallFields {
  type: 'retried';
  reason: 'rate_limited' | 'token_expired';
  delayMs: number;
}

/** A new access token arrived (auth `token` only); the token itself is never in the event. */
export interface TokenRefreshedEvent {
  type: 'token_refreshed';
  generation: number;
  lifetimeMs: number;
  reason: RefreshReason;
}

export type ClientEventMap = {
  request: RequestEvent;
  response: ResponseEvent;
  rate_limited: RateLimitedEvent;
  retried: RetriedEvent;
  token_refreshed: TokenRefreshedEvent;
};

export type ClientEventType = keyof ClientEventMap;
export type ClientEvent = ClientEventMap[ClientEventType];

export type { Disposable };

export type ClientEvents = Events<ClientEventMap>;

/** The emitting side, kept inside the client. */
export type EventHub = Hub<ClientEventMap>;

/**
 * A small typed emitter. A listener that throws is ignored: observing a call never breaks it.
 *
 * @example
 * ```ts
 * const hub = createEventHub();
 * const sub = hub.on('rate_limited', (e) => console.log(`429 on ${e.path}, pausing ${e.pauseMs} ms`));
 * sub.dispose();
 * ```
 */
export function createEventHub(): EventHub {
  return createHub<ClientEventMap>();
}
