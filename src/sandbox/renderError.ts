/**
 * Every error the sandbox produces, and how each documented dialect renders it: the status,
 * machine code and text from the error documents where they name one, and the dialect's envelope
 * around the MX text where they do not.
 */
import type { SandboxDialect } from './options.js';
import { API_VERSIONS } from './versions.js';

export type Resource = 'user' | 'member';

export type SandboxError =
  | { case: 'route_not_found' }
  | { case: 'method_not_allowed'; allow: string }
  | { case: 'not_acceptable' }
  | { case: 'unsupported_version' }
  | { case: 'content_type' }
  | { case: 'malformed_json' }
  | { case: 'payload_too_large' }
  | { case: 'missing_fields'; fields: string[] }
  | { case: 'invalid_field'; field: string }
  | { case: 'invalid_external_id'; resource: Resource }
  | { case: 'user_not_found'; guid: string }
  | { case: 'member_not_found' }
  | { case: 'member_not_found_on_delete'; guid: string }
  /** `guid` is the existing record's, which MX Platform's message names. */
  | { case: 'duplicate'; resource: Resource; id: string; guid: string }
  /** A user's second member at one institution with the same credentials; `guid` is the first one's. */
  | { case: 'duplicate_member'; guid: string }
  | { case: 'empty_body'; root: string }
  | { case: 'client_not_associated' }
  | { case: 'institution_not_found'; onCreate: boolean }
  | { case: 'credentials_stale' }
  /** An OAuth request for a member or institution that does not support OAuth. */
  | { case: 'oauth_not_supported' }
  /** Credentials sent for an OAuth member, which takes none. */
  | { case: 'oauth_credentials' }
  | { case: 'not_aggregatable' }
  | { case: 'challenge_expired' }
  | { case: 'not_challenged' }
  | { case: 'job_running' }
  | { case: 'unauthorized' }
  | { case: 'token_expired' }
  | { case: 'rate_limited'; retryAfterSeconds: number }
  | { case: 'bad_gateway' }
  | { case: 'maintenance' }
  | { case: 'server_error' }
  | { case: 'delete_failed'; resource: Resource };

export type SandboxErrorCase = SandboxError['case'];

/** Every case, for tables that must cover them all. */
export const SANDBOX_ERROR_CASES = [
  'route_not_found', 'method_not_allowed', 'not_acceptable', 'unsupported_version', 'content_type', 'malformed_json', 'payload_too_large',
  'missing_fields', 'invalid_field', 'invalid_external_id', 'user_not_found', 'member_not_found',
  'member_not_found_on_delete', 'duplicate', 'duplicate_member', 'empty_body', 'client_not_associated', 'institution_not_found', 'credentials_stale',
  'oauth_not_supported', 'oauth_credentials',
  'not_aggregatable', 'challenge_expired', 'not_challenged', 'job_running', 'unauthorized', 'token_expired', 'rate_limited', 'bad_gateway', 'maintenance',
  'server_error', 'delete_failed',
] as const satisfies readonly SandboxErrorCase[];

// Fails to compile when a case is added to the union but not to the list.
const allListed: Exclude<SandboxErrorCase, (typeof SANDBOX_ERROR_CASES)[number]> extends never ? true : never = true;
void allListed;

export interface RenderedError {
  status: number;
  headers: Record<string, string>;
  /** `null` for the documented bodiless responses (404 and 502 in MX's own rendering). */
  body: string | null;
}

interface Parts {
  status: number;
  /** `undefined` renders no body. */
  message?: string;
  code?: string | number | null;
  fields?: { field: string; message: string }[];
}

/** The `{SYSTEM_MESSAGE}` of the documented delete failures. */
export const DELETE_SYSTEM_MESSAGE = 'The record is locked by another process.';
export const STALE_CREDENTIALS_TEXT =
  'The credential GUIDs submitted are no longer valid. Check the institution required credentials endpoint for the most recent credentials.';
const NOT_ACCEPTABLE_TEXT = 'The request cannot be accepted. A required header may be missing or invalid.';
export const UNSUPPORTED_VERSION_TEXT =
  `The request didn't specify a valid API version. Send Accept-Version: ${API_VERSIONS.join(' or ')}.`;
