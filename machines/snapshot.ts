/**
 * What the runtime reads from a snapshot without knowing the machines' insides: when the live
 * durable wait is due, whether the item is halted (and why), its coarse item state, and which
 * member waits for MFA answers to which challenges. Each
 * works on a live snapshot (`actor.getSnapshot()`) and on a persisted one
 * (`actor.getPersistedSnapshot()`, plain JSON from the store), children included.
 */
import type { ApiError } from '../src/errors/index.js';
import type { ChallengeSummary } from './actors.js';
import { isApiError } from './errors.js';
import { memberActorId } from './onboarding.machine.js';

type Json = Record<string, unknown>;

interface ChildView {
  src: unknown;
  snapshot: Json | undefined;
}

function asObject(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null ? (value as Json) : undefined;
}

function childrenOf(snapshot: Json): ChildView[] {
  const children = asObject(snapshot.children) ?? {};
  return Object.values(children).flatMap((child) => {
    const entry = asObject(child);
    if (!entry) return [];
    // A live child is an ActorRef; a persisted one is `{ snapshot, src }`.
    if (typeof entry.getSnapshot === 'function') {
      return [{ src: entry.src, snapshot: asObject((entry.getSnapshot as () => unknown)()) }];
    }
    return [{ src: entry.src, snapshot: asObject(entry.snapshot) }];
  });
}

function dueTimes(snapshot: Json): number[] {
  return childrenOf(snapshot).flatMap(({ src, snapshot: child }) => {
    if (!child || child.status !== 'active') return [];
    const until = asObject(child.input)?.until;
    if (src === 'sleepUntil' && typeof until === 'number') return [until];
    return dueTimes(child);
  });
}

/**
 * The epoch ms at which the earliest live `sleepUntil` wait of this item (its own or a child
 * machine's) is due, or `null` when nothing waits. The runtime stores it beside the snapshot.
 *
 * @example
 * ```ts
 * await store.saveItems(jobId, owner, [{ id, state, snapshot: actor.getPersistedSnapshot(), dueAt: pendingDueAt(actor.getPersistedSnapshot()) }]);
 * ```
 */
export function pendingDueAt(snapshot: unknown): number | null {
  const root = asObject(snapshot);
  if (!root || root.status !== 'active') return null;
  const dues = dueTimes(root);
  return dues.length === 0 ? null : Math.min(...dues);
}

function valueHasHalted(value: unknown): boolean {
  if (value === 'halted') return true;
  const object = asObject(value);
  if (!object) return false;
  return Object.entries(object).some(([key, child]) => key === 'halted' || valueHasHalted(child));
}

/**
 * Whether the item stands in a `halted` state (its own, or onboarding's while a child halted),
 * waiting for `job.resume`.
 *
 * @example
 * ```ts
 * if (isHalted(actor.getSnapshot())) await store.setHalt(jobId, haltOf(actor.getSnapshot()));
 * ```
 */
export function isHalted(snapshot: unknown): boolean {
  const root = asObject(snapshot);
  return root?.status === 'active' && valueHasHalted(root.value);
}

/**
 * The job-scope error that halted the item, or `null` when it is not halted.
 *
 * @example
 * ```ts
 * haltOf(actor.getSnapshot())?.kind; // 'unauthorized'
 * ```
 */
export function haltOf(snapshot: unknown): ApiError | null {
  if (!isHalted(snapshot)) return null;
  const halt = asObject(asObject(snapshot)?.context)?.halt;
  return isApiError(halt) ? halt : null;
}

/** The coarse state of an item, as the store keeps it. */
export type MachineItemState = 'active' | 'halted' | 'done' | 'needsAction' | 'failed';

/**
 * The item state of an onboarding, offboarding, user or member snapshot: its final outcome
 * (`ready` and `connected` count as `done`), `halted`, or `active`.
 *
 * @example
 * ```ts
 * itemStateOf(actor.getSnapshot()); // 'needsAction'
 * ```
 */
