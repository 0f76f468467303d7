/**
 * The `X-Callback-Payload` of an end user's widget: which job, customer and connection a member the
 * end user makes belongs to. MX echoes it in the MEMBER webhooks of that member (docs.mx.com
 * request-widget-url, `X-Callback-Payload`: base64, at most 1,024 characters), which is how the
 * member is tied to the connection. It names ids only, never a secret or a URL.
 */
import { createHash } from 'node:crypto';

/** MX's limit for the header. */
export const MAX_END_USER_PAYLOAD_CHARS = 1024;

/** What an end-user payload names. `jobHash` stands for a job id too long to fit. */
export interface EndUserPayload {
  jobId?: string;
  jobHash?: string;
  customerId: string;
  connectionId: string;
}

/**
 * The short reference of a job id that does not fit in a payload.
 *
 * @example
 * ```ts
 * jobHashOf('march').length; // 16
 * ```
 */
export function jobHashOf(jobId: string): string {
  return createHash('sha256').update(jobId).digest('hex').slice(0, 16);
}

const encode = (value: object): string => Buffer.from(JSON.stringify(value), 'utf8').toString('base64');

/**
 * The base64 payload naming a connection; a job id that would not fit is replaced by its hash
 * (customer and connection ids are MX external ids, at most 128 characters). `undefined` when even
 * that does not fit.
 *
 * @example
 * ```ts
 * const payload = encodeEndUserPayload({ jobId: 'march', customerId: 'cust-1', connectionId: 'cust-1-bank' });
 * await client.requestWidgetUrl(userGuid, { callbackPayload: payload });
 * ```
 */
export function encodeEndUserPayload(ref: { jobId: string; customerId: string; connectionId: string }): string | undefined {
  const full = encode({ v: 1, j: ref.jobId, c: ref.customerId, m: ref.connectionId });
  if (full.length <= MAX_END_USER_PAYLOAD_CHARS) return full;
  const short = encode({ v: 1, jh: jobHashOf(ref.jobId), c: ref.customerId, m: ref.connectionId });
  return short.length <= MAX_END_USER_PAYLOAD_CHARS ? short : undefined;
}

/**
 * What a payload names, or `null` for anything that is not one of ours (a forged or foreign header
 * is just not ours: it never throws).
 *
 * @example
 * ```ts
 * decodeEndUserPayload(payload); // { jobId: 'march', customerId: 'cust-1', connectionId: 'cust-1-bank' }
 * ```
 */
export function decodeEndUserPayload(text: string | undefined | null): EndUserPayload | null {
  if (typeof text !== 'string' || text.length === 0 || text.length > MAX_END_USER_PAYLOAD_CHARS || !/^[A-Za-z0-9+/]+={0,2}$/.test(text)) return null;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(text, 'base64').toString('utf8'));
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const { v, j, jh, c, m } = value as Record<string, unknown>;
  if (v !== 1 || typeof c !== 'string' || typeof m !== 'string' || c === '' || m === '') return null;
  if (typeof j === 'string' && j !== '') return { jobId: j, customerId: c, connectionId: m };
  if (typeof jh === 'string' && /^[0-9a-f]{16}$/.test(jh)) return { jobHash: jh, customerId: c, connectionId: m };
  return null;
}

/**
 * Whether a decoded payload names this job (by id, or by the hash of a long one).
 *
 * @example
 * ```ts
 * payloadNamesJob(decodeEndUserPayload(header)!, 'march'); // true
 * ```
 */
export function payloadNamesJob(payload: EndUserPayload, jobId: string): boolean {
  return payload.jobId !== undefined ? payload.jobId === jobId : payload.jobHash === jobHashOf(jobId);
}
