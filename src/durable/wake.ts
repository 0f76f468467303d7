/**
 * Waking a live member early: finding the member's actor by what a webhook names (its guid, or the
 * job and customer its `X-Callback-Payload` names) and the payload the client sets on create so
 * that MX can name them. A wake-up is only an event to a live actor: it is never stored, and one
 * that finds no live member is dropped, so a lost one costs no more than the next poll.
 */
import { awaitsEndUserMember } from '../../machines/_internals/index.js';
import { memberIdOf } from '../../machines/index.js';
import type { AnyActorRef } from 'xstate';
import type { MemberChangedEvent, MemberLinkedEvent } from '../../machines/index.js';
import { decodeEndUserPayload, encodeEndUserPayload, payloadNamesJob } from './endUserPayload.js';

/** What a webhook can tell about the member it concerns; any one of these may be missing. */
export interface MemberRef {
  memberGuid?: string | null;
  /** The member's external id (MX's `id`). */
  memberId?: string | null;
  jobId?: string | null;
  /** A long job id's hash, from an end user's widget payload. */
  jobHash?: string | null;
  customerId?: string | null;
  /**
   * The delivery is not worth a wake-up (the member is still aggregating): it only matters to a
   * widget connection waiting for the member its end user made, and wakes nobody else.
   */
  adoptOnly?: boolean;
}

/** The live member a wake-up reached. */
export interface WokenMember {
  jobId: string;
  customerId: string;
  memberId: string;
}

/** The job and customer an `X-Callback-Payload` names. */
export interface CallbackOrigin {
  job: string;
  customer: string;
  /** The connection (member external id) an end user's widget payload names. */
  connection?: string;
  /** Set instead of `job` when the payload names a long job id by its hash (`job` is then ''). */
  jobHash?: string;
}

/** The raw-JSON payloads of earlier releases, still read for members created by them. */
const MAX_LEGACY_PAYLOAD_CHARS = 512;

/**
 * The `X-Callback-Payload` for member `connection` of `customer` in `job`: base64, as MX's spec
 * asks ("the base64 encoded string", at most 1,024 characters: `#/components/parameters/xCallback`),
 * in the same format as an end user's widget payload, so one reader serves both. No secret;
 * `undefined` when even a hashed job id does not fit.
 *
 * @example
 * callbackPayloadOf({ job: 'march', customer: 'cust-1', connection: 'cust-1-mxbank' }) // 'eyJ2IjoxLCJqIjoibWFyY2gi…'
 */
export function callbackPayloadOf(origin: CallbackOrigin): string | undefined {
  return encodeEndUserPayload({ jobId: origin.job, customerId: origin.customer, connectionId: origin.connection ?? origin.customer });
}

/**
 * The job and customer a callback payload names, or null for anything else: the base64 payload
 * this release sends, or the raw JSON one earlier releases sent (members still in flight).
 *
 * @example
 * parseCallbackPayload(callbackPayloadOf({ job: 'march', customer: 'cust-1', connection: 'cust-1-mxbank' }))
 * // { job: 'march', customer: 'cust-1', connection: 'cust-1-mxbank' }
 * parseCallbackPayload('{"job":"march","customer":"cust-1"}') // { job: 'march', customer: 'cust-1' }
 */
export function parseCallbackPayload(text: string | undefined): CallbackOrigin | null {
  const endUser = decodeEndUserPayload(text);
  if (endUser) {
    return { job: endUser.jobId ?? '', customer: endUser.customerId, connection: endUser.connectionId, ...(endUser.jobHash ? { jobHash: endUser.jobHash } : {}) };
  }
  if (text === undefined || text.length > MAX_LEGACY_PAYLOAD_CHARS) return null;
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null) return null;
    const { job, customer } = value as Record<string, unknown>;
    return typeof job === 'string' && typeof customer === 'string' ? { job, customer } : null;
  } catch {
    return null;
  }
}

/** The external ids of the members an item's input lists. */
function memberIdsOf(input: unknown): string[] {
  const members = (input as { members?: unknown } | null)?.members;
  if (!Array.isArray(members)) return [];
  return members.map((member) => (member as { externalId?: unknown } | null)?.externalId).filter((id): id is string => typeof id === 'string');
}

