/**
 * The member machine's vocabulary and implementations: its input, context, events and output, the
 * effect actors it names, its guards over errors, statuses and budgets, its context updates, and
 * the transitions several of its states share. The statechart is member.machine.ts; the states
 * that wait on a person (MFA answers, the end user) are member.people.ts.
 */
import { assign, enqueueActions, setup } from 'xstate';
import type { ApiError } from '../src/errors/index.js';
import type { ConnectionStatus, MxChallenge, MxMember, MxMemberStatus } from '../src/api/index.js';
import { missingActor, sleepUntil, summariseChallenge, type ChallengeSummary, type CredentialFieldRef } from './actors.js';
import { duplicateGuidOf, isKind, isSystemicError, toApiError } from './errors.js';
import { hasParent, type JobResumeEvent } from './events.js';
import { errorOf, type ErrorParams, type StepErrorParams as StepErrorParamsOf } from './retryKit.js';
import { canRetry, clearedRetry, planHalt, planRetry, resumedRetry, type RetryContext } from './retry.js';
import { defaultLifecycleOptions, type LifecycleOptions, type ResolvedLifecycleOptions } from './options.js';
import { END_USER_STATUSES, statusCategory, statusRetryDelayMs, type StatusCategory } from './statuses.js';

export interface MemberInput {
  userGuid: string;
  externalId: string;
  /** The customer's (user's) external id: credentials and answers are held per customer and member. */
  userExternalId?: string;
  /** `''` for a widget connection whose end user picks the bank. */
  institutionCode: string;
  /** How the member is made; `auto` asks the runtime (credentials given, or the bank supports OAuth). Default `credentials`. */
  connect?: ConnectMode;
  options?: Partial<LifecycleOptions>;
}

/**
 * How a connection connects: with the customer's credentials, through an OAuth member the end user
 * authorises, or through the Connect widget where the end user makes the member.
 */
export type ConnectMode = 'credentials' | 'oauth' | 'widget' | 'auto';

/** The steps that call MX, and so the steps a retry or a `job.resume` can run again. */
export type MemberStep =
  | 'resolvingCredentialFields' | 'creating' | 'recoveringDuplicate' | 'aggregating'
  | 'checkingStatus' | 'loadingChallenges' | 'resuming' | 'choosingConnect' | 'creatingOauthMember' | 'adoptingMember';

/** Why a member needs a person. */
export type NeedsActionReason =
  | 'connectionStatus' | 'pollTimeout' | 'challengeUnanswered' | 'challengeExpired' | 'tooManyChallenges'
  /** An OAuth member waits, PENDING, for the end user to open its `oauth_window_uri`: polling cannot end it. */
  | 'oauthPending'
  /** A temporary status (DEGRADED, DISCONNECTED, DISABLED, DELAYED) outlasted `maxStatusRetries` aggregations. */
  | 'statusRetriesExhausted'
  /** The end user did not connect (or re-link) within `endUserWaitMs`. */
  | 'endUserAbandoned';

export interface MemberContext extends RetryContext<MemberStep> {
  userGuid: string;
  externalId: string;
  /** `null` in snapshots written before it was kept. */
  userExternalId: string | null;
  institutionCode: string;
  options: ResolvedLifecycleOptions;
  memberGuid: string | null;
  connectionStatus: ConnectionStatus | null;
  /** The guid the "already exists" error named, if it named one. */
  duplicateGuid?: string | null;
  /** Whether MX said the member connects through OAuth (`is_oauth`). */
  isOauth?: boolean;
  /** Whether MX gave the member an `oauth_window_uri` (the uri itself is not kept). */
  hasOauthWindowUri?: boolean;
  credentialFields: CredentialFieldRef[];
  challenges: ChallengeSummary[];
  /** Status reads scheduled since polling last started; bounded by maxPollMs / pollIntervalMs. */
  polls: number;
  /** Epoch ms of the next status read while waiting to poll. */
  nextPollAt: number | null;
  /** Epoch ms at which an unanswered MFA challenge hands the member to a person. */
  answerBy: number | null;
  credentialRefreshes: number;
  aggregationRetries: number;
  challengeRounds: number;
  reason: NeedsActionReason | null;
  outcome: MemberOutcome | null;
  /** Aggregations tried again after a temporary status; missing in snapshots written before it was kept. */
  statusRetries?: number;
  /** Epoch ms at which the member is aggregated again after a temporary status. */
  statusRetryAt?: number | null;
  /** How the member is made; missing in snapshots written before it was kept (then `credentials`). */
  connect?: ConnectMode;
  /** Epoch ms at which the wait for the end user ends (set at its first wait, never moved). */
  endUserBy?: number | null;
  /** Epoch ms of the next fallback check while waiting for the end user. */
  nextEndUserCheckAt?: number | null;
  /** A webhook said the member changed before its create answered; missing in snapshots written before it was kept. */
  statusChangedWhileCreating?: boolean;
}