/** Atrium's text for an OAuth window of a member whose institution has no OAuth (docs.mx.com/api-reference/atrium/reference/members/oauth-window-uri). */
export const OAUTH_NOT_SUPPORTED_TEXT = 'Member cannot use OAuth.';
/** MX's OAuth guide: "you cannot include end-user credentials in your request body when creating an OAuth member". */
export const OAUTH_CREDENTIALS_TEXT = 'An OAuth member cannot be created with credentials: the end user authorizes at its oauth_window_uri.';
// MX's members page ("Duplicate members aren't allowed") and the spec's update member.
export const DUPLICATE_MEMBER_TEXT = "Duplicate members aren't allowed: the user is already connected to this institution with these credentials.";
export const EMPTY_BODY_TEXT = "While no single parameter is required, the request body can't be empty.";
const NOT_CHALLENGED_TEXT = 'The member is not CHALLENGED, so there is nothing to resume.';
const JOB_RUNNING_TEXT = 'The member already has a job of a different type running.';
const NEXUS_NOT_FOUND = 'We were unable to find the record you requested.';
const UNKNOWN_TEXT = 'An unknown error has occurred.';
const MAINTENANCE_TEXT = 'Service Temporarily Unavailable.';

function mxSso(e: SandboxError): Parts {
  switch (e.case) {
    case 'route_not_found': case 'content_type': case 'institution_not_found': return { status: 404 };
    case 'method_not_allowed': return { status: 405, message: 'Method not allowed.' };
    case 'not_acceptable': return { status: 406, message: NOT_ACCEPTABLE_TEXT };
    case 'unsupported_version': return { status: 406, message: UNSUPPORTED_VERSION_TEXT };
    case 'not_challenged': return { status: 400, message: NOT_CHALLENGED_TEXT };
    case 'job_running': return { status: 409, message: JOB_RUNNING_TEXT };
    case 'malformed_json': return { status: 400, message: 'The request body is not valid JSON.' };
    case 'payload_too_large': return { status: 413, message: 'The request body is larger than 1 MB.' };
    case 'missing_fields': return { status: 400, message: `Missing required parameters: ${e.fields.join(', ')}.` };
    case 'invalid_field': return { status: 400, message: `Invalid parameter: ${e.field}.` };
    case 'invalid_external_id':
      return { status: 400, message: e.resource === 'user' ? 'Invalid format for external user guid.' : 'Invalid format for external member guid' };
    case 'user_not_found': return { status: 400, message: `User with guid ${e.guid} not found.` };
    case 'member_not_found': return { status: 500, message: 'Member not found.' };
    case 'member_not_found_on_delete': return { status: 400, message: `Member with guid ${e.guid} not found` };
    case 'duplicate': return { status: 400, message: `${e.resource === 'user' ? 'User' : 'Member'} already exists with guid ${e.id}` };
    case 'duplicate_member': return { status: 409, message: DUPLICATE_MEMBER_TEXT };
    case 'empty_body': return { status: 400, message: EMPTY_BODY_TEXT };
    case 'client_not_associated': return { status: 500, message: 'Create user failed: Client must be associated.' };
    case 'credentials_stale': return { status: 400, message: STALE_CREDENTIALS_TEXT };
    case 'oauth_not_supported': return { status: 400, message: OAUTH_NOT_SUPPORTED_TEXT };
    case 'oauth_credentials': return { status: 400, message: OAUTH_CREDENTIALS_TEXT };
    case 'not_aggregatable': return { status: 400, message: 'You cannot aggregate a manual member.' };
    case 'challenge_expired': return { status: 400, message: 'Challenge question expired. Please try again.' };
    case 'unauthorized': return { status: 401, message: 'Unauthorized: the client id, API key or token is not valid.' };
    case 'token_expired': return { status: 401, message: 'The access token has expired.' };
    case 'rate_limited': return { status: 429, message: 'Too many requests.' };
    case 'bad_gateway': return { status: 502 };
    case 'maintenance': return { status: 503, message: MAINTENANCE_TEXT };
    case 'server_error': return { status: 500, message: UNKNOWN_TEXT };
    case 'delete_failed': return { status: 500, message: `Failed to delete ${e.resource}: ${DELETE_SYSTEM_MESSAGE}` };
  }
}

