import { describe, expect, it } from 'vitest';
import { classify, type ApiErrorKind, type Dialect } from '../../src/errors/index.js';

// Nexus warns its codes and messages change; the status must still give the same decision.
const REWORDED: Record<Dialect, string> = {
  'mx-sso': JSON.stringify({ error: 'Something we have never said before.' }),
  mcc: JSON.stringify({ Message: 'A brand new wording' }),
  mgx: JSON.stringify({ error: { status: 0, code: 'renamed_code', message: 'Reworded.' } }),
  nexus: JSON.stringify({ code: 9999, message: 'Reworded.' }),
};

const BY_STATUS: ReadonlyArray<readonly [number, ApiErrorKind, boolean]> = [
  [400, 'validation', false],
  [401, 'unauthorized', false],
  [402, 'forbidden', false],
  [403, 'forbidden', false],
  [404, 'not_found', false],
  [405, 'misconfigured', false],
  [406, 'misconfigured', false],
  [408, 'unavailable', true],
  [410, 'not_found', false],
  [415, 'misconfigured', false],
  [418, 'unknown', false],
  [422, 'validation', false],
  [429, 'rate_limited', true],
  [500, 'server_error', true],
  [501, 'misconfigured', false],
  [502, 'unavailable', true],
  [503, 'unavailable', true],
  [504, 'unavailable', true],
  [507, 'unknown', true],
];

describe('the status alone gives a sensible kind when codes and messages change', () => {
  for (const [dialect, body] of Object.entries(REWORDED) as Array<[Dialect, string]>) {
    it.each(BY_STATUS.filter(([status]) => !(dialect === 'mcc' && status === 409)))(
      `${dialect}: %i with a reworded body → %s (retryable %s)`,
      (status, kind, retryable) => {
        for (const option of ['auto', dialect] as const) {
          const e = classify({ status, headers: {}, body }, { dialect: option });
          expect(e, `dialect option ${option}`).toMatchObject({ kind, retryable, status, dialect });
        }
      },
    );
  }

  it('409 is a conflict in general, and a duplicate where the dialect documents it so (mcc)', () => {
    expect(classify({ status: 409, headers: {}, body: REWORDED.mgx }).kind).toBe('conflict');
    expect(classify({ status: 409, headers: {}, body: REWORDED.nexus }).kind).toBe('conflict');
    expect(classify({ status: 409, headers: {}, body: REWORDED.mcc }).kind).toBe('duplicate');
  });

  it('a 404 without an API error body means a wrong URL, not a deleted record', () => {
    for (const body of ['', '<html><body><h1>404 Not Found</h1></body></html>', 'Cannot GET /users/x', '{}']) {
      const e = classify({ status: 404, headers: { 'content-type': 'text/html' }, body });
      expect(e, body).toMatchObject({ kind: 'misconfigured', scope: 'job', retryable: false, dialect: 'http' });
    }
  });

  it('a known status decides over a message that would mean something else', () => {
    const lying = JSON.stringify({ error: 'Member not found.' });
    expect(classify({ status: 429, headers: {}, body: lying }).kind).toBe('rate_limited');
    expect(classify({ status: 503, headers: {}, body: lying }).kind).toBe('unavailable');
    expect(classify({ status: 401, headers: {}, body: lying }).kind).toBe('unauthorized');
    // …while on a 500 the message is the better evidence (MX documents exactly this).
    expect(classify({ status: 500, headers: {}, body: lying }).kind).toBe('not_found');
  });

  it('a 401 that says its token expired asks for a refresh in every dialect', () => {
    const bodies = [
      JSON.stringify({ error: 'Token has expired' }),
      JSON.stringify({ Message: 'Expired Token' }),
      JSON.stringify({ error: { status: 401, code: 'unauthenticated', message: 'The access token expired.' } }),
      JSON.stringify({ code: 4011, message: 'whatever it says next year' }),
    ];
    for (const body of bodies) {
      expect(classify({ status: 401, headers: {}, body }), body).toMatchObject({ kind: 'token_expired', retryable: true });
    }
  });

  it('statuses that are not errors, or not HTTP, are unknown and not retried', () => {
    for (const status of [200, 204, 302, 0, 99, 600, 999, -1, 1e12]) {
      const e = classify({ status, headers: {}, body: '' });
      expect(e, String(status)).toMatchObject({ kind: 'unknown', retryable: false, scope: 'item', status });
    }
    for (const status of [Number.NaN, Infinity, 400.5]) {
      expect(classify({ status, headers: {}, body: '' })).toMatchObject({ kind: 'unknown', status: 0 });
    }
  });
});

describe('documented wording is recognised in every dialect’s envelope, within its statuses', () => {
  it.each([
    [400, { error: 'Challenge question expired. Please try again.' }, 'challenge_expired'],
    [400, { Message: 'The credential GUIDs submitted are no longer valid. Check the institution required credentials endpoint.' }, 'credentials_stale'],
    [400, { error: { status: 400, code: 'bad_request', message: 'You cannot aggregate a manual member.' } }, 'not_aggregatable'],
    [400, { code: null, message: 'Invalid format for external member guid' }, 'invalid_external_id'],
    [500, { code: null, message: 'Member not found.' }, 'not_found'],
    [400, { Message: 'User already exists with guid USR-9' }, 'duplicate'],
    [404, { error: { status: 404, code: 'route_not_found', message: 'No route matches this path.' } }, 'misconfigured'],
  ] as const)('%i %j → %s', (status, body, kind) => {
    expect(classify({ status, headers: {}, body: JSON.stringify(body) }).kind).toBe(kind);
  });

  it('wording documented for one status does not move another', () => {
    // "Invalid API token." is an auth failure on a 401, but a 404 still says the record is missing.
    expect(classify({ status: 404, headers: {}, body: JSON.stringify({ code: null, message: 'Invalid API token.' }) }).kind).toBe('not_found');
    expect(classify({ status: 404, headers: {}, body: JSON.stringify({ Message: 'Missing Required Fields' }) }).kind).toBe('not_found');
    expect(classify({ status: 413, headers: {}, body: '' }).kind).toBe('validation');
  });
});
