/**
 * Events between the machines, their parents and the runtime.
 */
import type { AnyActorRef } from 'xstate';

/** Sent to a halted machine once the cause of the halt is fixed; it runs the halted step again. */
export interface JobResumeEvent {
  type: 'job.resume';
}

/**
 * Whether an actor runs as a child (of onboarding) rather than as a root actor of the runtime:
 * only a child reports its halt upwards, a root's halt is read from its snapshot.
 *
 * @example
 * ```ts
 * enqueueActions(({ enqueue, self }) => { if (hasParent(self)) enqueue.sendParent({ type: 'user.halted', ... }); })
 * ```
 */
export function hasParent(actor: AnyActorRef): boolean {
  // oxlint-disable-next-line no-underscore-dangle -- `_parent` is the ActorRef's only view of its parent
  return actor._parent !== undefined;
}
