/**
 * The private door of `machines/`: plumbing that src/durable and src/observe need to run the
 * statecharts (actor inputs, snapshot probes, option resolution) and that no package entry exports.
 * Only folders of this package import it; `mx-lifecycle/machines` stays the public face.
 */
export { type AnswerChallengeActorInput, type CreateMemberActorInput, type CredentialFieldRef, type ListCredentialFieldsActorInput, type RefreshAggregateActorInput, type RefreshAggregateActorOutput, type SleepUntilActorInput, waitUntil } from '../actors.js';
export { awaitsEndUserMember, endUserWaitsOf, isWaitingOnTimer } from '../snapshot.js';
