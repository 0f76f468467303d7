/**
 * Which machine an MX call was made for. An effect knows only its input and its AbortSignal; the
 * promise actor XState runs it in knows the machine that invoked it. Binding the signal to that
 * machine's session lets the client's exchange listener (`CallOptions.onExchange`) say whose
 * request it was, so a customer's history names the requests behind each step.
 */
import type { AnyActorRef } from 'xstate';
import type { CallOptions, ExchangeNote } from '../api/index.js';

/** Hears each exchange with the session id of the machine whose effect made it. */
export type ExchangeListener = (machineSession: string, exchange: ExchangeNote) => void;

export interface CallNotes {
  /** Notes that the effect running under `signal` was started by `caller` (a promise actor). */
  bind(signal: AbortSignal, caller: AnyActorRef | undefined): void;
  /** The options an effect running under `signal` passes to every client call. */
  on(signal: AbortSignal): CallOptions;
}

/**
 * @example
 * ```ts
 * const notes = createCallNotes((session, exchange) => history.noteExchange(session, exchange));
 * notes.bind(signal, self);
 * client.readMember(userGuid, memberGuid, notes.on(signal));
 * ```
 */
export function createCallNotes(listener: ExchangeListener | undefined): CallNotes {
  // Keyed by the signal, which lives exactly as long as the invocation: nothing to clean up.
  const listeners = new WeakMap<AbortSignal, (exchange: ExchangeNote) => void>();
  return {
    bind(signal, caller) {
      const session = caller?._parent?.sessionId;
      if (listener && session !== undefined) listeners.set(signal, (exchange) => listener(session, exchange));
    },
    on(signal) {
      const onExchange = listeners.get(signal);
      return onExchange ? { signal, onExchange } : { signal };
    },
  };
}
