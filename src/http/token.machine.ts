/**
 * The access-token lifecycle: fetch one token, keep it while it is valid, refresh it a little
 * before it expires (or as soon as the API says it has), and halt when the key is refused.
 *
 * The token string itself never enters this machine: the `fetchToken` actor keeps it in its own
 * closure and resolves with the grant's timing only, so an inspector attached to the actor (or a
 * snapshot of it) cannot leak it. Requests refer to a token by its `generation`.
 */
import { assign, fromPromise, setup } from 'xstate';
import { asApiError } from '../errors/index.js';
import type { ApiError } from '../errors/index.js';

/** What a fetched token tells the machine: when it was issued and for how long it lives. No secret. */
export interface TokenGrant {
  issuedAt: number;
  lifetimeMs: number;
}

export interface FetchTokenInput {
  /** The generation the fetched token will have. */
  generation: number;
  reason: RefreshReason;
}

/** Why a token is being fetched: the first one, a refresh before expiry, or after the API refused it. */
export type RefreshReason = 'initial' | 'proactive' | 'reactive';

export interface TokenMachineInput {
  /** How long before expiry to refresh (default 30 000 ms), capped at half the token's lifetime. */
  skewMs?: number;
}

export interface TokenContext {
  /** 0 until the first token arrives; each new token gets the next number. */
  generation: number;
  issuedAt: number | null;
  expiresAt: number | null;
  lifetimeMs: number | null;
  skewMs: number;
  /** Fetches after the first successful one. */
  refreshes: number;
  reason: RefreshReason;
  lastError: ApiError | null;
}

export type TokenEvent =
  /** A request needs a token; starts a fetch when there is none. */
  | { type: 'token.requested' }
  /** The API refused the token of this generation as expired. */
  | { type: 'token.expired'; generation: number };

export const DEFAULT_TOKEN_SKEW_MS = 30_000;

/** Errors that mean no token will ever come with this key: halt instead of retrying. */
const SYSTEMIC_KINDS: ReadonlySet<string> = new Set(['unauthorized', 'forbidden', 'misconfigured']);

// A fetch that threw something other than an ApiError is a transient failure of the token endpoint.
const asTokenError = (error: unknown): ApiError => asApiError(error, { retryable: true, scope: 'job', message: 'token fetch failed' });

/** The refresh delay: lifetime minus skew, the skew capped at half the lifetime so short tokens do not spin. */
export function refreshDelayMs(lifetimeMs: number, skewMs: number): number {
  return Math.max(0, lifetimeMs - Math.min(skewMs, lifetimeMs / 2));
}

const fetchInvoke = {
  src: 'fetchToken',
  id: 'fetchToken',
  input: ({ context }: { context: TokenContext }) => ({ generation: context.generation + 1, reason: context.reason }),
  onDone: { target: 'valid', actions: 'storeGrant' },
  onError: [
    { guard: 'isSystemic', target: 'failed', actions: 'recordError' },
    { target: 'idle', actions: 'recordError' },
  ],
} as const;

/**
 * The token statechart. Provide `fetchToken` (a promise actor resolving to a {@link TokenGrant}).
 *
 * @example
 * ```ts
 * const actor = createActor(
 *   tokenMachine.provide({ actors: { fetchToken: fromPromise(async () => ({ issuedAt: Date.now(), lifetimeMs: 300_000 })) } }),
 *   { input: { skewMs: 30_000 } },
 * ).start();
 * actor.send({ type: 'token.requested' });
 * ```
 */
export const tokenMachine = setup({
  types: {
    context: {} as TokenContext,
    events: {} as TokenEvent,
    input: {} as TokenMachineInput,
  },
  actors: {
    fetchToken: fromPromise<TokenGrant, FetchTokenInput>(async () => {
      throw new Error('fetchToken must be provided');
    }),
  },
  guards: {
    isSystemic: ({ event }) => 'error' in event && SYSTEMIC_KINDS.has(asTokenError(event.error).kind),
    isCurrentGeneration: ({ context, event }) => event.type === 'token.expired' && event.generation === context.generation,
  },
  actions: {
    storeGrant: assign(({ context, event }) => {
      const grant = (event as unknown as { output: TokenGrant }).output;
      return {
        generation: context.generation + 1,
        issuedAt: grant.issuedAt,
        lifetimeMs: grant.lifetimeMs,
        expiresAt: grant.issuedAt + grant.lifetimeMs,
        refreshes: context.generation === 0 ? 0 : context.refreshes + 1,
        lastError: null,
      };
    }),
    recordError: assign({ lastError: ({ event }) => asTokenError((event as unknown as { error: unknown }).error) }),
    markProactive: assign({ reason: 'proactive' as RefreshReason }),
    markReactive: assign({ reason: 'reactive' as RefreshReason }),
    markRetry: assign({ reason: ({ context }) => (context.generation === 0 ? 'initial' : 'reactive') as RefreshReason }),
  },
  delays: {
    refreshDelay: ({ context }) => refreshDelayMs(context.lifetimeMs ?? 0, context.skewMs),
  },
}).createMachine({
  id: 'token',
  description: 'Keeps one access token for a client: fetched once, refreshed before it expires, never held in context.',
  context: ({ input }) => ({
    generation: 0,
    issuedAt: null,
    expiresAt: null,
    lifetimeMs: null,
    skewMs: input.skewMs ?? DEFAULT_TOKEN_SKEW_MS,
    refreshes: 0,
    reason: 'initial',
    lastError: null,
  }),
  initial: 'idle',
  states: {
    idle: {
      description: 'No usable token: nothing fetched yet, or the last fetch failed transiently.',
      on: { 'token.requested': { target: 'fetching', actions: 'markRetry' } },
    },
    fetching: { description: 'Fetching the first token (or one after a transient failure).', invoke: fetchInvoke },
    valid: {
      description: 'A token is in use; a refresh starts a little before it expires, or at once when the API says it has.',
      after: { refreshDelay: { target: 'refreshing', actions: 'markProactive' } },
      on: { 'token.expired': { guard: 'isCurrentGeneration', target: 'refreshing', actions: 'markReactive' } },
    },
    refreshing: {
      description: 'One fetch in flight however many requests wait; the old token stays usable only for a proactive refresh.',
      invoke: fetchInvoke,
      on: { 'token.expired': { guard: 'isCurrentGeneration', actions: 'markReactive' } },
    },
    failed: { type: 'final', description: 'The key was refused: every request gets the same systemic error.' },
  },
});
