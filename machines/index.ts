/**
 * The lifecycle statecharts and what the runtime needs to run them: actor contracts, option
 * defaults, snapshot readers and the error transition table.
 */
export { userMachine, type UserInput, type UserContext, type UserEvent, type UserOutput, type UserStep, type UserHaltedEvent } from './user.machine.js';
export { memberMachine } from './member.machine.js';
export type {
  MemberInput, MemberContext, MemberEvent, MemberOutput, MemberOutcome, MemberStep, MemberHaltedEvent,
  ChallengeAnsweredEvent, MemberChangedEvent, MemberLinkedEvent, NeedsActionReason, ConnectMode,
} from './member.types.js';
export {
  offboardingMachine, type OffboardingInput, type OffboardingContext, type OffboardingEvent, type OffboardingOutput,
  type OffboardingStep, type OffboardedMember, type DeletionOutcome,
} from './offboarding.machine.js';
export { onboardingMachine, memberActorId, type OnboardingEvent } from './onboarding.machine.js';
export { refreshMachine } from './refresh.machine.js';
export type {
  RefreshInput, RefreshMemberInput, RefreshContext, RefreshEvent, RefreshOutput, RefreshedMember, RefreshMemberOutcome, RefreshReason, RefreshStep,
} from './refresh.types.js';
export type { OnboardingInput, OnboardingContext, OnboardingOutput, OnboardingOutcome, MemberResult } from './onboarding.types.js';
export type { JobResumeEvent } from './events.js';
export {
  sleepUntil, missingActor,
  type LifecycleActorContracts, type LifecycleActorName, type CreateUserActorInput, type FindUserActorInput,
  type DeleteUserActorInput, type ListCredentialFieldsActorInput, type CreateMemberActorInput, type FindMemberActorInput,
  type MemberRefActorInput, type AnswerChallengeActorInput, type AnswerChallengeActorOutput, type ResumeAggregationActorInput,
  type SleepUntilActorInput, type CredentialFieldRef, type ChallengeSummary,
  type ChooseConnectActorInput, type FindEndUserMemberActorInput, type AdoptMemberActorInput,
  type RefreshAggregateActorInput, type RefreshAggregateActorOutput,
} from './actors.js';
export { provideEffects, fromEffect, type LifecycleEffect, type LifecycleEffects, type ProvideOptions } from './provide.js';
export { defaultLifecycleOptions, resolveLifecycleOptions, type LifecycleOptions, type ResolvedLifecycleOptions } from './options.js';
export { backoffDelay, type BackoffOptions } from './backoff.js';
export type { RetryContext } from './retry.js';
export { summariseChallenge } from './member.setup.js';
export {
  statusCategory, statusRetryDelayMs, CONNECTED_STATUSES, IN_PROGRESS_STATUSES, END_CUSTOMER_STATUSES, END_USER_STATUSES, RETRY_LATER_STATUSES, TERMINAL_STATUSES, STATUS_MEANINGS,
  type StatusCategory, type StatusMeaning,
} from './statuses.js';
export {
  pendingDueAt, isHalted, haltOf, itemStateOf, awaitedChallengesOf, openChallengesOf, isWaitingForAnswer, memberIdOf, memberGuidOf, type MachineItemState, type AwaitedChallenges,
} from './snapshot.js';
export {
  MACHINES_VERSION, machineVersions, migrateSnapshot,
  type MachineVersions, type MigrationResult, type PersistedSnapshot, type SnapshotMigration,
} from './versions.js';
export { renameState, type StateRename } from './renameState.js';
