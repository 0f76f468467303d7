/**
 * The member endpoints: create, read, find by external id, status, aggregate, challenges, resume,
 * delete; and the institution's credential fields a create needs.
 */
import { makeApiError } from '../errors/index.js';
import { ok, type ResultAsync } from 'neverthrow';
import type { ApiError } from '../errors/index.js';
import { call, findInPages, MAX_RECORDS_PER_PAGE, refuse, seg, type ApiContext, callOptionsOf } from './call.js';
import { unwrap, unwrapPage } from './parse.js';
import { normalizeChallenge } from './challenges.js';
import { isChallenge, isCredentialField, isMember, isMemberStatus as isStatus } from './schemas.js';
import type {
  AggregateOptions,
  CallOptions, ChallengeAnswer, CreateMemberInput, MxChallenge, MxCredentialField, MxMember, MxMemberStatus, UpdateMemberInput,
} from './types.js';
import { noneWhenNotFound } from './users.js';
import { checkExternalId, checkSegment } from './validate.js';

/**
 * MX documents a 404 from the credentials endpoint as an unknown institution code: a fact about
 * this one item, not the bare 404 of a wrong base URL that halts a job.
 */
function unknownInstitution(error: ApiError): ApiError {
  if (error.status !== 404 || error.kind === 'not_found') return error;
  const { kind: _kind, ...rest } = error;
  return { ...rest, kind: 'not_found', resource: 'record', retryable: false, scope: 'item', message: error.message ?? 'No institution has this code.' };
}

/** `[{ guid, value }]` with string fields only (nothing else is sent), or null when the input is not that. */
function pairs(input: unknown): { guid: string; value: string }[] | null {
  if (!Array.isArray(input)) return null;
  const out: { guid: string; value: string }[] = [];
  for (const item of input as unknown[]) {
    if (typeof item !== 'object' || item === null) return null;
    const { guid, value } = item as Record<string, unknown>;
    if (typeof guid !== 'string' || typeof value !== 'string') return null;
    out.push({ guid, value });
  }
  return out;
}

/** A local `validation` error (status 0: nothing was sent); it never quotes a value. */
function invalidField(field: string, message: string): ApiError {
  return makeApiError('validation', { message: `${field} ${message}.`, fields: [{ field, message }] });
}

/** The error for credentials or answers that are not `[{ guid, value }]`. */
const pairsError = (field: 'credentials' | 'challenges'): ApiError => invalidField(field, 'must be a list of { guid, value } with string fields');

// A header value is printable ASCII; anything else (or anything long) is left out rather than sent mangled.
export const callbackHeaders = (payload: string | undefined) =>
  payload !== undefined && payload.length <= 1024 && /^[\x20-\x7e]*$/.test(payload) ? { headers: { 'X-Callback-Payload': payload } } : {};

// MX: X-Callback-Payload is "the base64 encoded string …. Max 1024 characters" (spec #/components/parameters/xCallback).
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const checkCallbackPayload = (payload: string | undefined): ApiError | null =>
  payload === undefined || (payload.length > 0 && payload.length <= 1024 && BASE64.test(payload))
    ? null
    : invalidField('callbackPayload', 'must be a base64 string of at most 1024 characters (MX\'s X-Callback-Payload)');

/**
 * The member functions of an MX client.
 *
 * @example
 * ```ts
 * const members = memberEndpoints({ transport, secrets: [apiKey] });
 * await members.aggregateMember('USR-1', 'MBR-1');
 * ```
 */
