/**
 * @module
 * The lifecycle statecharts (`onboardingMachine`, `offboardingMachine`, `refreshMachine`, and the
 * `userMachine`/`memberMachine` they spawn), the effects contract that drives them
 * (`provideEffects`), option defaults, snapshot readers and snapshot migrations. A program that
 * only runs jobs needs the runtime of `mx-lifecycle` instead; this entry is for running, testing or
 * drawing the machines yourself.
 *
 * ```ts
 * import { createActor, toPromise } from 'xstate';
 * import { provideEffects } from 'mx-lifecycle/machines';
 *
 * const machines = provideEffects({
 *   createUser: (input, signal) => client.createUser({ id: input.externalId, email: input.email }, { signal }),
 *   // … one Result-returning function per effect
 * });
 * const actor = createActor(machines.onboarding, { input: { externalId: 'ada', members: [] } }).start();
 * const output = await toPromise(actor); // output.outcome: 'done' | 'failed' | …
 * ```
 */
export { userMachine, type UserInput, type UserContext, type UserEvent, type UserOutput, type UserStep, type UserHaltedEvent } from './user.machine.js';
export { memberMachine } from './member.machine.js';
export type {
  MemberInput, MemberContext, MemberEvent, MemberOutput, MemberOutcome, MemberStep, MemberHaltedEvent,
  ChallengeAnsweredEvent, MemberChangedEvent, MemberLinkedEvent, NeedsActionReason, ConnectMode,
} from './member.setup.js';
export {
  offboardingMachine, type OffboardingInput, type OffboardingContext, type OffboardingEvent, type OffboardingOutput,
  type OffboardingStep, type OffboardedMember, type DeletionOutcome,
} from './offboarding.machine.js';
export { onboardingMachine, type OnboardingEvent } from './onboarding.machine.js';
export { refreshMachine } from './refresh.machine.js';
export type {
  RefreshInput, RefreshMemberInput, RefreshContext, RefreshEvent, RefreshOutput, RefreshedMember, RefreshMemberOutcome, RefreshReason, RefreshStep,
} from './refresh.types.js';
export type { OnboardingInput, OnboardingContext, OnboardingOutput, OnboardingOutcome, MemberResult } from './onboarding.types.js';
export type { JobResumeEvent } from './events.js';
export { sleepUntil, type LifecycleActorContracts, type LifecycleActorName, type ChallengeSummary } from './actors.js';
export { provideEffects, fromEffect, type LifecycleEffect, type LifecycleEffects, type ProvideOptions } from './provide.js';
export { defaultLifecycleOptions, type LifecycleOptions } from './options.js';
export { backoffDelay, type BackoffOptions } from './backoff.js';
export type { RetryContext } from './retry.js';
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
