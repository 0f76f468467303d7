/**
 * Graph tooling for the path-coverage test: the events to explore in each state (every outcome
 * of every invoked actor, plus the runtime's events), a serialisation that keeps what steers the
 * machine and drops clock values, and a replayer that drives a real actor along a path with
 * controllable stub actors and fake timers while recording the states and transitions it takes.
 */
import { vi } from 'vitest';
import { createActor, createMachine, fromPromise, type AnyActorLogic, type AnyMachineSnapshot, type AnyStateMachine, type AnyTransitionDefinition } from 'xstate';
import { getStateNodes } from 'xstate/graph';
import type { ApiErrorKind } from '../../src/errors/types.js';
import { apiError, challenge, fields, member, status, user } from './harness.js';

export type GraphEvent = { type: string; [key: string]: unknown };

/** The kinds explored: one of each disposition, plus every kind some state treats specially. */
const EXPLORED_KINDS: ApiErrorKind[] = ['duplicate', 'not_found', 'credentials_stale', 'challenge_expired', 'validation', 'server_error', 'unauthorized', 'conflict'];

const OUTPUTS: Record<string, unknown[]> = {
  createUser: [user()],
  findUser: [user(), null],
  listCredentialFields: [fields],
  createMember: [member(), { ...member('PENDING'), is_oauth: true, oauth_window_uri: 'https://mxbank.example/oauth' }],
  findMember: [member(), null],
  aggregateMember: [member()],
  readMemberStatus: [
    ...(['CONNECTED', 'CHALLENGED', 'LOCKED', 'DEGRADED', 'FAILED', 'PENDING'] as const).map((s) => status(s)),
    { ...status('CHALLENGED'), challenges: [challenge()] },
    status('FAILED', 'MBR-1', true),
    status('PENDING', 'MBR-1', false),
  ],
  listChallenges: [[challenge()], []],
  answerChallenge: [{ answered: true }, { answered: false }],
  resumeAggregation: [member('RESUMED')],
  deleteMember: [undefined],
  deleteUser: [undefined],
  sleepUntil: [undefined],
  chooseConnect: ['credentials', 'oauth'],
  findEndUserMember: [{ ...member(), id: null }, null],
  adoptMember: [member()],
  user: [{ outcome: 'ready', externalId: 'cust-1', userGuid: 'USR-1' }, { outcome: 'failed', externalId: 'cust-1', error: apiError('validation') }],
};

export const TIMER_SRC = 'sleepUntil';

/**
 * The events a state can take: a done event per sample output and an error event per explored
 * kind for each actor its active states invoke, and the external events `external` returns.
 */
export function eventsFor(machine: AnyStateMachine, external: (snapshot: AnyMachineSnapshot) => GraphEvent[]) {
  const invoking = getStateNodes(machine.root).filter((node) => node.invoke.length > 0);
  return (snapshot: AnyMachineSnapshot): GraphEvent[] => {
    const events: GraphEvent[] = [];
    for (const node of invoking) {
      if (!snapshot.matches(node.path.join('.') as never)) continue;
      for (const invoke of node.invoke) {
        const src = String(invoke.src);
        for (const output of OUTPUTS[src] ?? []) events.push({ type: `xstate.done.actor.${invoke.id}`, output });
        if (src === 'user') events.push({ type: `xstate.error.actor.${invoke.id}`, error: apiError('unknown') });
        else if (src !== TIMER_SRC) for (const kind of EXPLORED_KINDS) events.push({ type: `xstate.error.actor.${invoke.id}`, error: apiError(kind) });
      }
    }
    return [...events, ...external(snapshot)];
  };
}

/** Context that steers transitions (counters, the step to rerun, who is halted); clock values left out. */
const CONTROL = ['connect', 'attempts', 'retryStep', 'polls', 'credentialRefreshes', 'aggregationRetries', 'challengeRounds', 'index', 'haltedMembers', 'userGuid'];

export function serializeControl(snapshot: AnyMachineSnapshot): string {
  const context = snapshot.context as Record<string, unknown>;
  const control: Record<string, unknown> = { halted: context.halt ? 1 : 0 };
  for (const key of CONTROL) if (key in context) control[key] = context[key];
  if (Array.isArray(context.members)) control.members = (context.members as { outcome: string }[]).map((m) => m.outcome);
  return JSON.stringify({ value: snapshot.value, control });
}

/** Every transition of a machine, by a key that survives `provide()` (which rebuilds the nodes). */
export function transitionKeys(machine: AnyStateMachine): Set<string> {
  const keys = new Set<string>();
  for (const node of [machine.root, ...getStateNodes(machine.root)]) {
    for (const [type, list] of node.transitions) list.forEach((_, i) => keys.add(`${node.id}|${type}|${i}`));
    node.always?.forEach((_, i) => keys.add(`${node.id}|always|${i}`));
  }
  return keys;
}