export function itemStateOf(snapshot: unknown): MachineItemState {
  const root = asObject(snapshot);
  if (!root) return 'active';
  if (root.status === 'error') return 'failed';
  if (root.status === 'done') {
    const outcome = asObject(root.output)?.outcome;
    if (outcome === 'needsAction') return 'needsAction';
    if (outcome === 'done' || outcome === 'ready' || outcome === 'connected') return 'done';
    return 'failed';
  }
  return isHalted(root) ? 'halted' : 'active';
}

/** A member machine that waits for MFA answers no answer source gave, and what it was asked. */
export interface AwaitedChallenges {
  memberId: string;
  challenges: ChallengeSummary[];
}

const MEMBER_PREFIX = memberActorId('');

/**
 * Whether a member machine's state value is the wait for answers from outside (`awaitingAnswer`'s
 * `waitingForAnswer`, between its status reads or during one).
 *
 * @example
 * ```ts
 * isWaitingForAnswer({ awaitingAnswer: { waitingForAnswer: 'sleeping' } }); // true
 * ```
 */
export function isWaitingForAnswer(value: unknown): boolean {
  const awaiting = asObject(value)?.awaitingAnswer;
  return awaiting === 'waitingForAnswer' || (asObject(awaiting) !== undefined && 'waitingForAnswer' in (awaiting as Json));
}

/**
 * The challenges a member machine waits for answers to, or `null` when `actorId` is not a member
 * machine or the member is not waiting for answers from outside.
 *
 * @example
 * ```ts
 * awaitedChallengesOf('member:cust-1-mxbank', memberActor.getSnapshot()); // { memberId: 'cust-1-mxbank', challenges: [...] }
 * ```
 */
export function awaitedChallengesOf(actorId: string, snapshot: unknown): AwaitedChallenges | null {
  if (!actorId.startsWith(MEMBER_PREFIX)) return null;
  const member = asObject(snapshot);
  if (!isWaitingForAnswer(member?.value)) return null;
  const context = asObject(member?.context);
  return {
    memberId: typeof context?.externalId === 'string' ? context.externalId : actorId.slice(MEMBER_PREFIX.length),
    challenges: Array.isArray(context?.challenges) ? (context.challenges as ChallengeSummary[]) : [],
  };
}

/**
 * The challenges last read for one member of an onboarding item (live or persisted), empty when
 * the member has none or is not running.
 *
 * @example
 * ```ts
 * openChallengesOf(onboardingActor.getSnapshot(), 'cust-1-mxbank').map((c) => c.label);
 * ```
 */
export function openChallengesOf(snapshot: unknown, memberId: string): ChallengeSummary[] {
  const children = asObject(asObject(snapshot)?.children);
  const child = asObject(children?.[memberActorId(memberId)]);
  const member = typeof child?.getSnapshot === 'function' ? asObject((child.getSnapshot as () => unknown)()) : asObject(child?.snapshot);
  const challenges = asObject(member?.context)?.challenges;
  return Array.isArray(challenges) ? (challenges as ChallengeSummary[]) : [];
}

/** Invoked actors that wait for time or for a person rather than make a request. */
const WAITS = new Set(['sleepUntil', 'answerChallenge']);

function onlyWaits(snapshot: Json): { waits: boolean; busy: boolean } {
  let waits = false;
  for (const { src, snapshot: child } of childrenOf(snapshot)) {
    if (!child || child.status !== 'active') continue;
    if (src === 'sleepUntil') waits = true;
    else if (typeof src === 'string' && WAITS.has(src)) continue;
    else if (child.value === undefined) return { waits, busy: true };
    else {
      const inner = onlyWaits(child);
      if (inner.busy) return inner;
      waits ||= inner.waits;
    }
  }
  return { waits, busy: false };
}

/**
 * Whether everything the item does now is wait on a durable timer (a poll interval, a backoff, an
 * MFA answer window): no request of its own, or of a child machine's, is under way.
 *
 * @example
 * ```ts
 * isWaitingOnTimer(actor.getSnapshot()); // true while a member waits to poll again
 * ```
 */
export function isWaitingOnTimer(snapshot: unknown): boolean {
  const root = asObject(snapshot);
  if (!root || root.status !== 'active') return false;
  const { waits, busy } = onlyWaits(root);
  return waits && !busy;
}

