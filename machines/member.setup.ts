/**
 * The member machine's implementations: the effect actors it names, its guards over errors,
 * statuses and budgets, and its context updates. The statechart itself is member.machine.ts.
 */
import { assign, enqueueActions, setup } from 'xstate';
import type { ConnectionStatus, MxChallenge, MxMember, MxMemberStatus } from '../src/api/index.js';
import { missingActor, sleepUntil, type ChallengeSummary } from './actors.js';
import { duplicateGuidOf, isKind, isSystemicError, toApiError } from './errors.js';
import { hasParent } from './events.js';
import type { ErrorParams, StepErrorParams as StepErrorParamsOf } from './retryKit.js';
import type {
  ConnectMode, MemberContext, MemberEvent, MemberHaltedEvent, MemberInput, MemberOutcome, MemberOutput, MemberStep, NeedsActionReason,
} from './member.types.js';
import { canRetry, clearedRetry, planHalt, planRetry, resumedRetry } from './retry.js';
import { defaultLifecycleOptions } from './options.js';
import { END_USER_STATUSES, statusCategory, statusRetryDelayMs, type StatusCategory } from './statuses.js';

type StepErrorParams = StepErrorParamsOf<MemberStep>;
export type StatusParams = { status: ConnectionStatus | null; categories: readonly StatusCategory[] };
/** A status read as the guards see it. */
export const readOf = ({ event }: { event: { output: MxMemberStatus } }) => ({
  status: event.output.connection_status,
  aggregating: event.output.is_being_aggregated === true,
  challenges: event.output.challenges ?? [],
});
type ReadParams = ReturnType<typeof readOf>;

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

const byEndUser = (context: MemberContext): boolean => context.connect === 'oauth' || context.connect === 'widget';
const oauthPending = (context: MemberContext, params: ReadParams): boolean =>
  params.status === 'PENDING' && (context.isOauth === true || context.hasOauthWindowUri === true);
const endUserStatus = (params: ReadParams): boolean => params.status !== null && END_USER_STATUSES.includes(params.status);
/**
 * CHALLENGED on a connection the end user makes: they answer in the widget (or in one opened on the
 * member for a re-link), so the member waits for them rather than for an answer from the fintech.
 */
const endUserChallenged = (params: ReadParams): boolean => params.status === 'CHALLENGED';
// Snapshots written before the end-user options existed lack them.
const endUserPollMs = (context: MemberContext): number => context.options.endUserPollMs ?? defaultLifecycleOptions.endUserPollMs;

const pollsLeft = (context: MemberContext): boolean => context.polls < Math.floor(context.options.maxPollMs / context.options.pollIntervalMs);