function nexus(e: SandboxError): Parts {
  switch (e.case) {
    // An unknown path never reaches Nexus's record lookup: the gateway answers a bare 404.
    case 'route_not_found': return { status: 404 };
    case 'user_not_found': case 'member_not_found': case 'member_not_found_on_delete':
      return { status: 404, code: null, message: NEXUS_NOT_FOUND };
    case 'client_not_associated': return { status: 403, code: null, message: 'Operation is forbidden.' };
    case 'institution_not_found':
      return e.onCreate ? { status: 422, code: 4220, message: 'Record could not be saved.' } : { status: 404, code: null, message: NEXUS_NOT_FOUND };
    case 'method_not_allowed': return { status: 405, code: null, message: 'Method not allowed.' };
    case 'not_acceptable': return { status: 406, code: null, message: NOT_ACCEPTABLE_TEXT };
    case 'missing_fields': return { status: 400, code: 4001, message: 'Required params missing.' };
    case 'malformed_json': case 'invalid_field': return { status: 400, code: null, message: 'A submitted parameter field is invalid.' };
    // Its document: a 422 4220 when "the user already has a member connecting it to the same institution, using the same login credential".
    case 'duplicate': case 'duplicate_member': return { status: 422, code: 4220, message: 'Record could not be saved.' };
    case 'challenge_expired': return { status: 404, code: null, message: 'Challenge question expired. Please try again.' };
    case 'unauthorized': return { status: 401, code: null, message: 'Invalid API token.' };
    case 'token_expired': return { status: 401, code: 4011, message: 'The session token used in this request has expired.' };
    case 'rate_limited': return { status: 429, code: null, message: 'Too Many Requests' };
    default: return { ...mxSso(e), code: null };
  }
}

function mgx(e: SandboxError): Parts {
  const sso = mxSso(e);
  switch (e.case) {
    case 'route_not_found': return { status: 404, code: 'route_not_found', message: 'No route matches this path.' };
    case 'user_not_found': case 'member_not_found': case 'member_not_found_on_delete': case 'challenge_expired':
      return { status: 404, code: e.case === 'challenge_expired' ? 'challenge_expired' : 'not_found', message: sso.message ?? 'Not found.' };
    case 'institution_not_found':
      return e.onCreate
        ? validation([{ field: 'member.institution_code', message: 'Institution not found.' }])
        : { status: 404, code: 'not_found', message: 'Institution not found.' };
    case 'method_not_allowed': return { status: 405, code: 'method_not_allowed', message: 'Method not allowed.' };
    case 'not_acceptable': return { status: 406, code: 'not_acceptable', message: NOT_ACCEPTABLE_TEXT };
    case 'unsupported_version': return { status: 406, code: 'not_acceptable', message: UNSUPPORTED_VERSION_TEXT };
    case 'not_challenged': return { status: 400, code: 'not_challenged', message: NOT_CHALLENGED_TEXT };
    case 'job_running': return { status: 409, code: 'job_running', message: JOB_RUNNING_TEXT };
    case 'malformed_json': return { status: 400, code: 'invalid_json', message: 'The request body is not valid JSON.' };
    case 'payload_too_large': return { status: 413, code: 'payload_too_large', message: 'The request body is larger than 1 MB.' };
    case 'missing_fields': return validation(e.fields.map((field) => ({ field, message: 'This field is required.' })));
    case 'invalid_field': return validation([{ field: e.field, message: 'This field is invalid.' }]);
    case 'invalid_external_id':
      return { status: 422, code: 'invalid_external_id', message: sso.message ?? '', fields: [{ field: `${e.resource}.id`, message: sso.message ?? '' }] };
    // The MGX document's one duplicate code, kept so a duplicate classifies as one.
    case 'duplicate': case 'duplicate_member': return { status: 409, code: 'active_bid_exists', message: sso.message ?? '' };
    case 'empty_body': return validation([{ field: e.root, message: 'This field must not be empty.' }]);
    case 'client_not_associated':
      return { status: 403, code: 'not_api_client', message: 'The token is valid but not from a registered Enterprise API client.' };
    case 'credentials_stale': return { status: 400, code: 'credentials_stale', message: STALE_CREDENTIALS_TEXT };
    case 'not_aggregatable': return { status: 400, code: 'not_aggregatable', message: sso.message ?? '' };
    case 'unauthorized': return { status: 401, code: 'invalid_token', message: 'The token is missing or malformed.' };
    case 'token_expired': return { status: 401, code: 'token_expired', message: 'The token has expired.' };
    case 'rate_limited': return { status: 429, code: 'rate_limited', message: 'Rate limited. Honor the Retry-After header.' };
    case 'maintenance': return { status: 503, code: 'service_unavailable', message: MAINTENANCE_TEXT };
    case 'server_error': case 'delete_failed': return { status: 500, code: 'internal_error', message: sso.message ?? UNKNOWN_TEXT };
    case 'oauth_not_supported': return { status: 400, code: 'oauth_not_supported', message: OAUTH_NOT_SUPPORTED_TEXT };
    case 'oauth_credentials': return { status: 400, code: 'oauth_credentials', message: OAUTH_CREDENTIALS_TEXT };
    case 'content_type': case 'bad_gateway': return sso;
  }
}

