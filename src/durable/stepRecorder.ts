/**
 * Turns what a customer's machines do into its history: each time one of them enters a state, a
 * step with the event's type, the MX requests behind it (from the client's exchange notes), the
 * classified error it carried and the member's connection status. The steps wait here until the
 * snapshot writer takes them into the save of the state they led to.
 *
 * Only names, kinds and statuses are read: never an event's payload or a context's values beyond
 * the connection status, so no credential, answer, token or URL can reach a step.
 */
import type { AnyActorRef, InspectionEvent } from 'xstate';
import type { ExchangeNote } from '../api/index.js';
import { API_ERROR_KINDS, type ApiErrorKind } from '../errors/index.js';
import type { HistoryRequest, HistoryStep } from './store/contract.js';

/** Requests kept for one machine between two steps; a storm of 429s does not grow it without end. */
const MAX_REQUESTS_PER_STEP = 20;
const MEMBER_PREFIX = 'member:';
const KINDS = new Set<string>(API_ERROR_KINDS);

export interface StepRecorder {
  /** A client exchange made for the machine of session `session`. */
  noteExchange(session: string, exchange: ExchangeNote): void;
  /** An inspection event of one of `itemId`'s actors. */
  observe(itemId: string, event: InspectionEvent): void;
  /** The steps of `itemId` not written yet (and forgets them), or `undefined` when there are none. */
  take(itemId: string): HistoryStep[] | undefined;
  /** Drops what is kept for an item that left this worker. */
  forget(itemId: string): void;
}

interface MachineSnapshot {
  value?: unknown;
  machine?: { id?: unknown };
  context?: { connectionStatus?: unknown };
}

/** A state value as dotted text: `polling.checkingStatus`; parallel regions joined with `, `. */
function stateName(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value !== 'object' || value === null) return String(value);
  return Object.entries(value as Record<string, unknown>)
    .map(([key, inner]) => {
      const rest = stateName(inner);
      return rest === '' || (typeof inner === 'object' && inner !== null && Object.keys(inner).length === 0) ? key : `${key}.${rest}`;
    })
    .join(', ');
}

function actorName(ref: AnyActorRef, machine: string): string {
  if (!ref._parent) return machine;
  return ref.id.startsWith(MEMBER_PREFIX) ? ref.id.slice(MEMBER_PREFIX.length) : ref.id;
}

function errorOf(event: { type: string; error?: unknown }): HistoryStep['error'] | undefined {
  if (!event.type.startsWith('xstate.error.actor.')) return undefined;
  const error = event.error as { kind?: unknown; status?: unknown } | undefined;
  if (typeof error?.kind !== 'string' || !KINDS.has(error.kind)) return { kind: 'unknown', status: 0 };
  return { kind: error.kind as ApiErrorKind, status: typeof error.status === 'number' ? error.status : 0 };
}

/**
 * @example
 * ```ts
 * const steps = createStepRecorder();
 * const effects = createLifecycleEffects({ client, credentials, answers, onExchange: steps.noteExchange });
 * createActor(machine, { inspect: (event) => steps.observe('cust-1', event) });
 * writer.save({ ..., history: { steps: steps.take('cust-1') ?? [], keep: 200 } });
 * ```
 */
export function createStepRecorder(): StepRecorder {
  const requests = new Map<string, HistoryRequest[]>();
  const states = new Map<string, string>();
  const rounds = new Map<string, { before: string[]; skipped: number }>();
  const sessionsOf = new Map<string, Set<string>>();
  const pending = new Map<string, HistoryStep[]>();

  return {
    noteExchange(session, exchange) {
      const list = requests.get(session) ?? [];
      if (list.length >= MAX_REQUESTS_PER_STEP) list.shift();
      list.push({ method: exchange.method, path: exchange.path, status: exchange.status, ms: exchange.ms });
      requests.set(session, list);
    },
    observe(itemId, event) {
      if (event.type !== '@xstate.snapshot') return;
      const snapshot = event.snapshot as MachineSnapshot;
      if (snapshot.value === undefined || typeof snapshot.machine?.id !== 'string') return;
      const session = event.actorRef.sessionId;
      let sessions = sessionsOf.get(itemId);
      if (!sessions) sessionsOf.set(itemId, (sessions = new Set()));
      sessions.add(session);
      const state = stateName(snapshot.value);
      if (states.get(session) === state) return;
      states.set(session, state);
      const machine = snapshot.machine.id;
      const cause = event.event as { type: string; error?: unknown };
      const step: HistoryStep = { at: Date.now(), machine, actor: actorName(event.actorRef as AnyActorRef, machine), state, event: cause.type };
      const made = requests.get(session);
      if (made) {
        step.requests = made;
        requests.delete(session);
      }
      const error = errorOf(cause);
      if (error) step.error = error;
      const status = snapshot.context?.connectionStatus;
      if (typeof status === 'string') step.connectionStatus = status;
      // A wait that polls (status reads while aggregating, or while an answer is awaited) goes round
      // the same two states: a round that brings nothing new is counted on the next step that
      // does, rather than filling the customer's history with copies of one round.
      const signature = `${state}|${cause.type}|${step.connectionStatus ?? ''}|${error?.kind ?? ''}|${(step.requests ?? []).map((r) => r.status).join(',')}`;
      const seen = rounds.get(session) ?? { before: [] as string[], skipped: 0 };
      rounds.set(session, seen);
      const repeats = seen.before.includes(signature);
      seen.before = [...seen.before.slice(-1), signature];
      if (repeats) {
        seen.skipped += 1;
        return;
      }
      if (seen.skipped > 0) {
        step.repeated = seen.skipped;
        seen.skipped = 0;
      }
      const list = pending.get(itemId);
      if (list) list.push(step);
      else pending.set(itemId, [step]);
    },
    take(itemId) {
      const steps = pending.get(itemId);
      pending.delete(itemId);
      return steps;
    },
    forget(itemId) {
      for (const session of sessionsOf.get(itemId) ?? []) {
        requests.delete(session);
        states.delete(session);
        rounds.delete(session);
      }
      sessionsOf.delete(itemId);
      pending.delete(itemId);
    },
  };
}
