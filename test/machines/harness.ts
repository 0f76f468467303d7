/**
 * Stub effects for the machine tests: scripted outcomes per actor, plain ApiErrors with their
 * taxonomy dispositions, and MX fixtures. The machines under test are the real ones.
 */
import { fromPromise, type AnyActorLogic } from 'xstate';
import type { ApiError, ApiErrorKind } from '../../src/errors/types.js';
import type { ConnectionStatus, MxChallenge, MxCredentialField, MxMember, MxMemberStatus, MxUser } from '../../src/api/types.js';
import type { LifecycleActorName } from '../../machines/index.js';
import { DEFAULT_DISPOSITIONS } from './transitions.js';
import { IN_PROGRESS_STATUSES } from '../../machines/statuses.js';

/** What one call of a stub actor does. */
export type Outcome = { ok: unknown } | { err: unknown } | 'hang';

export interface Call {
  actor: LifecycleActorName;
  input: unknown;
}

/** An ApiError of `kind` with the taxonomy's default disposition. */
export function apiError(kind: ApiErrorKind, extra: Partial<ApiError> = {}): ApiError {
  return { kind, status: kind === 'rate_limited' ? 429 : 400, dialect: 'mx-sso', ...DEFAULT_DISPOSITIONS[kind], ...extra } as ApiError;
}

const EFFECTS: LifecycleActorName[] = [
  'createUser', 'findUser', 'deleteUser', 'listCredentialFields', 'createMember', 'findMember', 'aggregateMember',
  'readMemberStatus', 'listChallenges', 'answerChallenge', 'resumeAggregation', 'deleteMember',
  'chooseConnect', 'findEndUserMember', 'adoptMember', 'aggregateForRefresh',
];

/**
 * Promise actors that play a script: the n-th call of an actor gets the n-th outcome, and a call
 * past the end of its script never settles (so the machine rests in the state that made it).
 */
export function scripted(script: Partial<Record<LifecycleActorName, Outcome[]>>, calls: Call[] = []) {
  const cursor = new Map<string, number>();
  const actors: Record<string, AnyActorLogic> = {};
  for (const name of EFFECTS) {
    actors[name] = fromPromise(({ input }) => {
      calls.push({ actor: name, input });
      const n = cursor.get(name) ?? 0;
      cursor.set(name, n + 1);
      const outcome = script[name]?.[n] ?? 'hang';
      if (outcome === 'hang') return new Promise<never>(() => {});
      return 'ok' in outcome ? Promise.resolve(outcome.ok) : Promise.reject(outcome.err);
    });
  }
  return actors;
}

/** A `sleepUntil` that never ends: the machine stays in its waiting state. */
export const endlessSleep = fromPromise<void, { until: number }>(() => new Promise<never>(() => {}));

export const user = (guid = 'USR-1', id = 'cust-1'): MxUser => ({ guid, id, email: null, is_disabled: false, metadata: null });
/**
 * A member as create, find, aggregate and resume answer. `is_being_aggregated` is null (the answer
 * does not say) unless given: after such a create the member reads its status at once, and the
 * scripted reads say how the aggregation goes. A create that says `true` puts the first read off by
 * a poll interval (test/machines/createAnswer.test.ts).
 */
export const member = (
  status: ConnectionStatus | null = 'CREATED', guid = 'MBR-1', id = 'cust-1-bank', is_being_aggregated: boolean | null = null,
): MxMember => ({
  guid, id, user_guid: 'USR-1', institution_code: 'mxbank', connection_status: status, is_being_aggregated, aggregated_at: null,
});
/** A status read; MX reports `is_being_aggregated` true while the aggregation runs, false once its status is the outcome. */
export const status = (
  connection_status: ConnectionStatus | null,
  guid = 'MBR-1',
  is_being_aggregated = connection_status === null || IN_PROGRESS_STATUSES.includes(connection_status),
): MxMemberStatus => ({ guid, connection_status, is_being_aggregated, aggregated_at: null });
export const fields: MxCredentialField[] = [
  { guid: 'CRD-username', field_name: 'username', label: 'Username', type: 'TEXT', display_order: 0 },
  { guid: 'CRD-password', field_name: 'password', label: 'Password', type: 'PASSWORD', display_order: 1 },
];
export const challenge = (guid = 'CRD-mfa-1'): MxChallenge => ({ guid, type: 'TEXT', label: 'What is your favourite colour?', field_name: 'colour' });

export const ok = (value: unknown = undefined): Outcome => ({ ok: value });
export const err = (kind: ApiErrorKind, extra: Partial<ApiError> = {}): Outcome => ({ err: apiError(kind, extra) });

/** The dotted path of a (possibly nested) state value: `{ polling: 'waitingToPoll' }` → `polling.waitingToPoll`. */
export function statePath(value: unknown): string {
  if (typeof value === 'string') return value;
  const [key, child] = Object.entries(value as Record<string, unknown>)[0] ?? ['?', undefined];
  return child === undefined || (typeof child === 'object' && child !== null && Object.keys(child).length === 0) ? key : `${key}.${statePath(child)}`;
}
