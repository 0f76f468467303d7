import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  API_ERROR_KINDS,
  classify,
  dispositionOf,
  isApiError,
  type ApiError,
  type ClassifierRule,
  type DialectOption,
  type HttpOutcome,
} from '../../src/errors/index.js';

const RUNS = 300;

const status = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 100, max: 599 }) },
  { weight: 2, arbitrary: fc.constantFrom(400, 401, 403, 404, 409, 422, 429, 500, 502, 503, 204) },
  { weight: 1, arbitrary: fc.integer({ min: -1_000_000, max: 1_000_000 }) },
  { weight: 1, arbitrary: fc.double() },
);

const headerRecord = fc.dictionary(
  fc.oneof(fc.constantFrom('Retry-After', 'retry-after', 'RETRY-AFTER', 'Content-Type', 'Authorization'), fc.string()),
  fc.oneof(fc.string(), fc.constantFrom('1', '0', '120', '-3', 'Wed, 21 Oct 2099 07:28:00 GMT', 'tomorrow', '1e9')),
);
const headers = fc.oneof(
  headerRecord,
  headerRecord.map((r) => {
    try {
      return new Headers(r);
    } catch {
      return new Headers(); // Not every generated name is a legal header name.
    }
  }),
  headerRecord.map((r) => new Map(Object.entries(r))),
);

// Values in the shapes the dialects read, so the dialect readers see their own envelopes too.
const jsonish = fc.oneof(
  fc.jsonValue().map((v) => JSON.stringify(v)),
  fc.record({ error: fc.oneof(fc.string(), fc.jsonValue()) }).map((v) => JSON.stringify(v)),
  fc
    .record({ error: fc.record({ status: fc.jsonValue(), code: fc.jsonValue(), message: fc.jsonValue(), errors: fc.jsonValue() }, { requiredKeys: [] }) })
    .map((v) => JSON.stringify(v)),
  fc.record({ code: fc.oneof(fc.integer(), fc.string(), fc.constant(null)), message: fc.jsonValue() }).map((v) => JSON.stringify(v)),
  fc.record({ Message: fc.jsonValue(), Code: fc.jsonValue() }, { requiredKeys: [] }).map((v) => JSON.stringify(v)),
  fc.string().map((s) => `<Error><Message>${s}</Message></Error>`),
);
const body = fc.oneof(
  { weight: 4, arbitrary: jsonish },
  { weight: 2, arbitrary: fc.string({ unit: 'binary' }) },
  { weight: 2, arbitrary: fc.uint8Array({ maxLength: 4096 }) },
  { weight: 1, arbitrary: fc.constant('<html><body><h1>502 Bad Gateway</h1></body></html>') },
  { weight: 1, arbitrary: fc.tuple(jsonish, fc.integer({ min: 0, max: 3_000_000 })).map(([j, n]) => `${j}${' '.repeat(n)}`) },
);

const rule: fc.Arbitrary<ClassifierRule> = fc.record(
  {
    status: fc.oneof(fc.integer({ min: 100, max: 599 }), fc.array(fc.integer({ min: 100, max: 599 })), fc.constant((s: number) => s >= 500)),
    code: fc.oneof(fc.string(), fc.constant(/\d+/g)),
    message: fc.oneof(fc.string({ maxLength: 3 }), fc.constant(/not found/i)),
    kind: fc.constantFrom(...API_ERROR_KINDS),
    retryable: fc.boolean(),
    scope: fc.constantFrom('item' as const, 'job' as const),
  },
  { requiredKeys: ['kind'] },
);

const options = fc.record(
  {
    dialect: fc.constantFrom<DialectOption>('auto', 'mx-sso', 'mcc', 'mgx', 'nexus'),
    rules: fc.array(rule, { maxLength: 3 }),
    request: fc.record({ method: fc.string(), path: fc.string() }),
    secrets: fc.array(fc.string()),
  },
  { requiredKeys: [] },
);

function checkShape(e: ApiError): void {
  expect(isApiError(e)).toBe(true);
  expect(typeof e.retryable).toBe('boolean');
  expect(['item', 'job']).toContain(e.scope);
  expect(JSON.parse(JSON.stringify(e))).toStrictEqual(e);
  expect(Buffer.byteLength(e.exchange?.response?.bodyExcerpt ?? '')).toBeLessThanOrEqual(2048);
  expect(Buffer.byteLength(e.message ?? '')).toBeLessThanOrEqual(2048);
}

