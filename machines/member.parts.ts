/**
 * The member machine's shared pieces: the transitions several of its states take, the step targets
 * a retry runs again, and its starting context. The statechart itself is member.machine.ts.
 */
import type { MxMemberStatus } from '../src/api/index.js';
import type { ListCredentialFieldsActorInput } from './actors.js';
import { lostDuplicateError } from './errors.js';
import type { StatusParams } from './member.setup.js';
import type { MemberContext, MemberInput, MemberOutput, MemberStep } from './member.types.js';
import { resolveLifecycleOptions } from './options.js';
import { initialRetryContext } from './retry.js';
import { errorOf } from './retryKit.js';
import type { StatusCategory } from './statuses.js';

export const recordStatusOf = {
  type: 'recordStatus',
  params: ({ event }: { event: { output: MxMemberStatus } }) => ({ status: event.output.connection_status }),
} as const;
export const statusOf = (...categories: StatusCategory[]) => ({ event }: { event: { output: MxMemberStatus } }): StatusParams => ({
  status: event.output.connection_status,
  categories,
});

export const STEP_TARGETS: Readonly<Record<MemberStep, string>> = {
  resolvingCredentialFields: '#member.resolvingCredentialFields',
  creating: '#member.creating',
  recoveringDuplicate: '#member.recoveringDuplicate',
  aggregating: '#member.aggregating',
  checkingStatus: '#member.polling.checkingStatus',
  loadingChallenges: '#member.loadingChallenges',
  resuming: '#member.resuming',
  choosingConnect: '#member.choosingConnect',
  creatingOauthMember: '#member.creatingOauthMember',
  adoptingMember: '#member.awaitingEndUserMember.adopting',
};

export const LOST_MEMBER = lostDuplicateError('member');

/** The member moved on (405) or a job is running on it (409, 202): read its status and continue from there. */
export const rereadOnConflict = { guard: { type: 'isConflict', params: errorOf }, target: '#member.polling', actions: 'startPolling' } as const;

/** The member machine's final states; each records its outcome on entry. */
export const FINAL_STATES = {
  connected: {
    type: 'final',
    description: 'The member is CONNECTED (or RECONNECTED).',
    entry: { type: 'settle', params: { outcome: 'connected' } },
  },
  needsAction: {
    type: 'final',
    description: 'The end customer (or an operator) must act; the status or the reason is in the output.',
    entry: { type: 'settle', params: { outcome: 'needsAction' } },
  },
  failed: {
    type: 'final',
    description: 'The member could not be connected; the classified error (or FAILED status) is in the output.',
    entry: { type: 'settle', params: { outcome: 'failed' } },
  },
} as const;

/**
 * A fresh member machine's context.
 *
 * @example
 * ```ts
 * initialMemberContext({ userGuid: 'USR-1', externalId: 'cust-1-mxbank', institutionCode: 'mxbank' }).polls; // 0
 * ```
 */
export function initialMemberContext(input: MemberInput): MemberContext {
  return {
    userGuid: input.userGuid,
    externalId: input.externalId,
    userExternalId: input.userExternalId ?? null,
    institutionCode: input.institutionCode,
    options: resolveLifecycleOptions(input.options, input.externalId),
    memberGuid: null,
    connectionStatus: null,
    duplicateGuid: null,
    isOauth: false,
    hasOauthWindowUri: false,
    credentialFields: [],
    challenges: [],
    polls: 0,
    nextPollAt: null,
    answerBy: null,
    credentialRefreshes: 0,
    aggregationRetries: 0,
    challengeRounds: 0,
    reason: null,
    outcome: null,
    connect: input.connect ?? 'credentials',
    endUserBy: null,
    nextEndUserCheckAt: null,
    ...initialRetryContext,
  };
}

/**
 * What a finished member machine reports: its outcome and why, never a credential or an answer.
 *
 * @example
 * ```ts
 * memberOutputOf(snapshot.context).outcome; // 'connected'
 * ```
 */
export function memberOutputOf(context: MemberContext): MemberOutput {
  return {
    outcome: context.outcome ?? 'failed',
    externalId: context.externalId,
    institutionCode: context.institutionCode,
    userGuid: context.userGuid,
    memberGuid: context.memberGuid,
    connectionStatus: context.connectionStatus,
    reason: context.reason,
    connect: context.connect === undefined || context.connect === 'auto' ? 'credentials' : context.connect,
    hasOauthWindowUri: context.hasOauthWindowUri === true,
    error: context.outcome === 'connected' ? null : context.error,
    challenges: context.challenges,
  };
}

/**
 * What a create (or an update of credentials) needs to know of the member: whose it is, where, and
 * the guids of the institution's credential fields. Never a credential value.
 *
 * @example
 * ```ts
 * connectionOf(context).institutionCode; // 'mxbank'
 * ```
 */
export function connectionOf(context: MemberContext) {
  return {
    userGuid: context.userGuid,
    externalId: context.externalId,
    userExternalId: context.userExternalId,
    institutionCode: context.institutionCode,
    credentialFields: context.credentialFields,
  };
}

/**
 * What the read of the institution's credential fields gets: after a create said the fields are
 * stale, the guids it used, so the runtime reads them again rather than hand the same ones back.
 *
 * @example
 * ```ts
 * credentialFieldsReadOf(context); // { institutionCode: 'mxbank' }, or with stale: ['CRD-1', …] after a refusal
 * ```
 */
export function credentialFieldsReadOf(context: MemberContext): ListCredentialFieldsActorInput {
  return context.credentialRefreshes > 0
    ? { institutionCode: context.institutionCode, stale: context.credentialFields.map((field) => field.guid) }
    : { institutionCode: context.institutionCode };
}
