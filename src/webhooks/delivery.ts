/**
 * What one MX webhook delivery says about a member, read leniently (unknown fields ignored, fields
 * in any order, nulls allowed, as docs.mx.com/resources/webhooks asks of a receiver), and the
 * ledger that tells a repeat or an out-of-date delivery from news.
 */
import { createHash } from 'node:crypto';
import type { ConnectionStatus } from '../api/index.js';
import { statusCategory } from '../../machines/index.js';
import { parseCallbackPayload, type CallbackOrigin } from '../durable/index.js';

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

/**
 * The longest member guid taken. MX's are `MBR-` and a 36-character UUID, 40 characters in all
 * (every member guid example of the MX Platform API spec, v20250224, has that shape); the spec sets
 * no maxLength, so the bound leaves room for a longer prefix without letting a delivery hand the
 * ledger megabytes as a "guid".
 */
export const MAX_MEMBER_GUID_CHARS = 64;

/**
 * How far ahead of this clock an `aggregated_at` may be and still count: clocks disagree by
 * seconds, not minutes, and a later `aggregated_at` overtakes every earlier delivery, so one from
 * the far future would make every genuine one after it "stale".
 */
export const MAX_AGGREGATED_AT_AHEAD_MS = 5 * 60_000;

export interface DeliveryLedgerOptions {
  /** Members remembered at most; the least recently heard of is forgotten first. @default 100_000 */
  maxEntries: number;
  /** Bytes the remembered members may take (an estimate of their keys and fingerprints). @default 16_777_216 */
  maxBytes: number;
  /** The clock `aggregated_at` is checked against. @default Date.now */
  now: () => number;
}

export const defaultDeliveryLedgerOptions: DeliveryLedgerOptions = { maxEntries: 100_000, maxBytes: 16 * 1024 * 1024, now: Date.now };

interface MemberLedger {
  aggregatedAt: number;
  settled: boolean;
  /** Fingerprints of recent deliveries: fixed-size numbers, whatever the delivery's strings held. */
  seen: number[];
  bytes: number;
}

/** Repeats remembered per member; MX's repeats are of a recent delivery. */
const SEEN_PER_MEMBER = 16;
/** A key longer than this (a long external id) is kept as its digest. */
const MAX_KEY_CHARS = 128;
/** What one member costs beside its key: the Map entry, the object, its full list of fingerprints. */
const ENTRY_OVERHEAD_BYTES = 160 + SEEN_PER_MEMBER * 8;

const fingerprint = (text: string): number => createHash('sha256').update(text).digest().readUIntBE(0, 6);
const keyOf = (delivery: Delivery): string => {
  const key = delivery.memberGuid ?? `${delivery.origin?.job}/${delivery.origin?.customer}/${delivery.memberId}`;
  return key.length <= MAX_KEY_CHARS ? key : `#${createHash('sha256').update(key).digest('base64')}`;
};

/**
 * Tells news from repeats and from deliveries a later one has overtaken: a later `aggregated_at`
 * wins, and within one aggregation a settled status wins over an in-progress one. An
 * `aggregated_at` more than five minutes ahead of this clock is ignored. Members are forgotten
 * least recently heard of first beyond `maxEntries` or `maxBytes`.
 *
 * @example
 * const ledger = createDeliveryLedger();
 * ledger.judge(delivery); // 'news'
 * ledger.judge(delivery); // 'duplicate'
 */
export function createDeliveryLedger(options: Partial<DeliveryLedgerOptions> = {}) {
  const { maxEntries, maxBytes, now } = { ...defaultDeliveryLedgerOptions, ...options };
  const members = new Map<string, MemberLedger>();
  let bytes = 0;
  // The member just heard of stays, whatever it costs: its key is at most MAX_KEY_CHARS long.
  const overBudget = (): boolean => members.size > 1 && (members.size > maxEntries || bytes > maxBytes);
  const forgetOldest = (): void => {
    const [key, entry] = members.entries().next().value as [string, MemberLedger];
    members.delete(key);
    bytes -= entry.bytes;
  };
  return {
    judge(delivery: Delivery): Verdict {
      const key = keyOf(delivery);
      let entry = members.get(key);
      if (entry) members.delete(key);
      else {
        entry = { aggregatedAt: Number.NEGATIVE_INFINITY, settled: false, seen: [], bytes: key.length * 2 + ENTRY_OVERHEAD_BYTES };
        bytes += entry.bytes;
      }
      members.set(key, entry);
      while (overBudget()) forgetOldest();

      const aggregatedAt = delivery.aggregatedAt !== null && delivery.aggregatedAt - now() <= MAX_AGGREGATED_AT_AHEAD_MS ? delivery.aggregatedAt : null;
      const print = fingerprint([delivery.type, delivery.action, delivery.status, delivery.isBeingAggregated, delivery.aggregatedAt].join('|'));
      if (entry.seen.includes(print)) return 'duplicate';
      entry.seen.push(print);
      if (entry.seen.length > SEEN_PER_MEMBER) entry.seen.shift();
      if (aggregatedAt === null) return 'news';
      const settled = isWorthAWake(delivery);
      if (aggregatedAt < entry.aggregatedAt) return 'stale';
      if (aggregatedAt === entry.aggregatedAt && entry.settled && !settled) return 'stale';
      entry.aggregatedAt = aggregatedAt;
      entry.settled = settled;
      return 'news';
    },
    /** Members remembered now. */
    size: (): number => members.size,
    /** The estimated bytes they take. */
    bytes: (): number => bytes,
  };
}
