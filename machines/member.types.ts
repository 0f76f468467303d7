/**
 * The member machine's input, context, events and output.
 */
import type { ApiError } from '../src/errors/index.js';
import type { ConnectionStatus } from '../src/api/index.js';
import type { ChallengeSummary, CredentialFieldRef } from './actors.js';
import type { LifecycleOptions, ResolvedLifecycleOptions } from './options.js';
import type { RetryContext } from './retry.js';
import type { JobResumeEvent } from './events.js';

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
