/**
 * The sandbox's webhooks, shaped as MX sends them (docs.mx.com/resources/webhooks): a MEMBER
 * webhook when a member is created, updated (its aggregation starts or settles) or deleted, an
 * AGGREGATION webhook when an aggregation completed,
 * echoing the `X-Callback-Payload` of the create or update request (or of the widget URL request
 * for what the end user did in that widget); a CONNECTION_STATUS webhook
 * when the status enters an end-user-actionable state. Each is a JSON POST with HTTP Basic,
 * retried on anything but a 2xx on MX's schedule (at most 12 retries over about 24 h) compressed
 * by `retryScale`. Statuses are computed from time (aggregation.ts), so the sender arms a timer
 * for each moment a member's status can change and sends what changed.
 */
import { defined } from '../_internals/index.js';
import type { ConnectionStatus } from '../api/index.js';
import { viewAt, type Timing } from './aggregation.js';
import { aggregationWebhookBody } from './aggregationWebhook.js';
import type { SandboxStore } from './store.js';
import { createWebhookFaults, WEBHOOK_FAULT_KINDS, type WebhookFaultKind } from './webhookFaults.js';
import { defaultSandboxWebhookOptions, type SandboxWebhookOptions } from './webhookOptions.js';


export interface WebhookSenderStats {
  /** Messages made (each MEMBER or CONNECTION_STATUS webhook once). */
  messages: number;
  /** POSTs made, retries and duplicates included. */
  attempts: number;
  delivered: number;
  retried: number;
  /** Messages that failed every retry. */
  givenUp: number;
  faults: Record<WebhookFaultKind, number>;
}

/** MX's retry delays in seconds: 12 retries, less and less often, about 24 h in all. */
export const MX_RETRY_DELAYS_S = [60, 120, 300, 600, 1_200, 1_800, 3_600, 7_200, 10_800, 14_400, 21_600, 25_200];
/** The statuses that trigger MX's CONNECTION_STATUS webhook (docs.mx.com/resources/webhooks/connection-status). */
export const ACTIONABLE_STATUSES: readonly ConnectionStatus[] = [
  'CHALLENGED', 'DENIED', 'EXPIRED', 'IMPAIRED', 'IMPEDED', 'LOCKED', 'PREVENTED', 'REJECTED',
];
/** MX's connection_status_id: the statuses in MX's order, CREATED = 0 … PENDING = 21. */
const STATUS_IDS: readonly ConnectionStatus[] = [
  'CREATED', 'PREVENTED', 'DENIED', 'CHALLENGED', 'REJECTED', 'LOCKED', 'CONNECTED', 'IMPEDED', 'RECONNECTED', 'DEGRADED',
  'DISCONNECTED', 'DISCONTINUED', 'CLOSED', 'DELAYED', 'FAILED', 'UPDATED', 'DISABLED', 'IMPORTED', 'RESUMED', 'EXPIRED',
  'IMPAIRED', 'PENDING',
];
const ATTEMPT_TIMEOUT_MS = 5_000;
const DELAY_FAULT_MS = [500, 3_000] as const;
const REORDER_HOLD_MS = 5_000;

/** A write the server has answered, as the sender needs to know it. */
export interface MemberWrite {
  action: 'created' | 'updated' | 'deleted';
  memberGuid: string;
  /** The request's `X-Callback-Payload`, kept for the member's later webhooks (create and update only). */
  callbackPayload?: string | undefined;
}

interface Message {
  memberGuid: string;
  body: string;
  callbackPayload: string | undefined;
}

const unixSeconds = (ms: number | null): number | null => (ms === null ? null : Math.floor(ms / 1000));

/**
 * A webhook sender over the sandbox's store.
 *
 * @example
 * const sender = createWebhookSender({ url: receiver.url, auth: 'mx:secret' }, store, timing, seed);
 * sender.memberWritten({ action: 'created', memberGuid: 'MBR-1', callbackPayload: '{"job":"j","customer":"c"}' });
 */
