/**
 * The effects the machines invoke, by name. Each is a promise actor that the runtime provides
 * (`machine.provide({ actors })`, or `provideEffects`) built on an `MxClient`.
 *
 * Contract for every effect actor: it resolves with the value below, and rejects with the call's
 * `ApiError` (a plain object, never an `Error`). The machine branches on the error's `kind`, `retryable`
 * and `scope`; any other rejection counts as an `unknown` item failure.
 *
 * No input or output here holds a secret: an invoked actor's input is persisted
 * with its parent and every output crosses the inspector. Credentials and MFA answers are fetched by
 * the runtime's `createMember` and `resumeAggregation` at the moment of the request, by reference to
 * the member's external id.
 */
import { fromPromise } from 'xstate';
import { makeApiError } from '../src/errors/index.js';
import type { ApiError } from '../src/errors/index.js';
import type { MxChallenge, MxCredentialField, MxMember, MxMemberStatus, MxUser } from '../src/api/index.js';

export interface CreateUserActorInput {
  externalId: string;
  email?: string;
  metadata?: string;
}
export interface FindUserActorInput {
  externalId: string;
  /** The guid a duplicate error named: read it directly (a search by `externalId` if it is gone). */
  userGuid?: string;
}
export interface DeleteUserActorInput {
  userGuid: string;
}
export interface ListCredentialFieldsActorInput {
  institutionCode: string;
  /**
   * The field guids a create was refused with (`credentials_stale`): read the fields again, unless
   * the fields at hand are other ones already. Absent on a member's first read.
   */
  stale?: string[];
}

/** One credential field of an institution, without any value. */
export interface CredentialFieldRef {
  guid: string;
  fieldName: string | null;
}

/**
 * What `createMember` gets. No credential values: the runtime's implementation asks its credentials
 * source for `externalId`'s values of `credentialFields` when it builds the request, and drops them
 * once the request is sent.
 */
export interface CreateMemberActorInput {
  userGuid: string;
  externalId: string;
  /** The customer the member belongs to: credentials are looked up per customer and member. */
  userExternalId?: string | null;
  institutionCode: string;
  credentialFields: CredentialFieldRef[];
  /** Create an OAuth member: `is_oauth: true`, no credentials asked for. */
  isOauth?: boolean;
}
export interface FindMemberActorInput {
  userGuid: string;
  externalId: string;
  /** The guid a duplicate error named: read it directly (a search by `externalId` if it is gone). */
  memberGuid?: string;
}
/** Input of `aggregateMember`, `readMemberStatus`, `listChallenges` and `deleteMember`. */
export interface MemberRefActorInput {
  userGuid: string;
  memberGuid: string;
}

/**
 * What `aggregateMember` gets: the member's guid, and who it is so the runtime can send the new
 * credentials of a retry through update member (which aggregates too) instead of a plain aggregate.
 */
export interface AggregateMemberActorInput extends MemberRefActorInput {
  externalId: string;
  userExternalId?: string | null;
  institutionCode: string;
  credentialFields: CredentialFieldRef[];
}

/** An MFA challenge as the machines keep it: what to ask, never what was answered. */
export interface ChallengeSummary {
  guid: string;
  type: string;
  label: string | null;
  fieldName: string | null;
  options: { label: string; value: string }[];
}

/**
 * An MFA challenge as the machines keep it: what is asked, never what was answered.
 *
 * @example
 * ```ts
 * summariseChallenge({ guid: 'CRD-1', type: 'TEXT', label: 'City?', field_name: 'city' }).fieldName; // 'city'
 * ```
 */
export function summariseChallenge(challenge: MxChallenge): ChallengeSummary {
  return {
    guid: challenge.guid,
    type: challenge.type,
    label: challenge.label,
    fieldName: challenge.field_name ?? null,
    options: (challenge.options ?? []).map(({ label, value }) => ({ label, value })),
  };
}

/**
 * What `answerChallenge` gets. The runtime's implementation obtains answers (a callback, a human)
 * and keeps them in its answer store under `memberExternalId`; it resolves `{ answered: true }` when
 * it holds answers, `{ answered: false }` to wait for the `member.challenge.answered` event instead.
 */
export interface AnswerChallengeActorInput {
  userGuid: string;
  memberGuid: string;
  memberExternalId: string;
  /** The customer the member belongs to (`null` in snapshots written before it was kept). */
  userExternalId?: string | null;
  challenges: ChallengeSummary[];
}
export interface AnswerChallengeActorOutput {
  answered: boolean;
}

/**
 * What `resumeAggregation` gets. The runtime's implementation takes the answers for
 * `memberExternalId` out of its answer store, sends them, and forgets them.
 */
export interface ResumeAggregationActorInput {
  userGuid: string;
  memberGuid: string;
  memberExternalId: string;
  /** The customer the member belongs to (`null` in snapshots written before it was kept). */
  userExternalId?: string | null;
  challengeGuids: string[];
}

/** What `sleepUntil` gets: an absolute due time, so a restored wait knows how long is left. */
export interface SleepUntilActorInput {
  until: number;
}

