/**
 * MFA from outside the process: noticing that a member waits for answers no answer source gave,
 * and mapping answers a person gives (by challenge guid, field name or label) onto the open
 * challenges. Answers themselves are never stored.
 */
import type { AnyActorRef } from 'xstate';
import type { ChallengeSummary } from '../../machines/index.js';
import { awaitedChallengesOf, openChallengesOf } from '../../machines/index.js';
import type { ChallengeAnswer } from '../api/index.js';
import { answersFor } from './effects.js';

export interface WaitingMember {
  memberId: string;
  challenges: ChallengeSummary[];
}

/**
 * Watches member snapshots of a job's items and reports each member once when it starts waiting
 * for answers (again after it stopped waiting and waits anew).
 *
 * @example
 * const watch = createChallengeWatch();
 * const waiting = watch.notice('cust-1', actorRef.id, snapshot); // { memberId, challenges } or null
 */
export function createChallengeWatch() {
  const waiting = new Set<string>();
  return {
    notice(itemId: string, actorId: string, snapshot: unknown): WaitingMember | null {
      const key = `${itemId}/${actorId}`;
      const awaited = awaitedChallengesOf(actorId, snapshot);
      if (!awaited) {
        waiting.delete(key);
        return null;
      }
      if (waiting.has(key)) return null;
      waiting.add(key);
      return awaited;
    },
  };
}

/**
 * The answers to send for a member of a live onboarding actor: pairs as given, or answers by
 * guid, field name or label mapped onto the member's open challenges.
 *
 * @example
 * answersForMember(actor, 'cust-1-mxbank', { city: 'correct' }) // [{ guid: 'CRD-…', value: 'correct' }]
 */
export function answersForMember(
  actor: AnyActorRef | undefined,
  memberId: string,
  given: Record<string, string> | ChallengeAnswer[],
): ChallengeAnswer[] {
  if (Array.isArray(given)) return given;
  const challenges = actor ? openChallengesOf(actor.getSnapshot(), memberId) : [];
  return challenges.length > 0 ? answersFor(given, challenges) : Object.entries(given).map(([guid, value]) => ({ guid, value }));
}
