import { describe, expect, it } from 'vitest';
import { classify, type ApiErrorKind, type Dialect } from '../../src/errors/index.js';
import { seedText } from './seeds.js';

type Seed = '000' | '001' | '002' | '003' | '004';

interface Row {
  seed: Seed;
  /** Words of the seed document this case stands for; the test checks they are there. */
  quote: string;
  status: number;
  body: string;
  headers?: Record<string, string>;
  kind: ApiErrorKind;
  /** The dialect `auto` must recognise (`http` when there is no body to recognise). */
  dialect: Dialect | 'http';
  /** Other fields the error must carry. */
  expect?: Record<string, unknown>;
}

/**
 * The taxonomy table, restated here so the classifier's own table is not its own judge.
 * `unreadable_row` is made by the runtime for a stored row, never by the classifier.
 */
const TABLE: Record<Exclude<ApiErrorKind, 'unknown' | 'unreadable_row'>, { retryable: boolean; scope: 'item' | 'job' }> = {
  duplicate: { retryable: false, scope: 'item' },
  not_found: { retryable: false, scope: 'item' },
  invalid_external_id: { retryable: false, scope: 'item' },
  validation: { retryable: false, scope: 'item' },
  token_expired: { retryable: true, scope: 'job' },
  unauthorized: { retryable: false, scope: 'job' },
  forbidden: { retryable: false, scope: 'job' },
  rate_limited: { retryable: true, scope: 'job' },
  unavailable: { retryable: true, scope: 'job' },
  server_error: { retryable: true, scope: 'item' },
  misconfigured: { retryable: false, scope: 'job' },
  conflict: { retryable: false, scope: 'item' },
  challenge_expired: { retryable: false, scope: 'item' },
  credentials_stale: { retryable: false, scope: 'item' },
  not_aggregatable: { retryable: false, scope: 'item' },
};

const USER_GUID = 'USR-fbb44ff0-38a5-4f4d-b4e5-2f1f8dc2d3b0';
const MEMBER_GUID = 'MBR-7c6f361b-e582-15b6-60c0-358f12466b4b';

// The MX user/member messages, placeholders as the documents print them.
const MX_SSO_MESSAGES: ReadonlyArray<{ text: string; status: number; kind: ApiErrorKind; expect?: Record<string, unknown> }> = [
  { text: 'User with guid {GUID} not found.', status: 400, kind: 'not_found', expect: { resource: 'user' } },
  { text: 'Invalid format for external user guid.', status: 400, kind: 'invalid_external_id' },
  { text: 'User already exists with guid {GUID}', status: 400, kind: 'duplicate', expect: { guid: USER_GUID } },
  { text: 'Create user failed: Client must be associated.', status: 500, kind: 'misconfigured' },
  { text: 'Failed to delete user: {SYSTEM_MESSAGE}', status: 500, kind: 'server_error' },
  { text: 'Failed to delete user: {SYSTEM_MESSAGE}', status: 400, kind: 'server_error' },
  { text: 'Member not found.', status: 500, kind: 'not_found', expect: { resource: 'member' } },
  { text: 'Invalid format for external member guid', status: 400, kind: 'invalid_external_id' },
  { text: 'Member already exists with guid {GUID}', status: 400, kind: 'duplicate', expect: { guid: MEMBER_GUID } },
  { text: 'Member with guid {GUID} not found', status: 400, kind: 'not_found', expect: { resource: 'member' } },
  { text: 'Failed to delete member: {SYSTEM_MESSAGE}', status: 500, kind: 'server_error' },
  { text: 'Failed to delete member: {SYSTEM_MESSAGE}', status: 400, kind: 'server_error' },
  { text: 'Could not find account with id {ID} and member id {ID}', status: 400, kind: 'not_found', expect: { resource: 'account' } },
  { text: 'Could not find account with id {ID} and member id {ID}', status: 404, kind: 'not_found', expect: { resource: 'account' } },
  { text: 'Service Temporarily Unavailable.', status: 503, kind: 'unavailable' },
];

