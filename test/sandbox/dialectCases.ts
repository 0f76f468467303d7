/**
 * The table of every error the sandbox produces: how to trigger it over HTTP, and the status and
 * body each dialect's document gives for it (seeds 000/001 mx-sso, 002 mcc, 003 mgx, 004 nexus).
 */
import type { Dialect } from '../../src/errors/types.js';
import type { Sandbox } from '../../src/sandbox/index.js';
import type { SandboxErrorCase } from '../../src/sandbox/renderError.js';
import { Api, MX_ACCEPT, request, type Reply } from './helpers.js';

type Expected = [status: number, body: unknown];
const sso = (status: number, message: string | null): Expected => [status, message === null ? null : { error: message }];
const nexus = (status: number, code: number | null, message: string): Expected => [status, { code, message }];
const mgx = (status: number, code: string, message: string, errors?: unknown[]): Expected =>
  [status, { error: { status, code, message, ...(errors ? { errors } : {}) } }];
const mcc = (status: number, message: string, code?: string): Expected => [status, code ? { Code: code, Message: message } : { Message: message }];
const bare = (status: number): Expected => [status, null];

const NOT_ACCEPTABLE = 'The request cannot be accepted. A required header may be missing or invalid.';
const NEXUS_NOT_FOUND = 'We were unable to find the record you requested.';
const STALE = 'The credential GUIDs submitted are no longer valid. Check the institution required credentials endpoint for the most recent credentials.';
const CHALLENGE_EXPIRED = 'Challenge question expired. Please try again.';
const MANUAL = 'You cannot aggregate a manual member.';
const TOO_LARGE = 'The request body is larger than 1 MB.';
const VERSION = "The request didn't specify a valid API version. Send Accept-Version: v20250224 or v20111101.";
const JOB_RUNNING = 'The member already has a job of a different type running.';
const NO_OAUTH = 'Member cannot use OAuth.';
const OAUTH_CREDENTIALS = 'An OAuth member cannot be created with credentials: the end user authorizes at its oauth_window_uri.';
const field = (name: string, message: string) => ({ field: name, message });
const DUPLICATE_MEMBER = "Duplicate members aren't allowed: the user is already connected to this institution with these credentials.";
const EMPTY_BODY = "While no single parameter is required, the request body can't be empty.";

export interface Fixture {
  main: Sandbox;
  limited: Sandbox;
  faulty: Record<string, Sandbox>;
  user: string;
  manualMember: string;
  challengedMember: string;
  challengeGuid: string;
  expiredToken: string;
}

export const member = (password: string, id?: string) => ({
  member: { ...(id ? { id } : {}), institution_code: 'mxbank', credentials: [{ guid: 'CRD-username', value: 'mxuser' }, { guid: 'CRD-password', value: password }] },
});

