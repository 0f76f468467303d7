/**
 * Every status row of MX Platform's errors page, classified with the `platform` dialect.
 *
 * Source: "Errors", docs.mx.com/api-reference/platform-api/overview/errors (v20250224) and
 * docs.mx.com/api-reference/platform-api/v20111101/overview/errors (the same table). Bodies follow
 * MX Platform's `{"error": {"message": "…"}}`; the wording is ours (only "already exists" and
 * "running" are relied on), since the page documents statuses, not messages.
 */
import { describe, expect, it } from 'vitest';
import { classify, type ApiErrorKind, type ErrorScope } from '../../src/errors/index.js';

interface Row {
  /** The page's explanation, shortened. */
  row: string;
  status: number;
  method: string;
  path: string;
  /** `null`: no body at all. */
  message: string | null;
  kind: ApiErrorKind;
  retryable: boolean;
  scope: ErrorScope;
  guid?: string;
  /** Words the error's message must hold for a person to act on it. */
  says?: RegExp;
}

const MEMBER = '/users/USR-1/members/MBR-1';
const ROWS: readonly Row[] = [
  { row: '202 (2): a job of the same type is already running', status: 202, method: 'POST', path: `${MEMBER}/aggregate`, message: null, kind: 'conflict', retryable: true, scope: 'item', says: /already running/ },
  { row: '202 (3): within the minimum time between standard aggregations', status: 202, method: 'POST', path: `${MEMBER}/aggregate`, message: null, kind: 'conflict', retryable: true, scope: 'item', says: /minimum interval/ },
  { row: '400 (1): a required parameter was missing', status: 400, method: 'POST', path: '/users', message: 'A required parameter is missing: user.', kind: 'validation', retryable: false, scope: 'item' },
  { row: '400 (2): a premium job the institution does not support', status: 400, method: 'POST', path: `${MEMBER}/verify`, message: 'This institution does not support this job.', kind: 'validation', retryable: false, scope: 'item' },
  { row: '401: invalid MX-API-Key or MX-Client-ID', status: 401, method: 'GET', path: '/users', message: 'Unauthorized.', kind: 'unauthorized', retryable: false, scope: 'job' },
  { row: '403: non-whitelisted address or feature not available', status: 403, method: 'GET', path: '/users', message: 'Forbidden.', kind: 'forbidden', retryable: false, scope: 'job' },
  { row: '404: invalid item/id (an error body: the record)', status: 404, method: 'GET', path: '/users/cust-9', message: 'We were unable to find the record you requested.', kind: 'not_found', retryable: false, scope: 'item' },
  { row: '404: invalid URL (no body at all)', status: 404, method: 'GET', path: '/users', message: null, kind: 'misconfigured', retryable: false, scope: 'job', says: /base URL's path "\/v1"/ },
  { row: '405: a constraint on the endpoint was not met (resume, not CHALLENGED)', status: 405, method: 'PUT', path: `${MEMBER}/resume`, message: 'Member is not challenged.', kind: 'conflict', retryable: false, scope: 'item', says: /read the member again/ },
  { row: '406: no valid API version', status: 406, method: 'GET', path: '/users', message: 'Accept-Version must be one of v20250224, v20111101.', kind: 'misconfigured', retryable: false, scope: 'job', says: /--api-version/ },
  { row: '409 (1): a user with the given attributes already exists', status: 409, method: 'POST', path: '/users', message: 'A user with this id already exists: USR-7.', kind: 'duplicate', retryable: false, scope: 'item', guid: 'USR-7' },
  { row: '409 (1): a member already exists, no guid named', status: 409, method: 'POST', path: '/users/USR-1/members', message: 'Member already exists.', kind: 'duplicate', retryable: false, scope: 'item' },
  { row: '409 (1): the endpoint decides even when the words differ', status: 409, method: 'POST', path: '/users', message: 'Conflict.', kind: 'duplicate', retryable: false, scope: 'item' },
  { row: '409 (2): another type of job is running on the member', status: 409, method: 'POST', path: `${MEMBER}/aggregate`, message: 'Another job of a different type is running.', kind: 'conflict', retryable: true, scope: 'item', says: /another type/ },
  { row: '409 (2): on a resume too', status: 409, method: 'PUT', path: `${MEMBER}/resume`, message: 'A job is running.', kind: 'conflict', retryable: true, scope: 'item' },
  { row: '422: the data cannot be processed', status: 422, method: 'POST', path: '/users/USR-1/members', message: 'The data cannot be processed.', kind: 'validation', retryable: false, scope: 'item' },
  { row: '429: over the concurrent connections or the rate', status: 429, method: 'GET', path: '/users', message: 'Too many requests.', kind: 'rate_limited', retryable: true, scope: 'job' },
  { row: '500: something went wrong with MX', status: 500, method: 'GET', path: '/users', message: 'An unknown error has occurred.', kind: 'server_error', retryable: true, scope: 'item' },
  { row: '502: server error', status: 502, method: 'GET', path: '/users', message: null, kind: 'unavailable', retryable: true, scope: 'job' },
  { row: '503: the MX Platform is being updated', status: 503, method: 'GET', path: '/users', message: 'The MX Platform is being updated.', kind: 'unavailable', retryable: true, scope: 'job' },
  { row: '504: server error', status: 504, method: 'GET', path: '/users', message: null, kind: 'unavailable', retryable: true, scope: 'job' },
];

const VERSIONS = ['v20250224', 'v20111101'] as const;

describe("MX Platform's errors page, row by row, with the platform dialect", () => {
  for (const version of VERSIONS) {
    it.each(ROWS)(`${version}: $row → $kind`, (r) => {
      const body = r.message === null ? '' : JSON.stringify({ error: { message: r.message } });
      const e = classify(
        { status: r.status, headers: { 'content-type': 'application/json', 'accept-version': version }, body },
        { dialect: 'platform', request: { method: r.method, path: r.path, baseUrl: 'https://int-api.mx.com/v1' } },
      );
      expect({ kind: e.kind, retryable: e.retryable, scope: e.scope, dialect: e.dialect }).toEqual({
        kind: r.kind, retryable: r.retryable, scope: r.scope, dialect: 'platform',
      });
      if (r.guid !== undefined) expect(e).toMatchObject({ guid: r.guid });
      if (r.says) expect(e.message).toMatch(r.says);
    });
  }

  it('says "ask MX support" nowhere: a bare 404 names the URL to fix', () => {
    const e = classify({ status: 404, headers: {}, body: '' }, { dialect: 'platform', request: { method: 'POST', path: '/users', baseUrl: 'http://127.0.0.1:9/api' } });
    expect(e.message).toBe(
      'POST /users got a 404 with no body: MX has no such URL. Check the base URL\'s path "/api" (MX serves the Platform API at the root of its host, e.g. https://int-api.mx.com).',
    );
    expect(e.message).not.toMatch(/support/i);
  });

  it('keeps the body\'s own words after its hint, redacted', () => {
    const e = classify(
      { status: 406, headers: {}, body: JSON.stringify({ error: { message: 'Accept-Version missing; api_key=abc123secret' } }) },
      { dialect: 'platform', secrets: ['abc123secret'] },
    );
    expect(e.message).toContain('MX said: Accept-Version missing');
    expect(e.message).not.toContain('abc123secret');
  });
});
