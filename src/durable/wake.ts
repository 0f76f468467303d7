/**
 * Waking a live member early: finding the member's actor by what a webhook names (its guid, or the
 * job and customer its `X-Callback-Payload` names) and the payload the client sets on create so
 * that MX can name them. A wake-up is only an event to a live actor: it is never stored, and one
 * that finds no live member is dropped, so a lost one costs no more than the next poll.
 */
import { memberIdOf } from '../../machines/snapshot.js';
import type { AnyActorRef } from 'xstate';
import type { MemberChangedEvent } from '../../machines/member.types.js';
import { decodeEndUserPayload, encodeEndUserPayload } from './endUserPayload.js';

/** What a webhook can tell about the member it concerns; any one of these may be missing. */
export interface MemberRef {
  memberGuid?: string | null;
  /** The member's external id (MX's `id`). */
  memberId?: string | null;
  jobId?: string | null;
  customerId?: string | null;
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

/**
 * Which job and customer each member belongs to, learnt as items start, so the member's create
 * can name them in its callback payload.
 *
 * @example
 * const origins = createMemberOrigins();
 * origins.note('march', 'cust-1', { members: [{ externalId: 'cust-1-mxbank' }] });
 * origins.payloadFor('cust-1-mxbank'); // base64 naming march, cust-1 and cust-1-mxbank
 */
export function createMemberOrigins() {
  const byMember = new Map<string, CallbackOrigin>();
  return {
    note(jobId: string, customerId: string, input: unknown): void {
      const members = (input as { members?: unknown } | null)?.members;
      if (!Array.isArray(members)) return;
      for (const member of members) {
        const id = (member as { externalId?: unknown } | null)?.externalId;
        if (typeof id === 'string') byMember.set(id, { job: jobId, customer: customerId });
      }
    },
    payloadFor(memberExternalId: string): string | undefined {
      const origin = byMember.get(memberExternalId);
      return origin ? callbackPayloadOf({ ...origin, connection: memberExternalId }) : undefined;
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
  live: ReadonlyMap<string, ReadonlyMap<string, { actor: AnyActorRef }>>,
  ref: MemberRef,
): WokenMember | null {
  const send = (jobId: string, customerId: string, actor: AnyActorRef, memberId: string): WokenMember => {
    actor.send({ type: 'member.status.changed', memberExternalId: memberId } satisfies MemberChangedEvent);
    return { jobId, customerId, memberId };
  };
  if (ref.jobId && ref.customerId) {
    const item = live.get(ref.jobId)?.get(ref.customerId);
    const memberId = item ? memberIdOf(item.actor.getSnapshot(), ref) : null;
    if (item && memberId) return send(ref.jobId, ref.customerId, item.actor, memberId);
  }
  if (!ref.memberGuid) return null;
  for (const [jobId, items] of live) {
    for (const [customerId, item] of items) {
      const memberId = memberIdOf(item.actor.getSnapshot(), { memberGuid: ref.memberGuid });
      if (memberId) return send(jobId, customerId, item.actor, memberId);
    }
  }
  return null;
}