export const CASES: Array<{ name: string; covers: SandboxErrorCase; trigger: (f: Fixture, api: Api) => Promise<Reply>; want: Record<Dialect, Expected> }> = [
  {
    name: 'unknown route',
    covers: 'route_not_found',
    trigger: (_, api) => api.call('GET', '/nope'),
    want: { 'mx-sso': bare(404), nexus: bare(404), mgx: mgx(404, 'route_not_found', 'No route matches this path.'), mcc: mcc(404, 'Endpoint not found') },
  },
  {
    name: 'wrong method',
    covers: 'method_not_allowed',
    trigger: (_, api) => api.call('PATCH', '/users'),
    want: {
      'mx-sso': sso(405, 'Method not allowed.'), nexus: nexus(405, null, 'Method not allowed.'),
      mgx: mgx(405, 'method_not_allowed', 'Method not allowed.'), mcc: mcc(405, 'Invalid Request'),
    },
  },
  {
    name: 'wrong Accept version',
    covers: 'not_acceptable',
    trigger: (_, api) => api.call('GET', '/users', undefined, { accept: 'application/vnd.mx.api.v2+json' }),
    want: { 'mx-sso': sso(406, NOT_ACCEPTABLE), nexus: nexus(406, null, NOT_ACCEPTABLE), mgx: mgx(406, 'not_acceptable', NOT_ACCEPTABLE), mcc: mcc(406, NOT_ACCEPTABLE) },
  },
  {
    // MX's errors page: 406 = "The request didn't specify a valid API version."
    name: 'unknown Accept-Version',
    covers: 'unsupported_version',
    trigger: (_, api) => api.call('GET', '/users', undefined, { 'accept-version': 'v20990101' }),
    want: {
      'mx-sso': sso(406, VERSION), nexus: nexus(406, null, VERSION), mgx: mgx(406, 'not_acceptable', VERSION), mcc: mcc(406, VERSION),
    },
  },
  {
    // MX's errors page: 409 when a member already runs an aggregation of a different type.
    name: 'verify while an aggregation runs',
    covers: 'job_running',
    trigger: async (f, api) => {
      const slow = await api.call('POST', `/users/${f.user}/members`, member('slow'));
      return api.call('POST', `/users/${f.user}/members/${slow.json.member.guid}/verify`);
    },
    want: { 'mx-sso': sso(409, JOB_RUNNING), nexus: nexus(409, null, JOB_RUNNING), mgx: mgx(409, 'job_running', JOB_RUNNING), mcc: mcc(409, JOB_RUNNING) },
  },
  {
    name: 'POST without Content-Type: application/json',
    covers: 'content_type',
    trigger: (f, api) => request(`${f.main.url}/users`, { method: 'POST', headers: { authorization: api.authorization }, body: '{}' }),
    want: { 'mx-sso': bare(404), nexus: bare(404), mgx: bare(404), mcc: bare(404) },
  },
  {
    name: 'malformed JSON',
    covers: 'malformed_json',
    trigger: (f, api) => request(`${f.main.url}/users`, { method: 'POST', headers: { authorization: api.authorization, 'content-type': 'application/json' }, body: '{"user":' }),
    want: {
      'mx-sso': sso(400, 'The request body is not valid JSON.'), nexus: nexus(400, null, 'A submitted parameter field is invalid.'),
      mgx: mgx(400, 'invalid_json', 'The request body is not valid JSON.'), mcc: mcc(400, 'Invalid Request URL/Parameter: the request body is not valid JSON.'),
    },
  },
  {
    name: 'body over 1 MB',
    covers: 'payload_too_large',
    trigger: (_, api) => api.call('POST', '/users', { user: { id: 'big', metadata: 'x'.repeat(1_050_000) } }),
    want: { 'mx-sso': sso(413, TOO_LARGE), nexus: nexus(413, null, TOO_LARGE), mgx: mgx(413, 'payload_too_large', TOO_LARGE), mcc: mcc(413, TOO_LARGE) },
  },
  {
    name: 'missing required fields',
    covers: 'missing_fields',
    trigger: (f, api) => api.call('POST', `/users/${f.user}/members`, { member: {} }),
    want: {
      'mx-sso': sso(400, 'Missing required parameters: member.institution_code, member.credentials.'),
      nexus: nexus(400, 4001, 'Required params missing.'),
      mgx: mgx(422, 'validation_error', 'The given data was invalid.', [
        field('member.institution_code', 'This field is required.'), field('member.credentials', 'This field is required.'),
      ]),
      mcc: mcc(400, 'Missing Required Fields: member.institution_code, member.credentials'),
    },
  },
  {
    name: 'a field of the wrong type',
    covers: 'invalid_field',
    trigger: (_, api) => api.call('POST', '/users', { user: { email: 5 } }),
    want: {
      'mx-sso': sso(400, 'Invalid parameter: user.email.'), nexus: nexus(400, null, 'A submitted parameter field is invalid.'),
      mgx: mgx(422, 'validation_error', 'The given data was invalid.', [field('user.email', 'This field is invalid.')]),
      mcc: mcc(400, 'Invalid Request URL/Parameter: user.email'),
    },
  },
  {
    name: 'USR- external user id',
    covers: 'invalid_external_id',
    trigger: (_, api) => api.call('POST', '/users', { user: { id: 'USR-mine' } }),
    want: {
      'mx-sso': sso(400, 'Invalid format for external user guid.'), nexus: nexus(400, null, 'Invalid format for external user guid.'),
      mgx: mgx(422, 'invalid_external_id', 'Invalid format for external user guid.', [field('user.id', 'Invalid format for external user guid.')]),
      mcc: mcc(400, 'Invalid format for external user guid.'),
    },
  },
  {
    name: 'MBR- external member id',
    covers: 'invalid_external_id',
    trigger: (f, api) => api.call('POST', `/users/${f.user}/members`, member('password', 'MBR-mine')),
    want: {
      'mx-sso': sso(400, 'Invalid format for external member guid'), nexus: nexus(400, null, 'Invalid format for external member guid'),
      mgx: mgx(422, 'invalid_external_id', 'Invalid format for external member guid', [field('member.id', 'Invalid format for external member guid')]),
      mcc: mcc(400, 'Invalid format for external member guid'),
    },
  },
  {
    name: 'unknown user',
    covers: 'user_not_found',
    trigger: (_, api) => api.call('GET', '/users/USR-missing'),
    want: {
      'mx-sso': sso(400, 'User with guid USR-missing not found.'), nexus: nexus(404, null, NEXUS_NOT_FOUND),
      mgx: mgx(404, 'not_found', 'User with guid USR-missing not found.'), mcc: mcc(404, 'User with guid USR-missing not found.'),
    },
  },
  {
    name: 'unknown member on read',
    covers: 'member_not_found',
    trigger: (f, api) => api.call('GET', `/users/${f.user}/members/MBR-missing`),
    want: { 'mx-sso': sso(500, 'Member not found.'), nexus: nexus(404, null, NEXUS_NOT_FOUND), mgx: mgx(404, 'not_found', 'Member not found.'), mcc: mcc(404, 'Member not found.') },
  },
  {
    name: 'unknown member on delete',
    covers: 'member_not_found_on_delete',
    trigger: (f, api) => api.call('DELETE', `/users/${f.user}/members/MBR-missing`),
    want: {
      'mx-sso': sso(400, 'Member with guid MBR-missing not found'), nexus: nexus(404, null, NEXUS_NOT_FOUND),
      mgx: mgx(404, 'not_found', 'Member with guid MBR-missing not found'), mcc: mcc(404, 'Member with guid MBR-missing not found'),
    },
  },
  {
    name: 'duplicate user',
    covers: 'duplicate',
    trigger: (_, api) => api.call('POST', '/users', { user: { id: 'dup-user' } }),
    want: {
      'mx-sso': sso(400, 'User already exists with guid dup-user'), nexus: nexus(422, 4220, 'Record could not be saved.'),
      mgx: mgx(409, 'active_bid_exists', 'User already exists with guid dup-user'), mcc: mcc(409, 'User already exists with guid dup-user', 'invalid_request'),
    },
  },
  {
    name: 'duplicate member',
    covers: 'duplicate',
    trigger: (f, api) => api.call('POST', `/users/${f.user}/members`, member('password', 'dup-member')),
    want: {
      'mx-sso': sso(400, 'Member already exists with guid dup-member'), nexus: nexus(422, 4220, 'Record could not be saved.'),
      mgx: mgx(409, 'active_bid_exists', 'Member already exists with guid dup-member'), mcc: mcc(409, 'Member already exists with guid dup-member', 'invalid_request'),
    },
  },
  {
    // MX's members page: "Duplicate members aren't allowed"; the nexus document's 422 4220 names this case.
    name: 'second member with the same credentials',
    covers: 'duplicate_member',
    trigger: (f, api) => api.call('POST', `/users/${f.user}/members`, member('password')),
    want: {
      'mx-sso': sso(409, DUPLICATE_MEMBER), nexus: nexus(422, 4220, 'Record could not be saved.'),
      mgx: mgx(409, 'active_bid_exists', DUPLICATE_MEMBER), mcc: mcc(409, DUPLICATE_MEMBER, 'invalid_request'),
    },
  },
  {
    // The spec's update member: "the request body can't be empty".
    name: 'update member with an empty member',
    covers: 'empty_body',
    trigger: (f, api) => api.call('PUT', `/users/${f.user}/members/${f.manualMember}`, { member: {} }),
    want: {
      'mx-sso': sso(400, EMPTY_BODY), nexus: nexus(400, null, EMPTY_BODY),
      mgx: mgx(422, 'validation_error', 'The given data was invalid.', [field('member', 'This field must not be empty.')]),
      mcc: mcc(400, EMPTY_BODY),
    },
  },
  {
    name: 'client not associated',
    covers: 'client_not_associated',
    trigger: async (f) => (await Api.connect(f.main, 'lonely', 'lonely-key')).call('POST', '/users', { user: { id: 'lonely-1' } }),
    want: {
      'mx-sso': sso(500, 'Create user failed: Client must be associated.'), nexus: nexus(403, null, 'Operation is forbidden.'),
      mgx: mgx(403, 'not_api_client', 'The token is valid but not from a registered Enterprise API client.'), mcc: mcc(403, 'Insufficient Access Rights'),
    },
  },
  {
    name: 'unknown institution (credentials)',
    covers: 'institution_not_found',
    trigger: (_, api) => api.call('GET', '/institutions/nobank/credentials'),
    want: { 'mx-sso': bare(404), nexus: nexus(404, null, NEXUS_NOT_FOUND), mgx: mgx(404, 'not_found', 'Institution not found.'), mcc: mcc(404, 'Institution not found.') },
  },
  {
    name: 'unknown institution (member create)',
    covers: 'institution_not_found',
    trigger: (f, api) => api.call('POST', `/users/${f.user}/members`, { member: { institution_code: 'nobank', credentials: [] } }),
    want: {
      'mx-sso': bare(404), nexus: nexus(422, 4220, 'Record could not be saved.'),
      mgx: mgx(422, 'validation_error', 'The given data was invalid.', [field('member.institution_code', 'Institution not found.')]),
      mcc: mcc(404, 'Institution not found.'),
    },
  },
  {
    name: 'stale credential guids',
    covers: 'credentials_stale',
    trigger: (f, api) => api.call('POST', `/users/${f.user}/members`, { member: { institution_code: 'mxbank', credentials: [{ guid: 'CRD-old', value: 'x' }] } }),
    want: { 'mx-sso': sso(400, STALE), nexus: nexus(400, null, STALE), mgx: mgx(400, 'credentials_stale', STALE), mcc: mcc(400, STALE) },
  },
  {
    name: 'an OAuth member at an institution without OAuth',
    covers: 'oauth_not_supported',
    trigger: (f, api) => api.call('POST', `/users/${f.user}/members`, { member: { ...member('password').member, is_oauth: true } }),
    want: { 'mx-sso': sso(400, NO_OAUTH), nexus: nexus(400, null, NO_OAUTH), mgx: mgx(400, 'oauth_not_supported', NO_OAUTH), mcc: mcc(400, NO_OAUTH) },
  },
  {
    name: 'an OAuth member with credentials',
    covers: 'oauth_credentials',
    trigger: (f, api) => api.call('POST', `/users/${f.user}/members`, { member: { ...member('password').member, institution_code: 'oauthbank', is_oauth: true } }),
    want: {
      'mx-sso': sso(400, OAUTH_CREDENTIALS), nexus: nexus(400, null, OAUTH_CREDENTIALS),
      mgx: mgx(400, 'oauth_credentials', OAUTH_CREDENTIALS), mcc: mcc(400, OAUTH_CREDENTIALS),
    },
  },
  {
    name: 'aggregate a manual member',
    covers: 'not_aggregatable',
    trigger: (f, api) => api.call('POST', `/users/${f.user}/members/${f.manualMember}/aggregate`),
    want: { 'mx-sso': sso(400, MANUAL), nexus: nexus(400, null, MANUAL), mgx: mgx(400, 'not_aggregatable', MANUAL), mcc: mcc(400, MANUAL) },
  },
  {
    name: 'answer an expired challenge',
    covers: 'challenge_expired',
    trigger: (f, api) => api.call('PUT', `/users/${f.user}/members/${f.challengedMember}/resume`, { member: { challenges: [{ guid: f.challengeGuid, value: 'correct' }] } }),
    want: { 'mx-sso': sso(400, CHALLENGE_EXPIRED), nexus: nexus(404, null, CHALLENGE_EXPIRED), mgx: mgx(404, 'challenge_expired', CHALLENGE_EXPIRED), mcc: mcc(404, CHALLENGE_EXPIRED) },
  },
  {
    name: 'invalid token',
    covers: 'unauthorized',
    trigger: (f) => request(`${f.main.url}/users`, { headers: { authorization: 'Bearer forged', accept: MX_ACCEPT } }),
    want: {
      'mx-sso': sso(401, 'Unauthorized: the client id, API key or token is not valid.'), nexus: nexus(401, null, 'Invalid API token.'),
      mgx: mgx(401, 'invalid_token', 'The token is missing or malformed.'), mcc: mcc(401, 'Missing/Invalid Token'),
    },
  },
  {
    name: 'expired token',
    covers: 'token_expired',
    trigger: (f) => request(`${f.main.url}/users`, { headers: { authorization: `Bearer ${f.expiredToken}`, accept: MX_ACCEPT } }),
    want: {
      'mx-sso': sso(401, 'The access token has expired.'), nexus: nexus(401, 4011, 'The session token used in this request has expired.'),
      mgx: mgx(401, 'token_expired', 'The token has expired.'), mcc: mcc(401, 'Expired Token'),
    },
  },
  {
    name: 'over the rate limit',
    covers: 'rate_limited',
    trigger: async (f) => {
      const api = await Api.connect(f.limited);
      await api.call('GET', '/users');
      return api.call('GET', '/users');
    },
    want: {
      'mx-sso': sso(429, 'Too many requests.'), nexus: nexus(429, null, 'Too Many Requests'),
      mgx: mgx(429, 'rate_limited', 'Rate limited. Honor the Retry-After header.'), mcc: mcc(429, 'Too Many Requests'),
    },
  },
  ...(['bad_gateway', 'maintenance', 'server_error'] as const).map((kind) => ({
    name: `fault ${kind}`,
    covers: kind,
    trigger: async (f: Fixture) => (await Api.connect(f.faulty[kind] as Sandbox)).call('GET', '/users'),
    want: {
      bad_gateway: { 'mx-sso': bare(502), nexus: bare(502), mgx: bare(502), mcc: bare(502) },
      maintenance: {
        'mx-sso': sso(503, 'Service Temporarily Unavailable.'), nexus: nexus(503, null, 'Service Temporarily Unavailable.'),
        mgx: mgx(503, 'service_unavailable', 'Service Temporarily Unavailable.'), mcc: mcc(503, 'Service Temporarily Unavailable.'),
      },
      server_error: {
        'mx-sso': sso(500, 'An unknown error has occurred.'), nexus: nexus(500, null, 'An unknown error has occurred.'),
        mgx: mgx(500, 'internal_error', 'An unknown error has occurred.'), mcc: mcc(500, 'Method Error'),
      },
    }[kind],
  })),
  {
    name: 'fault delete_failed',
    covers: 'delete_failed',
    trigger: async (f) => {
      const api = await Api.connect(f.faulty.delete_failed as Sandbox);
      return api.call('DELETE', `/users/${await api.createUser('undeletable')}`);
    },
    want: {
      'mx-sso': sso(500, 'Failed to delete user: The record is locked by another process.'),
      nexus: nexus(500, null, 'Failed to delete user: The record is locked by another process.'),
      mgx: mgx(500, 'internal_error', 'Failed to delete user: The record is locked by another process.'),
      mcc: mcc(500, 'Failed to delete user: The record is locked by another process.'),
    },
  },
];