function mxSsoRows(seed: '000' | '001'): Row[] {
  // 001 is the markdown rendering: placeholders in backticks.
  const quoted = (text: string) => (seed === '001' ? text.replace(/\{[A-Z_]+\}/g, (p) => `\`${p}\``) : text);
  const bare = [
    { quote: '404 HTTP Status Response', status: 404, kind: 'misconfigured' as const },
    { quote: '502 HTTP Status Response', status: 502, kind: 'unavailable' as const },
    { quote: '503 HTTP Status Response', status: 503, kind: 'unavailable' as const },
  ].map((r): Row => ({ seed, ...r, body: '', dialect: 'http' }));
  const messages = MX_SSO_MESSAGES.map((m): Row => {
    const guid = m.text.startsWith('User') ? USER_GUID : MEMBER_GUID;
    const filled = m.text
      .replace('{GUID}', guid)
      .replace('{SYSTEM_MESSAGE}', 'deadlock detected')
      .replace('{ID}', 'ACT-123')
      .replace('{ID}', MEMBER_GUID);
    return {
      seed,
      quote: quoted(m.text),
      status: m.status,
      body: JSON.stringify({ error: filled }),
      kind: m.kind,
      dialect: 'mx-sso',
      ...(m.expect ? { expect: m.expect } : {}),
    };
  });
  return [...bare, ...messages];
}

const mcc = (quote: string, status: number, kind: ApiErrorKind, body?: object | string): Row => ({
  seed: '002',
  quote,
  status,
  body: typeof body === 'string' ? body : JSON.stringify(body ?? { Message: quote }),
  kind,
  dialect: 'mcc',
});

const MCC_ROWS: Row[] = [
  mcc('Cannot update or retrieve information of a deleted customer.', 400, 'misconfigured'),
  mcc('Invalid Customer ID Value', 400, 'misconfigured'),
  mcc('Invalid ID Value', 400, 'misconfigured', { message: 'Invalid ID Value' }),
  mcc('Invalid Request/Response Type', 400, 'misconfigured'),
  mcc('Invalid Request URL/Parameter', 400, 'validation'),
  mcc('Missing Required Fields', 400, 'validation', '<Error><Message>Missing Required Fields</Message></Error>'),
  mcc('Missing/Invalid Token', 401, 'unauthorized'),
  mcc('Insufficient Permissions', 401, 'forbidden'),
  mcc('Expired Token', 401, 'token_expired'),
  mcc('Invalid user', 403, 'unauthorized'),
  mcc('Access Denied', 403, 'unauthorized', { message: 'Access Denied' }),
  mcc('Insufficient Access Rights', 403, 'forbidden'),
  mcc('Invalid Case', 403, 'misconfigured'),
  mcc('Endpoint not found', 404, 'misconfigured'),
  mcc('Invalid Request', 405, 'misconfigured'),
  {
    ...mcc('invalid_request', 409, 'duplicate', { Code: 'invalid_request', Message: 'Resource already exists.' }),
    expect: { code: 'invalid_request' },
  },
  mcc('Method Error', 500, 'server_error'),
];

const mgx = (code: string, status: number, kind: ApiErrorKind, extra: Partial<Row> = {}): Row => ({
  seed: '003',
  quote: code,
  status,
  body: JSON.stringify({ error: { status, code, message: `Documented ${code}.` } }),
  kind,
  dialect: 'mgx',
  expect: { code },
  ...extra,
});

const MGX_ROWS: Row[] = [
  { ...mgx('unauthenticated', 401, 'unauthorized'), quote: 'Unauthorized — the token is missing, malformed, or expired.' },
  mgx('insufficient_scope', 403, 'forbidden'),
  mgx('not_api_client', 403, 'forbidden'),
  mgx('no_team', 403, 'forbidden'),
  mgx('payment_required', 403, 'forbidden'),
  mgx('not_elevator', 403, 'forbidden'),
  mgx('not_found', 404, 'not_found'),
  mgx('active_bid_exists', 409, 'duplicate'),
  mgx('idempotency_key_reuse', 409, 'conflict'),
  {
    ...mgx('validation_error', 422, 'validation'),
    body: JSON.stringify({
      error: {
        status: 422,
        code: 'validation_error',
        message: 'The given data was invalid.',
        errors: [{ field: 'quantity_mt', message: 'Quantity must be greater than 0.' }],
      },
    }),
    expect: { code: 'validation_error', fields: [{ field: 'quantity_mt', message: 'Quantity must be greater than 0.' }] },
  },
  {
    ...mgx('rate_limited', 429, 'rate_limited'),
    quote: 'Honor the Retry-After header.',
    headers: { 'Retry-After': '7' },
    expect: { retryAfterMs: 7000 },
  },
];

