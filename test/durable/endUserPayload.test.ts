/**
 * The end user's X-Callback-Payload (docs.mx.com request-widget-url: base64, at most 1,024
 * characters; echoed in MEMBER webhooks): ids only, a long job id by its hash, and anything else
 * (a foreign or forged header) is not ours.
 */
import { describe, expect, it } from 'vitest';
import { decodeEndUserPayload, encodeEndUserPayload, MAX_END_USER_PAYLOAD_CHARS, payloadNamesJob } from '../../src/durable/index.js';
import { parseCallbackPayload } from '../../src/durable/wake.js';

const longest = (c: string) => c.repeat(128);

describe('end-user payload', () => {
  it('round-trips job, customer and connection as base64 JSON', () => {
    const payload = encodeEndUserPayload({ jobId: 'march', customerId: 'cust-1', connectionId: 'cust-1-bank' })!;
    expect(payload).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(decodeEndUserPayload(payload)).toEqual({ jobId: 'march', customerId: 'cust-1', connectionId: 'cust-1-bank' });
    expect(parseCallbackPayload(payload)).toEqual({ job: 'march', customer: 'cust-1', connection: 'cust-1-bank' });
  });

  it('fits the longest ids in 1,024 characters, a very long job id by its hash', () => {
    const ids = { customerId: longest('c'), connectionId: longest('m') };
    const cli = encodeEndUserPayload({ jobId: 'j'.repeat(100), ...ids })!;
    expect(cli.length).toBeLessThanOrEqual(MAX_END_USER_PAYLOAD_CHARS);
    expect(decodeEndUserPayload(cli)?.jobId).toBe('j'.repeat(100));
    const jobId = 'a-library-job-'.repeat(40);
    const hashed = encodeEndUserPayload({ jobId, ...ids })!;
    expect(hashed.length).toBeLessThanOrEqual(MAX_END_USER_PAYLOAD_CHARS);
    const decoded = decodeEndUserPayload(hashed)!;
    expect(decoded.jobId).toBeUndefined();
    expect(payloadNamesJob(decoded, jobId)).toBe(true);
    expect(payloadNamesJob(decoded, 'another')).toBe(false);
  });

  it('is null for anything that is not one of ours', () => {
    for (const text of [undefined, '', '{"job":"j","customer":"c"}', 'not base64!', Buffer.from('{"v":2,"j":"x","c":"c","m":"m"}').toString('base64'), 'A'.repeat(2000)]) {
      expect(decodeEndUserPayload(text)).toBeNull();
    }
  });
});