function validation(fields: { field: string; message: string }[]): Parts {
  return { status: 422, code: 'validation_error', message: 'The given data was invalid.', fields };
}

function mcc(e: SandboxError): Parts {
  const sso = mxSso(e);
  switch (e.case) {
    case 'route_not_found': return { status: 404, message: 'Endpoint not found' };
    case 'user_not_found': case 'member_not_found': case 'member_not_found_on_delete': case 'challenge_expired':
      return { status: 404, message: sso.message ?? 'Not found.' };
    case 'institution_not_found': return { status: 404, message: 'Institution not found.' };
    case 'method_not_allowed': return { status: 405, message: 'Invalid Request' };
    case 'malformed_json': return { status: 400, message: 'Invalid Request URL/Parameter: the request body is not valid JSON.' };
    case 'missing_fields': return { status: 400, message: `Missing Required Fields: ${e.fields.join(', ')}` };
    case 'invalid_field': return { status: 400, message: `Invalid Request URL/Parameter: ${e.field}` };
    case 'duplicate': case 'duplicate_member': return { status: 409, code: 'invalid_request', message: sso.message ?? '' };
    case 'client_not_associated': return { status: 403, message: 'Insufficient Access Rights' };
    case 'unauthorized': return { status: 401, message: 'Missing/Invalid Token' };
    case 'token_expired': return { status: 401, message: 'Expired Token' };
    case 'rate_limited': return { status: 429, message: 'Too Many Requests' };
    case 'server_error': return { status: 500, message: 'Method Error' };
    default: return sso;
  }
}

/**
 * MX Platform's own statuses, from its errors page (docs.mx.com/api-reference/platform-api/overview/errors):
 * 404 an invalid item/id/URL, 405 a constraint of the endpoint not met, 406 no valid API version,
 * 409 an object that already exists or a job of another type running, 422 data it cannot process.
 */
