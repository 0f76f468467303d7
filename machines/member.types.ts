/**
 * The member machine's input, context, events and output.
 */
import type { ApiError } from '../src/errors/types.js';
import type { ConnectionStatus } from '../src/api/types.js';
import type { ChallengeSummary, CredentialFieldRef } from './actors.js';
import type { LifecycleOptions, ResolvedLifecycleOptions } from './options.js';
import type { RetryContext } from './retry.js';
import type { JobResumeEvent } from './events.js';

export interface MemberInput {
  userGuid: string;
  externalId: string;
  /** The customer's (user's) external id: credentials and answers are held per customer and member. */
  userExternalId?: string;
  institutionCode: string;
  options?: Partial<LifecycleOptions>;
}

/** The steps that call MX, and so the steps a retry or a `job.resume` can run again. */
export type MemberStep =
  | 'resolvingCredentialFields' | 'creating' | 'recoveringDuplicate' | 'aggregating'
  | 'checkingStatus' | 'loadingChallenges' | 'resuming';

/** Why a member needs a person. */
export type NeedsActionReason =
  | 'connectionStatus' | 'pollTimeout' | 'challengeUnanswered' | 'challengeExpired' | 'tooManyChallenges';

export interface MemberContext extends RetryContext<MemberStep> {
  userGuid: string;
  externalId: string;
  /** `null` in snapshots written before it was kept. */
  userExternalId: string | null;
  institutionCode: string;
  options: ResolvedLifecycleOptions;
  memberGuid: string | null;
  connectionStatus: ConnectionStatus | null;
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
export type MemberEvent = JobResumeEvent | ChallengeAnsweredEvent;

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
  error: ApiError | null;
  challenges: ChallengeSummary[];
}