export const memberSetup = setup({
  types: {} as { context: MemberContext; input: MemberInput; events: MemberEvent; output: MemberOutput },
  actors: {
    listCredentialFields: missingActor('listCredentialFields'),
    createMember: missingActor('createMember'),
    findMember: missingActor('findMember'),
    aggregateMember: missingActor('aggregateMember'),
    readMemberStatus: missingActor('readMemberStatus'),
    listChallenges: missingActor('listChallenges'),
    answerChallenge: missingActor('answerChallenge'),
    resumeAggregation: missingActor('resumeAggregation'),
    chooseConnect: missingActor('chooseConnect'),
    findEndUserMember: missingActor('findEndUserMember'),
    adoptMember: missingActor('adoptMember'),
    sleepUntil,
  },
  guards: {
    isDuplicate: (_, params: ErrorParams) => isKind(params.error, 'duplicate'),
    /** 405 (no longer CHALLENGED, answered elsewhere), 409 or 202 (a job is running): the member moved on. */
    isConflict: (_, params: ErrorParams) => isKind(params.error, 'conflict'),
    hasInlineChallenges: (_, params: ReadParams) => statusCategory(params.status) === 'challenged' && params.challenges.length > 0,
    isOauthPending: ({ context }, params: ReadParams) => oauthPending(context, params),
    connectsBy: ({ context }, params: { connect: ConnectMode }) => (context.connect ?? 'credentials') === params.connect,
    isOauthChoice: (_, params: { connect: string }) => params.connect === 'oauth',
    /** An end-user connection whose member waits for OAuth, or settled in a status only the end user can fix. */
    needsEndUser: ({ context }, params: ReadParams) =>
      byEndUser(context) && (oauthPending(context, params) || endUserChallenged(params) || (!params.aggregating && endUserStatus(params))),
    isWithEndUser: (_, params: ReadParams) => params.status === 'PENDING' || endUserChallenged(params) || endUserStatus(params),
    isFoundForEndUser: ({ context }, params: { member: MxMember | null }) => byEndUser(context) && params.member !== null,
    isNotFound: (_, params: ErrorParams) => isKind(params.error, 'not_found'),
    isBeingAggregated: (_, params: ReadParams) => params.aggregating,
    /** The create's answer says the member aggregates, and no webhook said it changed meanwhile. */
    isAggregatingWithoutNews: ({ context }, params: { member: MxMember | null }) =>
      params.member?.is_being_aggregated === true && context.statusChangedWhileCreating !== true,
    isBeingAggregatedWithPollsLeft: ({ context }, params: ReadParams) => params.aggregating && pollsLeft(context),
    isChallengeExpired: (_, params: ErrorParams) => isKind(params.error, 'challenge_expired'),
    canRefreshCredentials: ({ context }, params: ErrorParams) =>
      isKind(params.error, 'credentials_stale') && context.credentialRefreshes < context.options.maxCredentialRefreshes,
    canRetry: ({ context }, params: ErrorParams) => canRetry(context, params.error),
    isSystemic: (_, params: ErrorParams) => isSystemicError(params.error),
    isFound: (_, params: { member: MxMember | null }) => params.member !== null,
    hasStatusCategory: (_, params: StatusParams) => params.categories.includes(statusCategory(params.status)),
    canReaggregate: ({ context }) => context.aggregationRetries < context.options.maxAggregationRetries,
    hasPollsLeft: ({ context }) => pollsLeft(context),
    // Options and counters missing from snapshots of earlier releases take the defaults.
    canRetryStatus: ({ context }, params: ReadParams) =>
      statusCategory(params.status) === 'retryLater' && (context.statusRetries ?? 0) < (context.options.maxStatusRetries ?? defaultLifecycleOptions.maxStatusRetries),
    hasChallenges: (_, params: { challenges: MxChallenge[] }) => params.challenges.length > 0,
    hasChallengeRoundsLeft: ({ context }) => context.challengeRounds < context.options.maxChallengeRounds,
    isAnswered: (_, params: { answered: boolean }) => params.answered,
    resumesAt: ({ context }, params: { step: MemberStep }) => context.retryStep === params.step,
  },
  actions: {
    scheduleRetry: assign(({ context }, params: StepErrorParams) => planRetry(context, params.error, params.step, Date.now())),
    recordHalt: assign((_, params: StepErrorParams) => planHalt(params.error, params.step)),
    recordFailure: assign((_, params: ErrorParams) => ({ error: toApiError(params.error) })),
    resumeJob: assign(resumedRetry),
    recordCredentialFields: assign((_, params: { fields: { guid: string; field_name: string | null }[] }) => ({
      credentialFields: params.fields.map((f) => ({ guid: f.guid, fieldName: f.field_name })),
      ...clearedRetry,
    })),
    countCredentialRefresh: assign(({ context }) => ({ credentialRefreshes: context.credentialRefreshes + 1 })),
    recordDuplicate: assign((_, params: ErrorParams) => ({ duplicateGuid: duplicateGuidOf(params.error) })),
    recordMember: assign(({ context }, params: { member: MxMember | null }) => ({
      memberGuid: params.member?.guid ?? null,
      // A widget's end user picked the bank: it is known once their member is.
      institutionCode: context.institutionCode || (params.member?.institution_code ?? ''),
      connectionStatus: params.member?.connection_status ?? null,
      isOauth: params.member?.is_oauth ?? context.isOauth ?? false,
      hasOauthWindowUri: typeof params.member?.oauth_window_uri === 'string' ? params.member.oauth_window_uri !== '' : (context.hasOauthWindowUri ?? false),
      ...clearedRetry,
    })),
    recordStatus: assign((_, params: { status: ConnectionStatus | null }) => ({ connectionStatus: params.status, ...clearedRetry })),
    startPolling: assign({ polls: 0, nextPollAt: null, statusChangedWhileCreating: false, ...clearedRetry }),
    noteStatusChanged: assign({ statusChangedWhileCreating: true }),
    // A read due later than one already scheduled (after a wake-up) keeps the earlier time.
    schedulePoll: assign(({ context }) => ({
      polls: context.polls + 1,
      nextPollAt: context.nextPollAt !== null && context.nextPollAt > Date.now() ? context.nextPollAt : Date.now() + context.options.pollIntervalMs,
    })),
    /**
     * A webhook woke the member before its scheduled read: the read it asks for gives back the poll
     * its schedulePoll will count, so the budget counts only the reads the member chose to make and
     * a webhook can only shorten a wait, never end a member early nor keep it polling longer.
     */
    refundPoll: assign(({ context }) => ({ polls: Math.max(0, context.polls - 1) })),
    // The answer window bounds the reads while waiting for an answer, so they spend no poll budget.
    scheduleAnswerCheck: assign(({ context }) => ({ nextPollAt: Date.now() + context.options.pollIntervalMs })),
    scheduleStatusRetry: assign(({ context }, params: ReadParams) => ({
      statusRetries: (context.statusRetries ?? 0) + 1,
      statusRetryAt: Date.now() + statusRetryDelayMs(params.status, context.statusRetries ?? 0, context.options.statusRetryDelayMs ?? defaultLifecycleOptions.statusRetryDelayMs),
    })),
    countReaggregation: assign(({ context }) => ({ aggregationRetries: context.aggregationRetries + 1 })),
    recordChallenges: assign((_, params: { challenges: MxChallenge[] }) => ({ challenges: params.challenges.map(summariseChallenge), ...clearedRetry })),
    startAnswerWindow: assign(({ context }) => ({
      answerBy: Date.now() + context.options.answerWindowMs,
      challengeRounds: context.challengeRounds + 1,
    })),
    recordConnect: assign((_, params: { connect: ConnectMode }) => ({ connect: params.connect, ...clearedRetry })),
    recordLinkedMember: assign((_, params: { memberGuid: string | null }) => ({ memberGuid: params.memberGuid })),
    startEndUserWait: assign(({ context }) => ({
      endUserBy: context.endUserBy ?? Date.now() + (context.options.endUserWaitMs ?? defaultLifecycleOptions.endUserWaitMs),
      nextEndUserCheckAt: Date.now() + endUserPollMs(context),
    })),
    scheduleEndUserCheck: assign(({ context }) => ({ nextEndUserCheckAt: Date.now() + endUserPollMs(context) })),
    needAction: assign((_, params: { reason: NeedsActionReason }) => ({ reason: params.reason })),
    settle: assign((_, params: { outcome: MemberOutcome }) => ({ outcome: params.outcome })),
    notifyParentOfHalt: enqueueActions(({ enqueue, self, context }) => {
      if (hasParent(self)) {
        enqueue.sendParent({ type: 'member.halted', externalId: context.externalId, error: context.halt } satisfies MemberHaltedEvent);
      }
    }),
  },
});