const nexus = (code: number | null, status: number, quote: string, kind: ApiErrorKind, expect?: Record<string, unknown>): Row => ({
  seed: '004',
  quote,
  status,
  // Half the rows in the other documented shape, `{"error": {"code", "message"}}`.
  body: JSON.stringify(status % 2 === 0 ? { code, message: quote } : { error: { code, message: quote } }),
  kind,
  dialect: 'nexus',
  ...(expect ? { expect } : code === null ? {} : { expect: { code: String(code) } }),
});

const NEXUS_ROWS: Row[] = [
  nexus(4001, 400, 'Required params missing.', 'validation'),
  nexus(4002, 400, 'One or more parameters were not permitted.', 'validation'),
  nexus(4003, 400, 'Cannot create/update goal. Monthly Contribution from the MonthlyCashFlowProfile must be greater than 0.', 'validation'),
  nexus(null, 400, 'The date range provided was invalid.', 'validation'),
  nexus(null, 400, 'Monthly Cash Flow Profile is invalid.', 'validation'),
  nexus(null, 400, 'A submitted parameter field is invalid.', 'validation'),
  nexus(null, 400, 'You cannot aggregate a manual member.', 'not_aggregatable'),
  nexus(null, 400, 'Account guid is not valid.', 'validation'),
  nexus(4011, 401, 'The session token used in this request has expired.', 'token_expired'),
  nexus(null, 401, 'Invalid API token.', 'unauthorized'),
  nexus(null, 403, 'Operation is forbidden.', 'forbidden'),
  nexus(null, 404, 'We were unable to find the record you requested.', 'not_found', { resource: 'record' }),
  nexus(null, 405, 'Method not allowed.', 'misconfigured'),
  nexus(null, 406, 'The request cannot be accepted. A required header may be missing or invalid.', 'misconfigured'),
  nexus(4220, 422, 'Record could not be saved. See note below.', 'duplicate'),
  nexus(4220, 422, 'The duplicate member is not allowed.', 'duplicate'),
  nexus(4220, 422, 'value already exists in a member belonging to a user in the same client.', 'duplicate'),
  nexus(4221, 422, 'no category contained the minimum required number of transactions.', 'not_aggregatable'),
  nexus(null, 422, 'Record could not be saved. One or more parameters is invalid.', 'validation'),
  { ...nexus(null, 429, 'Too Many Requests', 'rate_limited'), body: '', dialect: 'http' },
  nexus(null, 500, 'An unknown error has occurred.', 'server_error'),
  nexus(null, 404, 'Challenge question expired. Please try again.', 'challenge_expired'),
  nexus(
    null,
    400,
    'The credential GUIDs submitted are no longer valid. Check the institution required credentials endpoint for the most recent credentials.',
    'credentials_stale',
  ),
];

const ROWS: Row[] = [...mxSsoRows('000'), ...mxSsoRows('001'), ...MCC_ROWS, ...MGX_ROWS, ...NEXUS_ROWS];

describe(`every documented error in the seed documents ($MX_SPEC_DIR/seeds) lands on its kind (${ROWS.length} cases)`, () => {
  it.each(ROWS.map((row) => ({ ...row, name: `${row.quote.slice(0, 60)}` })))(
    '$seed · $status $name → $kind',
    (row) => {
      const { file, text } = seedText(row.seed);
      expect(text, `the case must be documented in ${file}`).toContain(row.quote);

      const outcome = { status: row.status, headers: row.headers ?? {}, body: row.body };
      const auto = classify(outcome);
      expect(auto).toMatchObject({ kind: row.kind, status: row.status, dialect: row.dialect, ...TABLE[row.kind as keyof typeof TABLE] });
      if (row.expect) expect(auto).toMatchObject(row.expect);

      // Naming the dialect outright must not change the answer.
      const named = classify(outcome, { dialect: row.dialect === 'http' ? dialectOfSeed(row.seed) : row.dialect });
      expect(named.kind).toBe(row.kind);
    },
  );

  it('draws cases from all five seed documents, and every kind the documents name', () => {
    expect([...new Set(ROWS.map((r) => r.seed))].toSorted()).toEqual(['000', '001', '002', '003', '004']);
    expect(new Set(ROWS.map((r) => r.kind))).toEqual(new Set(Object.keys(TABLE)));
    expect(ROWS.length).toBeGreaterThan(60);
  });
});

function dialectOfSeed(seed: Seed): Dialect {
  return ({ '000': 'mx-sso', '001': 'mx-sso', '002': 'mcc', '003': 'mgx', '004': 'nexus' } as const)[seed];
}
