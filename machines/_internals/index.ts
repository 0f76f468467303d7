/**
 * The private door of `machines/`: plumbing that src/durable and src/observe need to run the
 * statecharts (actor inputs, snapshot probes, option resolution) and that no package entry exports.
 * Only folders of this package import it; `mx-lifecycle/machines` stays the public face.
 */
export {
  missingActor, waitUntil,
  type CreateUserActorInput, type FindUserActorInput, type DeleteUserActorInput, type ListCredentialFieldsActorInput,
  type CreateMemberActorInput, type FindMemberActorInput, type MemberRefActorInput, type AnswerChallengeActorInput,
  type AnswerChallengeActorOutput, type ResumeAggregationActorInput, type SleepUntilActorInput, type CredentialFieldRef,
  type ChooseConnectActorInput, type FindEndUserMemberActorInput, type AdoptMemberActorInput,
  type RefreshAggregateActorInput, type RefreshAggregateActorOutput,
} from '../actors.js';
export { memberActorId } from '../onboarding.machine.js';
export { resolveLifecycleOptions, type ResolvedLifecycleOptions } from '../options.js';
export { summariseChallenge } from '../actors.js';
export { awaitsEndUserMember, endUserWaitsOf, isWaitingOnTimer } from '../snapshot.js';