describe('classify over arbitrary responses (fast-check)', () => {
  it(`never throws; the result is a JSON round-tripping ApiError with retryable and scope (${RUNS} runs)`, () => {
    fc.assert(
      fc.property(status, headers, body, options, (s, h, b, o) => {
        const e = classify({ status: s, headers: h as HttpOutcome['headers'], body: b }, o);
        checkShape(e);
      }),
      { numRuns: RUNS },
    );
  });

  it(`without user rules, retryable and scope are the kind's documented disposition (${RUNS} runs)`, () => {
    fc.assert(
      fc.property(status, headers, body, (s, h, b) => {
        const e = classify({ status: s, headers: h as HttpOutcome['headers'], body: b });
        expect({ retryable: e.retryable, scope: e.scope }).toEqual(dispositionOf(e.kind, e.status));
      }),
      { numRuns: RUNS },
    );
  });
});

// Secrets that cannot be mistaken for anything the classifier writes itself.
const secret = fc.stringMatching(/^[A-Za-z0-9]{10,32}$/).map((s) => `Zq9${s}`);
const filler = fc.string({ unit: 'grapheme-ascii', maxLength: 3000 });

const plantInBody: ReadonlyArray<(s: string) => string> = [
  (s) => JSON.stringify({ user: { id: 'c-1', password: s } }),
  (s) => JSON.stringify({ api_key: s }),
  (s) => JSON.stringify({ apiKey: s }),
  (s) => JSON.stringify({ client_secret: s, access_token: s }),
  (s) => JSON.stringify({ member: { credentials: [{ guid: 'CRD-1', value: 'mxuser' }, { guid: 'CRD-2', value: s }] } }),
  (s) => JSON.stringify({ challenges: [{ guid: 'CRD-9', value: s }] }),
  (s) => JSON.stringify({ error: `Authorization: Basic ${Buffer.from(`client:${s}`).toString('base64')}` }),
  (s) => JSON.stringify({ error: `invalid header TOK: ${s}` }),
  (s) => JSON.stringify({ code: 4011, message: `Bearer ${s} has expired` }),
  (s) => JSON.stringify({ Message: `Access Denied for TOK:${s}` }),
  (s) => JSON.stringify({ error: { status: 422, code: 'validation_error', message: 'bad', errors: [{ field: 'x', message: `password=${s}` }] } }),
  (s) => `grant_type=client_credentials&client_secret=${s}`,
  (s) => `<Login><Password>${s}</Password></Login>`,
  (s) => `x-api-key: ${s}\r\nauthorization: Bearer ${s}`,
];
const plantInPath: ReadonlyArray<(s: string) => string> = [
  (s) => `/users?api_key=${s}`,
  (s) => `/users/USR-1/members?page=2&access_token=${s}&password=${s}`,
  (s) => `/token?client_secret=${encodeURIComponent(s)}`,
];

describe('redaction over planted secrets (fast-check)', () => {
  it(`a secret planted in headers, body or path never appears in the classified error (${RUNS} runs)`, () => {
    fc.assert(
      fc.property(
        secret,
        fc.nat(plantInBody.length - 1),
        fc.nat(plantInPath.length - 1),
        filler,
        filler,
        status,
        fc.constantFrom<DialectOption>('auto', 'mx-sso', 'mcc', 'mgx', 'nexus'),
        fc.boolean(),
        (s, b, p, before, after, st, dialect, asBytes) => {
          const text = `${before}\n${plantInBody[b]!(s)}\n${after}`;
          const e = classify(
            {
              status: st,
              headers: { Authorization: `Bearer ${s}`, 'X-Api-Key': s },
              body: asBytes ? new TextEncoder().encode(text) : text,
            },
            { dialect, request: { method: 'POST', path: plantInPath[p]!(s) } },
          );
          expect(JSON.stringify(e)).not.toContain(s);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it(`a secret given in options is removed wherever it appears verbatim (${RUNS} runs)`, () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 8, maxLength: 40 }).filter((s) => s.trim().length >= 8),
        filler,
        fc.constantFrom(400, 401, 404, 422, 500, 503),
        (s, pad, st) => {
          const body = JSON.stringify({ error: `${pad} rejected ${s}`, echo: [s, pad] });
          const e = classify({ status: st, headers: {}, body }, { secrets: [s], request: { method: 'GET', path: `/x/${s}` } });
          const json = JSON.stringify(e);
          // Inside the JSON text a leaked secret would appear escaped as JSON escapes it.
          expect(json).not.toContain(JSON.stringify(s).slice(1, -1));
        },
      ),
      { numRuns: RUNS },
    );
  });
});
