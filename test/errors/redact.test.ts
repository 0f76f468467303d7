import { describe, expect, it } from 'vitest';
import { classify, classifyNetworkError, redact, redactExcerpt, redactPath } from '../../src/errors/index.js';

const SECRET = 'Sup3rS3cretValue_9f8e7d';

describe('redact', () => {
  it.each([
    ['an Authorization header line', `Authorization: Basic ${SECRET}\r\nAccept: */*`],
    ['a TOK: token', `Authorization header was TOK:${SECRET}`],
    ['a TOK: token with a space', `TOK: ${SECRET}`],
    ['a bearer token', `got bearer ${SECRET} from cache`],
    ['Basic credentials', `basic ${Buffer.from(`client:${SECRET}`).toString('base64')}`],
    ['URL user-info', `https://client:${SECRET}@int-api.mx.com/users`],
    ['a JSON password', `{"user":{"password": "${SECRET}"}}`],
    ['a JSON api_key', `{"api_key":"${SECRET}"}`],
    ['a JSON apiKey', `{"apiKey":"${SECRET}"}`],
    ['a JSON client_secret', `{"client_secret":"${SECRET}"}`],
    ['a JSON access_token', `{"access_token":"${SECRET}","token_type":"bearer"}`],
    ['a numeric JSON secret', `{"password": 12345678901234567890${SECRET.length}}`],
    ['a prefixed JSON key', `{"member_password":"${SECRET}"}`],
    ['a credential value', `{"member":{"credentials":[{"guid":"CRD-1","value":"mxuser"},{"guid":"CRD-2","value":"${SECRET}"}]}}`],
    ['a challenge answer value', `{"challenges":[{"guid":"CRD-9","value":"${SECRET}"}]}`],
    ['escaped JSON inside a string', `{"error":"bad body {\\"password\\":\\"${SECRET}\\"}"}`],
    ['a single-quoted repr', `{'password': '${SECRET}'}`],
    ['an x-api-key header line', `x-api-key: ${SECRET}`],
    ['a query string', `/users?page=1&api_key=${SECRET}&x=2`],
    ['a form body', `grant_type=client_credentials&client_secret=${SECRET}`],
    ['an XML element', `<Request><Password>${SECRET}</Password></Request>`],
    ['a cut-off JSON value', `{"password":"${SECRET}`],
  ])('removes %s', (_, text) => {
    const out = redact(text);
    expect(out).not.toContain(SECRET);
    expect(out).not.toContain('12345678901234567890');
    expect(out).toContain('[REDACTED]');
  });

  it('keeps what is not a secret readable', () => {
    const text = '{"error":"User already exists with guid USR-123","credentials_count":2,"token_type":"bearer"}';
    expect(redact(text)).toBe(text);
    expect(redact('The session token used in this request has expired.')).toBe('The session token used in this request has expired.');
    expect(redact('{"credentials":[{"guid":"CRD-1","value":"mxuser"}]}')).toBe('{"credentials":[{"guid":"CRD-1","value":"[REDACTED]"}]}');
  });

  it('removes every given secret verbatim, and JSON- or URL-encoded', () => {
    const secret = 'p@ss word"/+';
    const text = `plain ${secret} json ${JSON.stringify(secret)} url ${encodeURIComponent(secret)}`;
    const out = redact(text, [secret, '']);
    expect(out).not.toContain(secret);
    expect(out).not.toContain(encodeURIComponent(secret));
    expect(out).not.toContain(JSON.stringify(secret).slice(1, -1));
  });

  it('redactPath removes secret query parameters and keeps the rest', () => {
    expect(redactPath(`/users/USR-1/members?records_per_page=100&access_token=${SECRET}#top`)).toBe(
      '/users/USR-1/members?records_per_page=100&access_token=[REDACTED]#top',
    );
    expect(redactPath(`/x?API%5FKEY=${SECRET};password=${SECRET}`)).not.toContain(SECRET);
    expect(redactPath('/users?id=%zz')).toBe('/users?id=%zz');
  });

  it('redactExcerpt cuts after redacting, so no secret is left half-visible at the cut', () => {
    for (let pad = 2000; pad < 2100; pad += 7) {
      const text = `${'a'.repeat(pad)} {"password":"${SECRET}"} and ${SECRET}`;
      const out = redactExcerpt(text, [SECRET]);
      expect(Buffer.byteLength(out)).toBeLessThanOrEqual(2048);
      expect(out).not.toContain(SECRET.slice(0, 6));
    }
  });
});

describe('errors carry only redacted text', () => {
  it('the exchange records method, redacted path and a redacted excerpt of at most 2 KB', () => {
    const body = JSON.stringify({ error: `Invalid Authorization: Basic ${SECRET}`, echo: { password: SECRET }, pad: 'x'.repeat(5000) });
    const e = classify(
      { status: 400, headers: { Authorization: `Bearer ${SECRET}` }, body },
      { request: { method: 'post', path: `/users?client_secret=${SECRET}` } },
    );
    expect(e.exchange?.request).toEqual({ method: 'POST', path: '/users?client_secret=[REDACTED]' });
    expect(e.exchange?.response?.status).toBe(400);
    expect(Buffer.byteLength(e.exchange?.response?.bodyExcerpt ?? '')).toBeLessThanOrEqual(2048);
    expect(e.message).toBe('Invalid Authorization: [REDACTED]');
    expect(JSON.stringify(e)).not.toContain(SECRET);
  });

  it('a secret named in options is removed from messages, fields and excerpts', () => {
    const body = JSON.stringify({
      error: { status: 422, code: 'validation_error', message: `key ${SECRET} rejected`, errors: [{ field: 'note', message: `has ${SECRET}` }] },
    });
    const e = classify({ status: 422, headers: {}, body }, { secrets: [SECRET] });
    expect(e.kind).toBe('validation');
    expect(e.kind === 'validation' && e.fields).toEqual([{ field: 'note', message: 'has [REDACTED]' }]);
    expect(JSON.stringify(e)).not.toContain(SECRET);
  });

  it('a network error message with credentials in its URL is redacted', () => {
    const error = new TypeError('fetch failed', { cause: Object.assign(new Error(`connect to https://id:${SECRET}@h/ failed`), { code: 'ECONNREFUSED' }) });
    const e = classifyNetworkError(error, { request: { method: 'GET', path: `/users?api_key=${SECRET}` } });
    expect(e).toMatchObject({ kind: 'unavailable', cause: 'ECONNREFUSED' });
    expect(JSON.stringify(e)).not.toContain(SECRET);
  });
});

describe('redact with a list of secrets used again and again', () => {
  it('cuts the secrets of a frozen list every time, and reads a mutable list afresh each call', () => {
    const frozen = Object.freeze(['sk_PLANTED_one', 'pw two']);
    expect(redact('a sk_PLANTED_one b pw%20two', frozen)).toBe('a [REDACTED] b [REDACTED]');
    expect(redact('again sk_PLANTED_one', frozen)).toBe('again [REDACTED]');
    const mutable = ['sk_PLANTED_first'];
    expect(redact('sk_PLANTED_first', mutable)).toBe('[REDACTED]');
    mutable.push('sk_PLANTED_later');
    expect(redact('sk_PLANTED_first and sk_PLANTED_later', mutable)).toBe('[REDACTED] and [REDACTED]');
  });
});
