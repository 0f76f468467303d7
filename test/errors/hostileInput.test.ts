import { describe, expect, it } from 'vitest';
import { classify, isApiError, parseRetryAfter, type HttpOutcome } from '../../src/errors/index.js';

const EXCERPT_BYTES = 2048;

function bytesOf(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

describe('classify never throws and stays small whatever the response', () => {
  it('a 10 MB body is classified by status in well under a second, excerpted to 2 KB', () => {
    const big = `{"error": "${'x'.repeat(10 * 1024 * 1024)}"}`;
    const started = performance.now();
    const e = classify({ status: 500, headers: {}, body: big });
    const elapsed = performance.now() - started;
    expect(e).toMatchObject({ kind: 'server_error', dialect: 'http' });
    expect(e.message).toBeUndefined();
    expect(bytesOf(e.exchange?.response?.bodyExcerpt ?? '')).toBeLessThanOrEqual(EXCERPT_BYTES);
    expect(JSON.stringify(e).length).toBeLessThan(4 * 1024);
    expect(elapsed).toBeLessThan(1000);
  });

  it('a 10 MB body of bytes is not decoded past its head', () => {
    const bytes = new Uint8Array(10 * 1024 * 1024).fill(0x7b);
    const e = classify({ status: 503, headers: {}, body: bytes });
    expect(e.kind).toBe('unavailable');
    expect(bytesOf(e.exchange?.response?.bodyExcerpt ?? '')).toBeLessThanOrEqual(EXCERPT_BYTES);
  });

  it('an error body under the parse cap is read even with a long message, and the message is capped', () => {
    const long = `Member not found. ${'because '.repeat(50_000)}`;
    const e = classify({ status: 500, headers: {}, body: JSON.stringify({ error: long }) });
    expect(e).toMatchObject({ kind: 'not_found', resource: 'member', dialect: 'mx-sso' });
    expect(bytesOf(e.message ?? '')).toBeLessThanOrEqual(EXCERPT_BYTES);
    expect(e.message?.endsWith('…')).toBe(true);
  });

  it('an HTML page from a proxy, invalid JSON, and bytes that are not UTF-8 come back classified', () => {
    const html = '<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>';
    expect(classify({ status: 502, headers: { 'Content-Type': 'text/html' }, body: html })).toMatchObject({
      kind: 'unavailable',
      dialect: 'http',
      exchange: { response: { status: 502, bodyExcerpt: html } },
    });
    expect(classify({ status: 400, headers: {}, body: '{"error": "User already exi' }).kind).toBe('validation');
    const garbage = new Uint8Array([0xff, 0xfe, 0x00, 0xc3, 0x28, 0xa0, 0xa1, 0xe2, 0x28, 0xa1]);
    const e = classify({ status: 500, headers: {}, body: garbage });
    expect(e.kind).toBe('server_error');
    expect(JSON.parse(JSON.stringify(e))).toEqual(e);
  });

  it('reads a JSON body given as bytes, with a byte-order mark', () => {
    const body = new TextEncoder().encode(`\uFEFF${JSON.stringify({ error: 'Member already exists with guid MBR-1' })}`);
    expect(classify({ status: 400, headers: {}, body })).toMatchObject({ kind: 'duplicate', guid: 'MBR-1' });
  });

  it('a body on a 204, a deeply nested array and a JSON array do not confuse it', () => {
    expect(classify({ status: 204, headers: {}, body: '{"error":"unexpected"}' })).toMatchObject({ kind: 'unknown', retryable: false });
    const deep = `${'['.repeat(500_000)}${']'.repeat(500_000)}`;
    expect(classify({ status: 400, headers: {}, body: deep }).kind).toBe('validation');
    expect(classify({ status: 422, headers: {}, body: '[{"error":"x"}]' }).kind).toBe('validation');
  });

  it('inputs that break the declared types still give an ApiError', () => {
    const odd = [
      null,
      undefined,
      {},
      { status: '500', headers: null, body: null },
      { status: 500, headers: 42, body: { not: 'a body' } },
      { status: 429, headers: new Map([['Retry-After', '2']]), body: new ArrayBuffer(8) },
      {
        status: 503,
        headers: {
          get 'retry-after'(): string {
            throw new Error('getter');
          },
        },
        body: '',
      },
      new Proxy({}, { get: () => { throw new Error('hostile'); } }),
    ];
    for (const outcome of odd) {
      const e = classify(outcome as unknown as HttpOutcome);
      expect(isApiError(e)).toBe(true);
      expect(JSON.parse(JSON.stringify(e))).toEqual(e);
    }
    expect(classify({ status: 429, headers: new Map([['Retry-After', '2']]), body: '' } as unknown as HttpOutcome)).toMatchObject({
      retryAfterMs: 2000,
    });
  });
});

describe('Retry-After', () => {
  const outcome = (headers: HttpOutcome['headers'], status = 429): HttpOutcome => ({ status, headers, body: '' });

  it('reads seconds from a Headers object or a record in any case', () => {
    expect(classify(outcome(new Headers({ 'Retry-After': '3' }))).kind).toBe('rate_limited');
    expect(classify(outcome(new Headers({ 'Retry-After': '3' })))).toMatchObject({ retryAfterMs: 3000 });
    expect(classify(outcome({ 'retry-after': '1' }))).toMatchObject({ retryAfterMs: 1000 });
    expect(classify(outcome({ 'RETRY-AFTER': '0' }))).toMatchObject({ retryAfterMs: 0 });
    expect(classify(outcome({ 'Retry-After': ['5'] } as unknown as Record<string, string>))).toMatchObject({ retryAfterMs: 5000 });
  });

  it('reads an HTTP date as the time left until it', () => {
    const at = new Date(Date.now() + 90_000).toUTCString();
    const e = classify(outcome({ 'Retry-After': at }));
    expect(e.kind === 'rate_limited' && e.retryAfterMs).toBeGreaterThan(85_000);
    expect(e.kind === 'rate_limited' && e.retryAfterMs).toBeLessThanOrEqual(90_000);
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT')).toBe(0);
  });

  it('leaves retryAfterMs out when the header is missing or unreadable', () => {
    const cases: Record<string, string>[] = [{}, { 'Retry-After': '' }, { 'Retry-After': 'soon' }, { 'Retry-After': '-5' }, { 'Retry-After': '2020x' }];
    for (const headers of cases) {
      const e = classify(outcome(headers));
      expect(e.kind).toBe('rate_limited');
      expect('retryAfterMs' in e, JSON.stringify(headers)).toBe(false);
    }
  });

  it('a 503 carries Retry-After too, other kinds do not', () => {
    expect(classify(outcome({ 'Retry-After': '120' }, 503))).toMatchObject({ kind: 'unavailable', retryAfterMs: 120_000 });
    expect('retryAfterMs' in classify(outcome({ 'Retry-After': '120' }, 400))).toBe(false);
  });
});
