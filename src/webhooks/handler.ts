/**
 * The webhook request handler: a plain `(req, res)` function for node:http, Express or Fastify.
 * It answers at once (401 without the right Basic credentials, 413 past 1 MB, 400 for a member guid
 * longer than any of MX's, 204 otherwise, as MX asks: docs.mx.com/resources/webhooks) and only then
 * acts on what the delivery says. A
 * delivery never writes to MX and never decides an outcome: at most it wakes a waiting member,
 * which reads its status itself.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { MemberRef, WokenMember } from '../durable/index.js';
import { webhookCheck } from './auth.js';
import {
  createDeliveryLedger, isWorthAWake, MAX_MEMBER_GUID_CHARS, readDelivery, type Delivery, type DeliveryLedgerOptions,
} from './delivery.js';

/** What the handler wakes members through: a runtime (`createRuntime`) has this method. */
export interface WebhookTarget {
  wakeMember(ref: MemberRef): WokenMember | null;
}

/** How each delivery ended, counted in `stats()` and told to `onDelivery`. */
export type DeliveryOutcome =
  | 'woke' | 'noted' | 'duplicate' | 'stale' | 'unknownMember' | 'malformed' | 'invalid' | 'unauthorized' | 'tooLarge' | 'wrongMethod';

export type WebhookStats = Record<DeliveryOutcome, number> & { received: number };

export interface WebhookHandlerOptions {
  /** Where members are woken: the runtime of the job(s) running in this process. */
  target: WebhookTarget;
  /**
   * `USER:PASSWORD` that MX sends as HTTP Basic; `null` accepts every delivery (only behind a
   * proxy that authenticates MX itself, e.g. with mutual TLS).
   */
  auth: string | null;
  /** The OAuth 2 bearer token MX presents (MX's client-credentials scheme); accepted besides `auth`. */
  bearer?: string | null;
  /** Bodies larger than this are refused with 413. @default 1_048_576 */
  maxBodyBytes?: number;
  /** Told of every delivery's outcome (and the member it woke), after the answer was sent. */
  onDelivery?: (outcome: DeliveryOutcome, woken: WokenMember | null) => void;
  /** Bounds of the ledger that tells news from repeats (entries, bytes). */
  ledger?: Partial<Omit<DeliveryLedgerOptions, 'now'>>;
}

/** A handler that also counts what it has seen. */
export interface WebhookHandler {
  (req: IncomingMessage, res: ServerResponse): void;
  stats(): WebhookStats;
}

export const DEFAULT_MAX_BODY_BYTES = 1_048_576;

const OUTCOMES: readonly DeliveryOutcome[] = [
  'woke', 'noted', 'duplicate', 'stale', 'unknownMember', 'malformed', 'invalid', 'unauthorized', 'tooLarge', 'wrongMethod',
];

function answer(res: ServerResponse, status: number, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  res.writeHead(status, status === 204 ? headers : { ...headers, 'content-length': '0' });
  res.end();
}

/** The body, unless a framework already read it (Express's `json()`, Fastify's parser). */
function readBody(req: IncomingMessage, limit: number): Promise<{ ok: true; value: unknown } | { ok: false; tooLarge: boolean }> {
  const parsed = (req as IncomingMessage & { body?: unknown }).body;
  // A body parser that ran has consumed the stream; one that skipped this content type has not.
  if (parsed !== undefined && req.readableEnded) {
    const raw = Buffer.isBuffer(parsed) ? parsed.toString('utf8') : parsed;
    if (typeof raw === 'string' && Buffer.byteLength(raw) > limit) return Promise.resolve({ ok: false, tooLarge: true });
    return Promise.resolve({ ok: true, value: typeof raw === 'string' ? parseJson(raw) : raw });
  }
  if (Number(req.headers['content-length'] ?? 0) > limit) return Promise.resolve({ ok: false, tooLarge: true });
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        resolve({ ok: false, tooLarge: true });
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve({ ok: true, value: parseJson(Buffer.concat(chunks).toString('utf8')) }));
    req.on('error', () => resolve({ ok: false, tooLarge: false }));
  });
}

const NOT_JSON = Symbol('not JSON');
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return NOT_JSON;
  }
}

/**
 * A request handler for MX webhooks, to mount at the path MX was given.
 *
 * @example
 * ```ts
 * const handler = createWebhookHandler({ target: runtime, auth: process.env.MX_WEBHOOK_AUTH ?? null });
 * app.post('/webhooks/mx', handler);                           // Express
 * createServer((req, res) => req.url === '/webhooks/mx' ? handler(req, res) : res.writeHead(404).end()); // node:http
 * ```
 */
export function createWebhookHandler(options: WebhookHandlerOptions): WebhookHandler {
  const check = webhookCheck(options);
  const limit = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const ledger = createDeliveryLedger(options.ledger);
  const counts = Object.fromEntries([...OUTCOMES.map((o) => [o, 0]), ['received', 0]]) as WebhookStats;
  const count = (outcome: DeliveryOutcome, woken: WokenMember | null = null): void => {
    counts[outcome] += 1;
    options.onDelivery?.(outcome, woken);
  };

  const act = (delivery: Delivery): void => {
    const verdict = ledger.judge(delivery);
    if (verdict !== 'news') return count(verdict);
    // A member an end user made through our widget is worth a wake whatever its status: it is
    // adopted. Every callback payload names its connection, so that alone wakes no other member.
    const worth = isWorthAWake(delivery);
    if (!worth && !delivery.origin?.connection) return count('noted');
    const woken = options.target.wakeMember({
      memberGuid: delivery.memberGuid,
      memberId: delivery.memberId ?? delivery.origin?.connection ?? null,
      jobId: delivery.origin?.job || null,
      ...(delivery.origin?.jobHash ? { jobHash: delivery.origin.jobHash } : {}),
      customerId: delivery.origin?.customer ?? null,
      ...(worth ? {} : { adoptOnly: true }),
    });
    count(woken ? 'woke' : worth ? 'unknownMember' : 'noted', woken);
  };

  const handler = ((req: IncomingMessage, res: ServerResponse): void => {
    counts.received += 1;
    if (req.method !== 'POST') {
      answer(res, 405, { allow: 'POST' });
      return count('wrongMethod');
    }
    if (!check(req.headers.authorization)) {
      req.resume();
      answer(res, 401, { 'www-authenticate': options.auth === null ? 'Bearer realm="mx-lifecycle webhooks"' : 'Basic realm="mx-lifecycle webhooks"' });
      return count('unauthorized');
    }
    void readBody(req, limit).then((body) => {
      if (!body.ok) {
        answer(res, 413, { connection: 'close' });
        return count(body.tooLarge ? 'tooLarge' : 'malformed');
      }
      const header = req.headers['x-callback-payload'];
      const delivery = body.value === NOT_JSON ? null : readDelivery(body.value, Array.isArray(header) ? header[0] : header);
      if (delivery?.memberGuid && delivery.memberGuid.length > MAX_MEMBER_GUID_CHARS) {
        // No MX guid is that long: a sender that made one up is told so, and nothing is kept of it.
        answer(res, 400);
        return count('invalid');
      }
      // MX would only resend what we cannot read, so an unreadable delivery is still a 204.
      answer(res, 204);
      if (!delivery) return count('malformed');
      act(delivery);
    });
  }) as WebhookHandler;
  handler.stats = () => ({ ...counts });
  return handler;
}
