/**
 * What one MX webhook delivery says about a member, read leniently (unknown fields ignored, fields
 * in any order, nulls allowed, as docs.mx.com/resources/webhooks asks of a receiver), and the
 * ledger that tells a repeat or an out-of-date delivery from news.
 */
import type { ConnectionStatus } from '../api/types.js';
import { statusCategory } from '../../machines/statuses.js';
import { parseCallbackPayload, type CallbackOrigin } from '../durable/wake.js';

/** One delivery, reduced to what finding and waking a member needs. */
export interface Delivery {
  /** `MEMBER`, `CONNECTION_STATUS`, or whatever else MX sends. */
  type: string;
  action: string | null;
  memberGuid: string | null;
  /** The member's external id (MEMBER webhooks carry it as `id`). */
  memberId: string | null;
  status: ConnectionStatus | null;
  isBeingAggregated: boolean | null;
  /** When the member's latest aggregation started (epoch ms), if the delivery says. */
  aggregatedAt: number | null;
  /** The job and customer our `X-Callback-Payload` named, echoed by MX on MEMBER webhooks. */
  origin: CallbackOrigin | null;
}

const text = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);

/** MX documents `aggregated_at` as an integer (Unix seconds); the member API gives ISO text. */
function epochMs(value: unknown): number | null {
  if (typeof value === 'number' && Number.isFinite(value)) return value < 1e11 ? value * 1000 : value;
  if (typeof value === 'string') {
    const ms = Date.parse(value);
    return Number.isNaN(ms) ? null : ms;
  }
  return null;
}

/**
 * Reads a parsed webhook body; null when it names no member at all.
 *
 * @example
 * readDelivery({ type: 'CONNECTION_STATUS', action: 'CHANGED', member_guid: 'MBR-1', connection_status: 'CHALLENGED' }, undefined)
 * // { type: 'CONNECTION_STATUS', memberGuid: 'MBR-1', status: 'CHALLENGED', ... }
 */
export function readDelivery(body: unknown, callbackPayload: string | undefined): Delivery | null {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return null;
  const top = body as Record<string, unknown>;
  // MEMBER webhooks wrap the member in a root key, as MX's user webhooks do; others are flat.
  const member = typeof top.member === 'object' && top.member !== null ? (top.member as Record<string, unknown>) : top;
  const memberGuid = text(member === top ? top.member_guid : member.guid) ?? text(top.member_guid);
  const origin = parseCallbackPayload(callbackPayload);
  const memberId = member === top ? null : text(member.id);
  if (memberGuid === null && (origin === null || memberId === null)) return null;
  return {
    type: text(top.type) ?? (member === top ? 'UNKNOWN' : 'MEMBER'),
    action: text(top.action),
    memberGuid,
    memberId,
    status: text(member.connection_status) as ConnectionStatus | null,
    isBeingAggregated: typeof member.is_being_aggregated === 'boolean' ? member.is_being_aggregated : null,
    aggregatedAt: epochMs(member.aggregated_at),
    origin,
  };
}

/**
 * Whether a delivery says something a waiting member should read now: its aggregation ended, or
 * its status needs something (a challenge, the end customer). A member still aggregating is not.
 */
export function isWorthAWake(delivery: Delivery): boolean {
  if (delivery.action === 'deleted') return false;
  // AGGREGATION (member_data_updated) "fire[s] only after a completed aggregation" (docs.mx.com/resources/webhooks/aggregation).
  if (delivery.type === 'AGGREGATION') return true;
  if (delivery.isBeingAggregated === false) return true;
  return delivery.status !== null && statusCategory(delivery.status) !== 'inProgress';
}

export type Verdict = 'news' | 'duplicate' | 'stale';

interface MemberLedger {
  aggregatedAt: number;
  settled: boolean;
  seen: string[];
}

/** Repeats remembered per member; MX's repeats are of a recent delivery. */
const SEEN_PER_MEMBER = 16;

/**
 * Tells news from repeats and from deliveries a later one has overtaken: a later `aggregated_at`
 * wins, and within one aggregation a settled status wins over an in-progress one. Members are
 * forgotten oldest first beyond `capacity`.
 *
 * @example
 * const ledger = createDeliveryLedger();
 * ledger.judge(delivery); // 'news'
 * ledger.judge(delivery); // 'duplicate'
 */
export function createDeliveryLedger(capacity = 100_000) {
  const members = new Map<string, MemberLedger>();
  return {
    judge(delivery: Delivery): Verdict {
      const key = delivery.memberGuid ?? `${delivery.origin?.job}/${delivery.origin?.customer}/${delivery.memberId}`;
      let entry = members.get(key);
      if (entry) members.delete(key);
      else entry = { aggregatedAt: Number.NEGATIVE_INFINITY, settled: false, seen: [] };
      members.set(key, entry);
      if (members.size > capacity) members.delete(members.keys().next().value as string);

      const print = [delivery.type, delivery.action, delivery.status, delivery.isBeingAggregated, delivery.aggregatedAt].join('|');
      if (entry.seen.includes(print)) return 'duplicate';
      entry.seen.push(print);
      if (entry.seen.length > SEEN_PER_MEMBER) entry.seen.shift();
      if (delivery.aggregatedAt === null) return 'news';
      const settled = isWorthAWake(delivery);
      if (delivery.aggregatedAt < entry.aggregatedAt) return 'stale';
      if (delivery.aggregatedAt === entry.aggregatedAt && entry.settled && !settled) return 'stale';
      entry.aggregatedAt = delivery.aggregatedAt;
      entry.settled = settled;
      return 'news';
    },
  };
}