export function memberEndpoints(ctx: ApiContext) {
  /** The member path, or the validation error for a guid that cannot be one. */
  const memberPath = (userGuid: string, memberGuid: string, action = ''): string | ApiError =>
    checkSegment('user_guid', userGuid) ??
    checkSegment('member_guid', memberGuid) ??
    `/users/${seg(userGuid)}/members/${seg(memberGuid)}${action}`;

  const readMemberAt = (path: string, options: CallOptions | undefined) =>
    call(ctx, { method: 'GET', path, ...callOptionsOf(options) }, (res, p) => unwrap(res, p, 'member', isMember));

  return {
    createMember(input: CreateMemberInput, options?: CallOptions): ResultAsync<MxMember, ApiError> {
      const invalid = checkExternalId(input?.id) ?? checkSegment('user_guid', input?.userGuid) ?? checkSegment('institution_code', input?.institutionCode)
        ?? checkCallbackPayload(input?.callbackPayload);
      if (invalid) return refuse(invalid);
      // An OAuth member has no credentials: the end user authorises at the institution (MemberCreateRequest.is_oauth).
      const credentials = input.isOauth === true ? [] : pairs(input.credentials);
      if (credentials === null) return refuse(pairsError('credentials'));
      const member: Record<string, unknown> = input.isOauth === true
        ? { id: input.id, institution_code: input.institutionCode, is_oauth: true }
        : { id: input.id, institution_code: input.institutionCode, credentials };
      if (input.skipAggregation !== undefined) {
        // v20250224's create-member has no skip_aggregation: sending it would be ignored or refused.
        if (ctx.apiVersion === 'v20250224') return refuse(invalidField('skipAggregation', 'is not part of v20250224 (use apiVersion v20111101)'));
        member.skip_aggregation = input.skipAggregation;
      }
      return call(
        ctx,
        {
          method: 'POST',
          path: `/users/${seg(input.userGuid)}/members`,
          body: { member },
          secrets: credentials.map((c) => c.value),
          ...callbackHeaders(input.callbackPayload),
          ...callOptionsOf(options),
        },
        (res, p) => unwrap(res, p, 'member', isMember),
      );
    },

    readMember(userGuid: string, memberGuid: string, options?: CallOptions): ResultAsync<MxMember, ApiError> {
      const path = memberPath(userGuid, memberGuid);
      return typeof path === 'string' ? readMemberAt(path, options) : refuse(path);
    },

    updateMember(userGuid: string, memberGuid: string, changes: UpdateMemberInput, options?: CallOptions): ResultAsync<MxMember, ApiError> {
      const path = memberPath(userGuid, memberGuid);
      if (typeof path !== 'string') return refuse(path);
      const badPayload = checkCallbackPayload(changes?.callbackPayload);
      if (badPayload) return refuse(badPayload);
      const member: Record<string, unknown> = {};
      const secrets: string[] = [];
      if (changes?.credentials !== undefined) {
        const credentials = pairs(changes.credentials);
        if (credentials === null) return refuse(pairsError('credentials'));
        member.credentials = credentials;
        secrets.push(...credentials.map((c) => c.value));
      }
      if (changes?.id !== undefined) {
        const invalid = checkExternalId(changes.id);
        if (invalid) return refuse(invalid);
        member.id = changes.id;
      }
      if (changes?.metadata !== undefined) member.metadata = String(changes.metadata);
      // MX: "while no single parameter is required, the request body can't be empty".
      if (Object.keys(member).length === 0) return refuse(invalidField('member', 'needs credentials, id or metadata to update'));
      return call(
        ctx,
        { method: 'PUT', path, body: { member }, secrets, ...callbackHeaders(changes.callbackPayload), ...callOptionsOf(options) },
        (res, p) => unwrap(res, p, 'member', isMember),
      );
    },

    findMemberByExternalId(userGuid: string, id: string, options?: CallOptions): ResultAsync<MxMember | null, ApiError> {
      const invalid = checkExternalId(id) ?? checkSegment('user_guid', userGuid);
      if (invalid) return refuse(invalid);
      if (ctx.apiVersion === 'v20250224') {
        // `{member_identifier}` takes the external id: one read instead of every page.
        const read = readMemberAt(`/users/${seg(userGuid)}/members/${seg(id)}`, options);
        return noneWhenNotFound(read, 'user').map((member) => (member !== null && member.id === id ? member : null));
      }
      // v20111101 has no `id` filter on the member list: read every page, as large as MX serves them.
      return findInPages(
        (page) =>
          call(
            ctx,
            {
              method: 'GET',
              path: `/users/${seg(userGuid)}/members`,
              query: { page, records_per_page: MAX_RECORDS_PER_PAGE },
              ...callOptionsOf(options),
            },
            (res, p) => unwrapPage(res, p, 'members', isMember),
          ),
        (member) => member.id === id,
      );
    },

    readMemberStatus(userGuid: string, memberGuid: string, options?: CallOptions): ResultAsync<MxMemberStatus, ApiError> {
      const path = memberPath(userGuid, memberGuid, '/status');
      if (typeof path !== 'string') return refuse(path);
      return call(ctx, { method: 'GET', path, ...callOptionsOf(options) }, (res, p) => unwrap(res, p, 'member', isStatus)).map((status) =>
        Array.isArray(status.challenges) ? { ...status, challenges: status.challenges.map(normalizeChallenge) } : status,
      );
    },

    aggregateMember(userGuid: string, memberGuid: string, options?: AggregateOptions): ResultAsync<MxMember, ApiError> {
      const path = memberPath(userGuid, memberGuid, '/aggregate');
      if (typeof path !== 'string') return refuse(path);
      const badPayload = checkCallbackPayload(options?.callbackPayload);
      if (badPayload) return refuse(badPayload);
      return call(
        ctx,
        { method: 'POST', path, ...callbackHeaders(options?.callbackPayload), ...callOptionsOf(options) },
        (res, p) => unwrap(res, p, 'member', isMember),
      );
    },

    listMemberChallenges(userGuid: string, memberGuid: string, options?: CallOptions): ResultAsync<MxChallenge[], ApiError> {
      const path = memberPath(userGuid, memberGuid, '/challenges');
      if (typeof path !== 'string') return refuse(path);
      return call(ctx, { method: 'GET', path, query: { records_per_page: MAX_RECORDS_PER_PAGE }, ...callOptionsOf(options) }, (res, p) =>
        // 204 (or an empty body): the member has no open challenge.
        res.status === 204 || res.text.trim() === '' ? ok([]) : unwrapPage(res, p, 'challenges', isChallenge).map((page) => page.items.map(normalizeChallenge)),
      );
    },

    resumeAggregation(
      userGuid: string,
      memberGuid: string,
      answers: ChallengeAnswer[],
      options?: CallOptions,
    ): ResultAsync<MxMember, ApiError> {
      const path = memberPath(userGuid, memberGuid, '/resume');
      if (typeof path !== 'string') return refuse(path);
      const challenges = pairs(answers);
      if (challenges === null) return refuse(pairsError('challenges'));
      return call(
        ctx,
        { method: 'PUT', path, body: { member: { challenges } }, secrets: challenges.map((c) => c.value), ...callOptionsOf(options) },
        (res, p) => unwrap(res, p, 'member', isMember),
      );
    },

    deleteMember(userGuid: string, memberGuid: string, options?: CallOptions): ResultAsync<void, ApiError> {
      const path = memberPath(userGuid, memberGuid);
      if (typeof path !== 'string') return refuse(path);
      return call(ctx, { method: 'DELETE', path, ...callOptionsOf(options) }, () => ok(undefined));
    },

    listInstitutionCredentials(institutionCode: string, options?: CallOptions): ResultAsync<MxCredentialField[], ApiError> {
      const invalid = checkSegment('institution_code', institutionCode);
      if (invalid) return refuse(invalid);
      return call(
        ctx,
        {
          method: 'GET',
          path: `/institutions/${seg(institutionCode)}/credentials`,
          query: { records_per_page: MAX_RECORDS_PER_PAGE },
          ...callOptionsOf(options),
        },
        (res, p) => unwrapPage(res, p, 'credentials', isCredentialField).map((page) => page.items),
      ).mapErr(unknownInstitution);
    },
  };
}
