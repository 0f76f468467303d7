/**
 * The client's view of the token machine: `getToken()` for a request, `invalidate(generation)`
 * when the API says that token expired. The token string lives only in this closure.
 */
import { err, ok, type Result } from 'neverthrow';
import { createActor, fromPromise, type InspectionEvent, type Observer } from 'xstate';
import {
  tokenMachine,
  type FetchTokenInput,
  type RefreshReason,
  type TokenGrant,
} from './token.machine.js';
import { makeApiError } from '../errors/index.js';
import type { ApiError } from '../errors/index.js';

/** A token as the token endpoint returned it. */
export interface IssuedToken {
  token: string;
  expiresInSeconds: number;
}

/** A token handed to one request, with the generation to name it by when it is refused. */
export interface TokenLease {
  token: string;
  generation: number;
}

export interface TokenRefreshedInfo {
  generation: number;
  lifetimeMs: number;
  reason: RefreshReason;
}

export interface TokenSourceOptions {
  /** Fetches a new token; its error is classified (an `unauthorized` one halts the source). */
  fetchToken: (signal: AbortSignal) => Promise<Result<IssuedToken, ApiError>>;
  /** Refresh this long before expiry (default 30 000 ms, at most half the lifetime). */
  skewMs?: number;
  onRefreshed?: (info: TokenRefreshedInfo) => void;
  /** An XState inspector for the token machine; it sees generations and times, never the token. */
  inspect?: Observer<InspectionEvent> | ((event: InspectionEvent) => void);
}

export interface TokenSource {
  /** A valid token, fetched once however many callers wait; `err` when the fetch failed. */
  getToken(): Promise<Result<TokenLease, ApiError>>;
  /** The API refused this generation as expired: refresh (once, whoever reports it first). */
  invalidate(generation: number): void;
  stop(): void;
}

type Waiter = (result: Result<TokenLease, ApiError>) => void;

/**
 * Runs the token machine for one client.
 *
 * @example
 * ```ts
 * const tokens = createTokenSource({ fetchToken: async () => ok({ token: 't', expiresInSeconds: 300 }) });
 * const lease = await tokens.getToken();
 * if (lease.isOk()) headers.authorization = `Bearer ${lease.value.token}`;
 * ```
 */
export function createTokenSource(options: TokenSourceOptions): TokenSource {
  let current: TokenLease | null = null;
  let waiters: Waiter[] = [];
  let announced = 0;

  const fetchToken = fromPromise<TokenGrant, FetchTokenInput>(async ({ input, signal }) => {
    const issuedAt = Date.now();
    const result = await options.fetchToken(signal);
    if (result.isErr()) throw result.error;
    current = { token: result.value.token, generation: input.generation };
    return { issuedAt, lifetimeMs: Math.max(0, result.value.expiresInSeconds * 1000) };
  });

  const actor = createActor(tokenMachine.provide({ actors: { fetchToken } }), {
    input: { skewMs: options.skewMs },
    ...(options.inspect ? { inspect: options.inspect } : {}),
  });

  const flush = (result: Result<TokenLease, ApiError>): void => {
    const pending = waiters;
    waiters = [];
    for (const resolve of pending) resolve(result);
  };

  actor.subscribe((snapshot) => {
    const { context } = snapshot;
    if (snapshot.value === 'valid' && current && current.generation === context.generation) {
      if (announced !== context.generation) {
        announced = context.generation;
        options.onRefreshed?.({ generation: context.generation, lifetimeMs: context.lifetimeMs ?? 0, reason: context.reason });
      }
      flush(ok(current));
    } else if ((snapshot.value === 'failed' || snapshot.value === 'idle') && context.lastError) {
      flush(err(context.lastError));
    }
  });
  actor.start();

  const usable = (): TokenLease | null => {
    const snapshot = actor.getSnapshot();
    const { context } = snapshot;
    if (!current || current.generation !== context.generation || context.expiresAt === null) return null;
    if (Date.now() >= context.expiresAt) return null;
    if (snapshot.value === 'valid') return current;
    if (snapshot.value === 'refreshing' && context.reason === 'proactive') return current;
    return null;
  };

  return {
    getToken() {
      const snapshot = actor.getSnapshot();
      if (snapshot.status !== 'active') {
        return Promise.resolve(err(snapshot.context.lastError ?? stoppedError()));
      }
      const lease = usable();
      if (lease) return Promise.resolve(ok(lease));
      return new Promise((resolve) => {
        waiters.push(resolve);
        // A timer that fired late can leave `valid` holding an expired token: treat it as refused.
        if (snapshot.value === 'valid') actor.send({ type: 'token.expired', generation: snapshot.context.generation });
        else actor.send({ type: 'token.requested' });
      });
    },
    invalidate(generation) {
      actor.send({ type: 'token.expired', generation });
    },
    stop() {
      actor.stop();
      current = null;
      flush(err(stoppedError()));
    },
  };
}

function stoppedError(): ApiError {
  return makeApiError('unavailable', { retryable: false, cause: 'client closed' });
}