/** The transitions of an `@xstate.microstep` inspection event (xstate marks the field internal). */
function transitionsOf(event: unknown): AnyTransitionDefinition[] {
  // oxlint-disable-next-line no-underscore-dangle -- the inspector's only record of which transitions ran
  return (event as { _transitions?: AnyTransitionDefinition[] })._transitions ?? [];
}

function keyOf(transition: AnyTransitionDefinition): string {
  const source = transition.source;
  const index = source.transitions.get(transition.eventType)?.indexOf(transition) ?? -1;
  if (index >= 0) return `${source.id}|${transition.eventType}|${index}`;
  return `${source.id}|always|${source.always?.indexOf(transition) ?? -1}`;
}

/**
 * The transitions one event takes from one snapshot, found by running the pure transition function
 * with a scope whose inspector records each microstep (nothing is started, nothing runs).
 */
export function transitionTracer(machine: AnyStateMachine) {
  const taken: string[] = [];
  const probe = createActor(createMachine({}), {
    inspect: (event) => {
      if (event.type === '@xstate.microstep') for (const t of transitionsOf(event)) taken.push(keyOf(t));
    },
  });
  const noop = () => {};
  const scope = { self: probe, logger: noop, id: '', sessionId: 'probe', defer: noop, system: probe.system, stopChild: noop, emit: noop, actionExecutor: noop };
  return (snapshot: AnyMachineSnapshot, event: GraphEvent): string[] => {
    taken.length = 0;
    machine.transition(snapshot, event as never, scope as never);
    return [...taken];
  };
}

export function stateIds(machine: AnyStateMachine): string[] {
  return getStateNodes(machine.root).map((node) => node.id);
}

/** Promise actors that wait until the replayer settles them, by actor id. */
export class RemoteActors {
  private readonly pending = new Map<string, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>();

  logic(): AnyActorLogic {
    return fromPromise(({ self, signal }) => new Promise((resolve, reject) => {
      const entry = { resolve, reject };
      this.pending.set(self.id, entry);
      signal.addEventListener('abort', () => {
        if (this.pending.get(self.id) === entry) this.pending.delete(self.id);
      });
    }));
  }

  settle(id: string, how: 'done' | 'error', value: unknown): boolean {
    const entry = this.pending.get(id);
    if (!entry) return false;
    this.pending.delete(id);
    if (how === 'done') entry.resolve(value);
    else entry.reject(value);
    return true;
  }
}

export interface Coverage {
  states: Set<string>;
  transitions: Set<string>;
  mismatches: string[];
}

/**
 * Replays `events` on a real actor of `machine` (already provided with `remote`'s stubs and the
 * real `sleepUntil`), under fake timers, checking after each event that the actor stands where the
 * graph says it should.
 */
export async function replay(
  machine: AnyStateMachine,
  input: unknown,
  steps: { event: GraphEvent; state: AnyMachineSnapshot }[],
  remote: RemoteActors,
  coverage: Coverage,
  ids: string[],
): Promise<void> {
  const actor = createActor(machine, {
    input,
    inspect: (event) => {
      // Only the root's own steps: the initial ones arrive before createActor returns.
      if (event.type !== '@xstate.microstep' || event.actorRef.sessionId !== event.rootId) return;
      const microstep = event as unknown as { snapshot: AnyMachineSnapshot };
      for (const t of transitionsOf(event)) {
        coverage.transitions.add(keyOf(t));
        // A transient state (the initial `starting`) is never a microstep's snapshot, only a source.
        coverage.states.add(t.source.id);
      }
      for (const id of ids) if (microstep.snapshot.matches(id.split('.').slice(1).join('.') as never)) coverage.states.add(id);
    },
  });
  actor.start();
  for (const id of ids) if (actor.getSnapshot().matches(id.split('.').slice(1).join('.') as never)) coverage.states.add(id);
  await vi.advanceTimersByTimeAsync(0);
  for (const [i, { event, state }] of steps.entries()) {
    if (i === 0) continue; // xstate.init
    const match = /^xstate\.(done|error)\.actor\.(.+)$/.exec(event.type);
    if (match) {
      const [, how, id] = match as unknown as [string, 'done' | 'error', string];
      const child = (actor.getSnapshot().children as Record<string, { src?: unknown; getSnapshot(): { input?: { until?: number } } }>)[id];
      if (child?.src === TIMER_SRC) {
        const until = child.getSnapshot().input?.until ?? Date.now();
        await vi.advanceTimersByTimeAsync(Math.max(0, until - Date.now()));
      } else if (!remote.settle(id, how, how === 'done' ? event.output : event.error)) {
        coverage.mismatches.push(`step ${i}: no pending actor "${id}" for ${event.type}`);
        break;
      }
    } else {
      actor.send(event as never);
    }
    await vi.advanceTimersByTimeAsync(0);
    const now = actor.getSnapshot();
    if (JSON.stringify(now.value) !== JSON.stringify(state.value) || now.status !== state.status) {
      coverage.mismatches.push(`step ${i} (${event.type}): expected ${JSON.stringify(state.value)}, got ${JSON.stringify(now.value)}`);
      break;
    }
  }
  actor.stop();
}