/** What `chooseConnect` gets: is there a login for this member, or does its bank support OAuth? */
export interface ChooseConnectActorInput {
  userGuid: string;
  externalId: string;
  userExternalId?: string | null;
  institutionCode: string;
}
/** What `findEndUserMember` gets: the member a widget's end user made is one of this user's. */
export interface FindEndUserMemberActorInput {
  userGuid: string;
  externalId: string;
  /** `''` when the end user picks the bank. */
  institutionCode: string;
}
/** What `adoptMember` gets: the member the end user made, to be named `externalId` at MX. */
export interface AdoptMemberActorInput {
  userGuid: string;
  memberGuid: string;
  externalId: string;
}

/**
 * What `aggregateForRefresh` gets: the member, when the refresh decided to aggregate it, and what the
 * read before that decision saw. A restored machine runs the effect again with this same input:
 * the effect then reads the member first and sends no second aggregate when one already started.
 */
export interface RefreshAggregateActorInput extends MemberRefActorInput {
  decidedAt: number;
  seenAggregatedAt: string | null;
  seenSuccessfullyAggregatedAt: string | null;
}

/** What `aggregateForRefresh` resolves with. */
export interface RefreshAggregateActorOutput {
  /** Whether this call sent the aggregate request (false: an earlier one got through, seen by a read). */
  sent: boolean;
  /** Whether an aggregation runs or ran since the read: false means MX started none (202, throttled). */
  started: boolean;
  connectionStatus: MxMember['connection_status'];
  successfullyAggregatedAt: string | null;
}

/** Every effect actor by name, with its input and its resolved value. */
export interface LifecycleActorContracts {
  createUser: { input: CreateUserActorInput; output: MxUser };
  findUser: { input: FindUserActorInput; output: MxUser | null };
  deleteUser: { input: DeleteUserActorInput; output: void };
  listCredentialFields: { input: ListCredentialFieldsActorInput; output: MxCredentialField[] };
  createMember: { input: CreateMemberActorInput; output: MxMember };
  findMember: { input: FindMemberActorInput; output: MxMember | null };
  aggregateMember: { input: AggregateMemberActorInput; output: MxMember };
  readMemberStatus: { input: MemberRefActorInput; output: MxMemberStatus };
  listChallenges: { input: MemberRefActorInput; output: MxChallenge[] };
  answerChallenge: { input: AnswerChallengeActorInput; output: AnswerChallengeActorOutput };
  resumeAggregation: { input: ResumeAggregationActorInput; output: MxMember };
  deleteMember: { input: MemberRefActorInput; output: void };
  sleepUntil: { input: SleepUntilActorInput; output: void };
  chooseConnect: { input: ChooseConnectActorInput; output: 'credentials' | 'oauth' };
  findEndUserMember: { input: FindEndUserMemberActorInput; output: MxMember | null };
  adoptMember: { input: AdoptMemberActorInput; output: MxMember };
  aggregateForRefresh: { input: RefreshAggregateActorInput; output: RefreshAggregateActorOutput };
}

export type LifecycleActorName = keyof LifecycleActorContracts;

/**
 * A placeholder for an effect the runtime must provide: it rejects at once with an `unknown` error
 * naming the actor, so a machine used without `provide()` fails its item loudly instead of hanging.
 *
 * @example
 * ```ts
 * const createUser = missingActor<'createUser'>('createUser');
 * ```
 */
export function missingActor<N extends LifecycleActorName>(name: N) {
  return fromPromise<LifecycleActorContracts[N]['output'], LifecycleActorContracts[N]['input']>(() =>
    Promise.reject(missingActorError(name)),
  );
}

function missingActorError(name: string): ApiError {
  return makeApiError('unknown', { message: `actor "${name}" must be provided: machine.provide({ actors: { ${name}: fromPromise(...) } })` });
}

// setTimeout silently fires at once beyond 2^31-1 ms; long waits are armed in slices.
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/**
 * Resolves once `Date.now()` reaches `until`, at once if it already has; an abort clears the timer
 * (the promise then never settles: its actor is gone).
 *
 * @example
 * ```ts
 * await waitUntil(Date.now() + 3_000, signal);
 * ```
 */
export function waitUntil(until: number, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const arm = () => {
      const left = until - Date.now();
      if (left <= 0) {
        resolve();
        return;
      }
      timer = setTimeout(arm, Math.min(left, MAX_TIMEOUT_MS));
    };
    signal.addEventListener('abort', () => clearTimeout(timer), { once: true });
    arm();
  });
}

/**
 * The default durable wait: resolves once `Date.now()` reaches `input.until`, at once if it already
 * has. A restored machine re-runs it with its persisted `until`, so it waits only for what is left.
 *
 * @example
 * ```ts
 * const machine = userMachine.provide({ actors: { sleepUntil } });
 * ```
 */
export const sleepUntil = fromPromise<void, SleepUntilActorInput>(({ input, signal }) => waitUntil(input.until, signal));