/**
 * Which job and customer each member belongs to, learnt as items start and forgotten as they
 * leave, so the member's create can name them in its callback payload.
 *
 * @example
 * const origins = createMemberOrigins();
 * origins.note('march', 'cust-1', { members: [{ externalId: 'cust-1-mxbank' }] });
 * origins.payloadFor('cust-1-mxbank'); // base64 naming march, cust-1 and cust-1-mxbank
 * origins.forget('march', 'cust-1', { members: [{ externalId: 'cust-1-mxbank' }] }); // once the item is final
 */
export function createMemberOrigins() {
  const byMember = new Map<string, CallbackOrigin>();
  return {
    note(jobId: string, customerId: string, input: unknown): void {
      for (const id of memberIdsOf(input)) byMember.set(id, { job: jobId, customer: customerId });
    },
    payloadFor(memberExternalId: string): string | undefined {
      const origin = byMember.get(memberExternalId);
      return origin ? callbackPayloadOf({ ...origin, connection: memberExternalId }) : undefined;
    },
    /**
     * Lets go of a customer's members once its item leaves this worker: the payload is needed only
     * by the member's create, and kept for every customer a job ever started it grew with the job.
     */
    forget(jobId: string, customerId: string, input: unknown): void {
      for (const id of memberIdsOf(input)) {
        const origin = byMember.get(id);
        if (origin?.job === jobId && origin.customer === customerId) byMember.delete(id);
      }
    },
    /** Members held (those of the items live on this worker). */
    get size(): number {
      return byMember.size;
    },
  };
}

/**
 * Sends `member.status.changed` to the live member `ref` names: first where the callback payload
 * points (job and customer), then by member guid across every live item. Returns who took it, or
 * null when no live member matches (finished, not started here, or unknown).
 *
 * @example
 * wakeLiveMember(live, { memberGuid: 'MBR-1' }) // { jobId: 'march', customerId: 'cust-1', memberId: 'cust-1-mxbank' }
 */
export function wakeLiveMember(
  live: ReadonlyMap<string, ReadonlyMap<string, { actor: AnyActorRef; enter?: <T>(fn: () => T) => T }>>,
  ref: MemberRef,
): WokenMember | null {
  const send = (jobId: string, customerId: string, item: { actor: AnyActorRef; enter?: <T>(fn: () => T) => T }, memberId: string): WokenMember | null => {
    const { actor } = item;
    // The steps the event sets off belong to the customer's trace, not to the webhook that woke it.
    const enter = item.enter ?? ((fn) => fn());
    // The end user made a member for a widget connection that waits for one: offer it for adoption.
    // Every callback payload names its connection, so a credentials member whose create has not
    // answered yet has no guid either: it is only woken, never handed a member to adopt.
    if (ref.memberGuid && awaitsEndUserMember(actor.getSnapshot(), memberId)) {
      const memberGuid = ref.memberGuid;
      enter(() => actor.send({ type: 'member.enduser.linked', memberExternalId: memberId, memberGuid } satisfies MemberLinkedEvent));
    } else if (ref.adoptOnly) return null;
    else enter(() => actor.send({ type: 'member.status.changed', memberExternalId: memberId } satisfies MemberChangedEvent));
    return { jobId, customerId, memberId };
  };
  const hashed = ref.jobHash ? [...live.keys()].find((jobId) => payloadNamesJob({ jobHash: ref.jobHash!, customerId: '', connectionId: '' }, jobId)) : undefined;
  const namedJob = ref.jobId || hashed;
  if (namedJob && ref.customerId) {
    const item = live.get(namedJob)?.get(ref.customerId);
    const memberId = item ? memberIdOf(item.actor.getSnapshot(), ref) : null;
    if (item && memberId) return send(namedJob, ref.customerId, item, memberId);
  }
  if (!ref.memberGuid) return null;
  for (const [jobId, items] of live) {
    for (const [customerId, item] of items) {
      const memberId = memberIdOf(item.actor.getSnapshot(), { memberGuid: ref.memberGuid });
      if (memberId) return send(jobId, customerId, item, memberId);
    }
  }
  return null;
}