export function createWebhookSender(options: SandboxWebhookOptions, store: SandboxStore, timing: Timing, seed: number) {
  const settings = { ...defaultSandboxWebhookOptions, ...defined(options) };
  const scale = settings.retryScale;
  const faults = createWebhookFaults(settings.faults, settings.faultKinds, seed);
  const authorization = options.auth === null ? undefined : `Basic ${Buffer.from(options.auth, 'utf8').toString('base64')}`;
  const timers = new Set<NodeJS.Timeout>();
  const payloads = new Map<string, string>();
  const lastSent = new Map<string, { status: ConnectionStatus | null; busy: boolean; member: Record<string, unknown> }>();
  const held = new Map<string, Message[]>();
  const stats: WebhookSenderStats = {
    messages: 0, attempts: 0, delivered: 0, retried: 0, givenUp: 0,
    faults: Object.fromEntries(WEBHOOK_FAULT_KINDS.map((k) => [k, 0])) as Record<WebhookFaultKind, number>,
  };
  let closed = false;

  const later = (ms: number, run: () => void): void => {
    if (closed) return;
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (!closed) run();
    }, ms);
    timers.add(timer);
  };

  const post = async (message: Message, retry: number): Promise<void> => {
    stats.attempts += 1;
    let ok = false;
    try {
      const response = await fetch(options.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json; charset=utf-8',
          accept: 'application/json',
          ...(authorization ? { authorization } : {}),
          ...defined({ 'x-callback-payload': message.callbackPayload }),
        },
        body: message.body,
        signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS),
      });
      await response.arrayBuffer().catch(() => undefined);
      ok = response.status >= 200 && response.status <= 299;
    } catch {
      ok = false;
    }
    if (ok) {
      stats.delivered += 1;
      return;
    }
    const delayS = MX_RETRY_DELAYS_S[retry];
    if (delayS === undefined || closed) {
      stats.givenUp += 1;
      return;
    }
    stats.retried += 1;
    later((delayS * 1000) / scale, () => void post(message, retry + 1));
  };

  /** Sends a message through the fault it drew; a held (reordered) one goes after the next. */
  const dispatch = (message: Message): void => {
    stats.messages += 1;
    const fault = faults.draw();
    if (fault) stats.faults[fault.kind] += 1;
    const waiting = held.get(message.memberGuid) ?? [];
    held.delete(message.memberGuid);
    const release = () => waiting.forEach((m) => void post(m, 0));
    switch (fault?.kind) {
      case 'lost':
        return release();
      case 'reorder':
        held.set(message.memberGuid, [...waiting, message]);
        return later(REORDER_HOLD_MS, () => {
          const still = held.get(message.memberGuid);
          if (still?.includes(message)) {
            held.set(message.memberGuid, still.filter((m) => m !== message));
            void post(message, 0);
          }
        });
      case 'delay':
        later(DELAY_FAULT_MS[0] + fault.variant * (DELAY_FAULT_MS[1] - DELAY_FAULT_MS[0]), () => void post(message, 0));
        return release();
      case 'duplicate':
        void post(message, 0);
        later(20, () => void post(message, 0));
        return release();
      default:
        void post(message, 0);
        return release();
    }
  };

  const memberBody = (guid: string, now: number): Record<string, unknown> | null => {
    const record = store.members.get(guid);
    if (!record) return null;
    const json = store.memberJson(record, now);
    const status = json.connection_status as ConnectionStatus | null;
    return {
      ...json,
      // MX documents these as integers, aggregated_at as when the latest aggregation started.
      aggregated_at: unixSeconds(record.timeline.startedAt),
      created_at: unixSeconds(record.createdAt),
      successfully_aggregated_at: unixSeconds(viewAt(record.timeline, now, timing).successfully_aggregated_at),
      connection_status_id: status === null ? null : STATUS_IDS.indexOf(status),
    };
  };

  const sendMember = (guid: string, action: MemberWrite['action'], member: Record<string, unknown>): void => {
    dispatch({ memberGuid: guid, body: JSON.stringify({ action, member, type: 'MEMBER' }), callbackPayload: payloads.get(guid) });
  };

  /** A CONNECTION_STATUS webhook when the member's status entered an end-user-actionable one. */
  const sendStatus = (guid: string, member: Record<string, unknown>, before: ConnectionStatus | null | undefined): void => {
    const status = member.connection_status as ConnectionStatus | null;
    if (status === null || !ACTIONABLE_STATUSES.includes(status) || status === before) return;
    const body = {
      action: 'CHANGED', connection_status: status, connection_status_id: member.connection_status_id,
      connection_status_message: member.connection_status_message, member_guid: guid, type: 'CONNECTION_STATUS',
      user_guid: member.user_guid,
    };
    dispatch({ memberGuid: guid, body: JSON.stringify(body), callbackPayload: undefined });
  };

  const sendAggregation = (guid: string, member: Record<string, unknown>, now: number): void => {
    const t = store.members.get(guid)?.timeline;
    const completedAt = t ? viewAt(t, now, timing).successfully_aggregated_at ?? now : now;
    const body = aggregationWebhookBody(guid, member, t?.startedAt ?? 0, completedAt);
    dispatch({ memberGuid: guid, body: JSON.stringify(body), callbackPayload: undefined });
  };

  /** Sends what changed since the last webhook of this member: MEMBER updated, and CONNECTION_STATUS if actionable. */
  const check = (guid: string, now = Date.now()): void => {
    const member = memberBody(guid, now);
    const last = lastSent.get(guid);
    if (!member || !last) return;
    const status = member.connection_status as ConnectionStatus | null;
    const busy = member.is_being_aggregated === true;
    if (status === last.status && busy === last.busy) return;
    lastSent.set(guid, { status, busy, member });
    sendMember(guid, 'updated', member);
    sendStatus(guid, member, last.status);
    // MX's AGGREGATION webhook fires once an aggregation completed.
    if (status === 'CONNECTED' && !busy && last.busy) sendAggregation(guid, member, now);
  };

  /** Arms a check at each moment the member's status can next change. */
  const watch = (guid: string, now: number): void => {
    const t = store.members.get(guid)?.timeline;
    if (!t || t.startedAt === null) return;
    const ends = t.startedAt + timing.aggregationMs;
    const moments = [ends, ends + timing.slowMs, ends + timing.challengeWindowMs];
    if (t.challengeFrom !== null) moments.push(t.challengeFrom, t.challengeFrom + timing.challengeWindowMs);
    if (t.answeredAt !== null) moments.push(t.answeredAt + timing.aggregationMs);
    for (const at of new Set(moments.filter((m) => m >= now))) later(at - now + 1, () => check(guid));
  };

  return {
    /**
     * Called by the server after it answered a successful create, update, aggregate, resume or
     * delete of a member, and by the end-user pages after what the end user did to one.
     */
    memberWritten(write: MemberWrite): void {
      if (closed) return;
      const now = Date.now();
      if (write.action === 'deleted') {
        const last = lastSent.get(write.memberGuid);
        lastSent.delete(write.memberGuid);
        sendMember(write.memberGuid, 'deleted', last?.member ?? { guid: write.memberGuid });
        payloads.delete(write.memberGuid);
        return;
      }
      if (write.callbackPayload !== undefined) payloads.set(write.memberGuid, write.callbackPayload);
      const member = memberBody(write.memberGuid, now);
      if (!member) return;
      const before = lastSent.get(write.memberGuid)?.status;
      lastSent.set(write.memberGuid, {
        status: member.connection_status as ConnectionStatus | null, busy: member.is_being_aggregated === true, member,
      });
      sendMember(write.memberGuid, write.action, member);
      // A write can itself enter an actionable status (an end user denying OAuth goes DENIED at once).
      sendStatus(write.memberGuid, member, before);
      watch(write.memberGuid, now);
    },
    stats: (): WebhookSenderStats => ({ ...stats, faults: { ...stats.faults } }),
    /** Forgets every member and pending delivery (the sandbox's reset). */
    reset(): void {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      payloads.clear();
      lastSent.clear();
      held.clear();
    },
    close(): void {
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
  };
}

export type WebhookSender = ReturnType<typeof createWebhookSender>;