function platform(e: SandboxError): Parts {
  switch (e.case) {
    // An unknown path never reaches a record lookup: a bare 404, as a wrong base URL gets.
    case 'route_not_found': return { status: 404 };
    case 'method_not_allowed': return { status: 405, message: 'Method not allowed.' };
    case 'not_acceptable': return { status: 406, message: NOT_ACCEPTABLE_TEXT };
    case 'unsupported_version': return { status: 406, message: UNSUPPORTED_VERSION_TEXT };
    case 'content_type': return { status: 400, message: 'A request with a body must send it as Content-Type: application/json.' };
    case 'malformed_json': return { status: 400, message: 'The request body is not valid JSON.' };
    case 'payload_too_large': return { status: 413, message: 'The request body is larger than 1 MB.' };
    case 'missing_fields': return { status: 400, message: `A required parameter is missing: ${e.fields.join(', ')}.` };
    case 'invalid_field': return { status: 422, message: `The data provided cannot be processed: ${e.field}.` };
    case 'invalid_external_id':
      return { status: 422, message: e.resource === 'user' ? 'Invalid format for external user guid.' : 'Invalid format for external member guid.' };
    case 'user_not_found': return { status: 404, message: 'User not found.' };
    case 'member_not_found': case 'member_not_found_on_delete': return { status: 404, message: 'Member not found.' };
    case 'institution_not_found': return { status: 404, message: 'Institution not found.' };
    case 'duplicate': return { status: 409, message: `${e.resource === 'user' ? 'User' : 'Member'} already exists with guid ${e.guid}` };
    case 'duplicate_member': return { status: 409, message: `${DUPLICATE_MEMBER_TEXT} Member already exists with guid ${e.guid}` };
    case 'empty_body': return { status: 400, message: EMPTY_BODY_TEXT };
    case 'client_not_associated': return { status: 403, message: 'This feature is not available to the client.' };
    case 'credentials_stale': return { status: 422, message: STALE_CREDENTIALS_TEXT };
    // MX Platform's pages are silent; Atrium answers a member without OAuth 400 "Member cannot use OAuth.".
    case 'oauth_not_supported': return { status: 400, message: OAUTH_NOT_SUPPORTED_TEXT };
    case 'oauth_credentials': return { status: 400, message: OAUTH_CREDENTIALS_TEXT };
    case 'not_aggregatable': return { status: 400, message: 'You cannot aggregate a manual member.' };
    case 'challenge_expired': return { status: 405, message: 'Challenge question expired. Please try again.' };
    case 'not_challenged': return { status: 405, message: NOT_CHALLENGED_TEXT };
    case 'job_running': return { status: 409, message: JOB_RUNNING_TEXT };
    case 'unauthorized': return { status: 401, message: 'Invalid MX-API-Key or MX-Client-ID provided.' };
    case 'token_expired': return { status: 401, message: 'The access token has expired.' };
    case 'rate_limited': return { status: 429, message: 'Too many requests.' };
    case 'bad_gateway': return { status: 502, message: 'Bad gateway.' };
    case 'maintenance': return { status: 503, message: 'The MX Platform is being updated.' };
    case 'server_error': return { status: 500, message: UNKNOWN_TEXT };
    case 'delete_failed': return { status: 500, message: `Failed to delete ${e.resource}: ${DELETE_SYSTEM_MESSAGE}` };
  }
}

const DIALECT_PARTS: Record<SandboxDialect, (e: SandboxError) => Parts> = { platform, 'mx-sso': mxSso, nexus, mgx, mcc };

function envelope(dialect: SandboxDialect, p: Parts): string | null {
  if (p.message === undefined) return null;
  switch (dialect) {
    case 'platform': return JSON.stringify({ error: { message: p.message } });
    case 'mx-sso': return JSON.stringify({ error: p.message });
    case 'nexus': return JSON.stringify({ code: p.code ?? null, message: p.message });
    case 'mgx': {
      const error: Record<string, unknown> = { status: p.status, code: p.code ?? 'error', message: p.message };
      if (p.fields) error.errors = p.fields;
      return JSON.stringify({ error });
    }
    case 'mcc': return JSON.stringify(p.code === undefined ? { Message: p.message } : { Code: p.code, Message: p.message });
  }
}

/**
 * The status, headers and body of `error` as `dialect` renders it.
 *
 * @example
 * renderError('nexus', { case: 'token_expired' });
 * // { status: 401, headers: {...}, body: '{"code":4011,"message":"The session token used in this request has expired."}' }
 */
export function renderError(dialect: SandboxDialect, error: SandboxError): RenderedError {
  const parts = DIALECT_PARTS[dialect](error);
  const headers: Record<string, string> = {};
  if (error.case === 'method_not_allowed') headers.allow = error.allow;
  if (error.case === 'rate_limited') headers['retry-after'] = String(error.retryAfterSeconds);
  if (error.case === 'token_expired') headers['www-authenticate'] = 'Bearer error="invalid_token", error_description="The access token expired"';
  if (error.case === 'unauthorized') headers['www-authenticate'] = 'Basic realm="mx-platform"';
  return { status: parts.status, headers, body: envelope(dialect, parts) };
}