export type MemberOutcome = 'connected' | 'needsAction' | 'failed';

/**
 * Tells the machine that answers for its challenges are in the runtime's answer store. The event
 * carries no answer: they would be in every inspector event and in the persisted event log.
 */
export interface ChallengeAnsweredEvent {
  type: 'member.challenge.answered';
  memberExternalId: string;
}
/**
 * Says the member may have changed at MX (a webhook arrived): a wait for the next status read ends
 * early. It carries no status: the machine reads the status itself before it acts, so a forged or
 * stale notice costs one read and changes no outcome.
 */
export interface MemberChangedEvent {
  type: 'member.status.changed';
  memberExternalId: string;
}
/**
 * Says the end user made a member for this widget connection (a MEMBER webhook carried its callback
 * payload). The machine adopts it only after MX confirms it is a member of this user.
 */
export interface MemberLinkedEvent {
  type: 'member.enduser.linked';
  memberExternalId: string;
  memberGuid: string;
}
export type MemberEvent = JobResumeEvent | ChallengeAnsweredEvent | MemberChangedEvent | MemberLinkedEvent;

/** Sent to a parent machine (onboarding) when the member machine halts. */
export interface MemberHaltedEvent {
  type: 'member.halted';
  externalId: string;
  error: ApiError | null;
}

export interface MemberOutput {
  outcome: MemberOutcome;
  externalId: string;
  institutionCode: string;
  userGuid: string;
  memberGuid: string | null;
  connectionStatus: ConnectionStatus | null;
  reason: NeedsActionReason | null;
  connect: Exclude<ConnectMode, 'auto'>;
  /** Whether MX gave the member an `oauth_window_uri` for the end user to open. */
  hasOauthWindowUri: boolean;
  error: ApiError | null;
  challenges: ChallengeSummary[];
}

type StepErrorParams = StepErrorParamsOf<MemberStep>;
export type StatusParams = { status: ConnectionStatus | null; categories: readonly StatusCategory[] };
/** A status read as the guards see it. */
export const readOf = ({ event }: { event: { output: MxMemberStatus } }) => ({
  status: event.output.connection_status,
  aggregating: event.output.is_being_aggregated === true,
  challenges: event.output.challenges ?? [],
});
type ReadParams = ReturnType<typeof readOf>;

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

/** Records the status a read gave. */
export const recordStatusOf = {
  type: 'recordStatus',
  params: ({ event }: { event: { output: MxMemberStatus } }) => ({ status: event.output.connection_status }),
} as const;
/** The params of `hasStatusCategory` for a read: is its status in one of `categories`? */
export const statusOf = (...categories: StatusCategory[]) => ({ event }: { event: { output: MxMemberStatus } }): StatusParams => ({
  status: event.output.connection_status,
  categories,
});
/** The member moved on (405) or a job is running on it (409, 202): read its status and continue from there. */
export const rereadOnConflict = { guard: { type: 'isConflict', params: errorOf }, target: '#member.polling', actions: 'startPolling' } as const;