const END_USER_WAITS = ['awaitingEndUser', 'awaitingEndUserMember'];

/**
 * How many member machines of an onboarding item (live or persisted) wait for their end user now.
 *
 * @example
 * ```ts
 * endUserWaitsOf(onboardingActor.getSnapshot()); // 1 while an OAuth member waits for authorisation
 * ```
 */
export function endUserWaitsOf(snapshot: unknown): number {
  const root = asObject(snapshot);
  if (!root || root.status !== 'active') return 0;
  return childrenOf(root).filter(({ snapshot: child }) => {
    const value = child?.status === 'active' ? child.value : undefined;
    return END_USER_WAITS.some((w) => value === w || (asObject(value) !== undefined && w in (value as Json)));
  }).length;
}

/**
 * Whether the member machine `memberId` of a live onboarding item waits in `awaitingEndUserMember`:
 * a widget connection with no member yet, the only one a member an end user made may be adopted by.
 *
 * @example
 * ```ts
 * awaitsEndUserMember(onboardingActor.getSnapshot(), 'cust-1-widget'); // true until its member is adopted
 * ```
 */
export function awaitsEndUserMember(snapshot: unknown, memberId: string): boolean {
  const child = asObject(asObject(asObject(snapshot)?.children)?.[memberActorId(memberId)]);
  const member = typeof child?.getSnapshot === 'function' ? asObject((child.getSnapshot as () => unknown)()) : asObject(child?.snapshot);
  if (member?.status !== 'active') return false;
  const value = member.value;
  return value === 'awaitingEndUserMember' || (asObject(value) !== undefined && 'awaitingEndUserMember' in (value as Json));
}

/**
 * The member guid the member machine `memberId` of an onboarding item (live or persisted) knows,
 * `null` while it has none (a widget connection waiting for its end user), `undefined` when there is
 * no such member machine.
 *
 * @example
 * ```ts
 * memberGuidOf(onboardingActor.getSnapshot(), 'cust-1-widget'); // null
 * ```
 */
export function memberGuidOf(snapshot: unknown, memberId: string): string | null | undefined {
  const child = asObject(asObject(asObject(snapshot)?.children)?.[memberActorId(memberId)]);
  if (!child) return undefined;
  const member = typeof child.getSnapshot === 'function' ? asObject((child.getSnapshot as () => unknown)()) : asObject(child.snapshot);
  const guid = asObject(member?.context)?.memberGuid;
  return typeof guid === 'string' ? guid : null;
}

/**
 * The external id of the member machine of an onboarding item (live or persisted) that `ref` names:
 * by its external id (and, when both are known, a matching guid), or else by its member guid.
 *
 * @example
 * ```ts
 * memberIdOf(onboardingActor.getSnapshot(), { memberGuid: 'MBR-1' }); // 'cust-1-mxbank'
 * ```
 */
export function memberIdOf(snapshot: unknown, ref: { memberId?: string | null; memberGuid?: string | null }): string | null {
  const children = asObject(asObject(snapshot)?.children) ?? {};
  const memberOf = (child: unknown): { externalId: string; memberGuid: string | null } | null => {
    const entry = asObject(child);
    const member = typeof entry?.getSnapshot === 'function' ? asObject((entry.getSnapshot as () => unknown)()) : asObject(entry?.snapshot);
    const context = asObject(member?.context);
    if (typeof context?.externalId !== 'string') return null;
    return { externalId: context.externalId, memberGuid: typeof context.memberGuid === 'string' ? context.memberGuid : null };
  };
  if (ref.memberId) {
    const member = memberOf(children[memberActorId(ref.memberId)]);
    if (member && (!ref.memberGuid || member.memberGuid === null || member.memberGuid === ref.memberGuid)) return member.externalId;
  }
  if (!ref.memberGuid) return null;
  for (const [id, child] of Object.entries(children)) {
    if (!id.startsWith(MEMBER_PREFIX)) continue;
    const member = memberOf(child);
    if (member?.memberGuid === ref.memberGuid) return member.externalId;
  }
  return null;
}
