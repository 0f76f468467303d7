/**
 * The member endpoints: create, read, find by external id, status, aggregate, challenges, resume,
 * delete; and the institution's credential fields a create needs.
 */
import { ok, type ResultAsync } from 'neverthrow';
import type { ApiError } from '../errors/types.js';
import { call, findInPages, MAX_RECORDS_PER_PAGE, refuse, seg, type ApiContext } from './call.js';
import { hasGuid, unwrap, unwrapPage } from './parse.js';
import type {
  CallOptions, ChallengeAnswer, CreateMemberInput, MxChallenge, MxCredentialField, MxMember, MxMemberStatus,
} from './types.js';
import { checkExternalId, checkSegment } from './validate.js';

const isMember = (value: unknown): value is MxMember => hasGuid(value);
const isStatus = (value: unknown): value is MxMemberStatus => hasGuid(value);
const isChallenge = (value: unknown): value is MxChallenge => hasGuid(value);
const isCredentialField = (value: unknown): value is MxCredentialField => hasGuid(value);

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

/** The error for credentials or answers that are not `[{ guid, value }]`; it never quotes a value. */
function pairsError(field: 'credentials' | 'challenges'): ApiError {
  const message = 'must be a list of { guid, value } with string fields';
  return { kind: 'validation', status: 0, retryable: false, scope: 'item', dialect: 'http', message: `${field} ${message}.`, fields: [{ field, message }] };
}

const signalOf = (options?: CallOptions) => (options?.signal ? { signal: options.signal } : {});
// A header value is printable ASCII; anything else (or anything long) is left out rather than sent mangled.
const callbackHeaders = (payload: string | undefined) =>
  payload !== undefined && payload.length <= 1024 && /^[\x20-\x7e]*$/.test(payload) ? { headers: { 'X-Callback-Payload': payload } } : {};

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

  const readMemberAt = (path: string, options: CallOptions | undefined, method: 'GET' | 'POST' = 'GET') =>
    call(ctx, { method, path, ...signalOf(options) }, (res, p) => unwrap(res, p, 'member', isMember));

  return {
    createMember(input: CreateMemberInput, options?: CallOptions): ResultAsync<MxMember, ApiError> {
      const invalid = checkExternalId(input?.id) ?? checkSegment('user_guid', input?.userGuid) ?? checkSegment('institution_code', input?.institutionCode);
      if (invalid) return refuse(invalid);
      const credentials = pairs(input.credentials);
      if (credentials === null) return refuse(pairsError('credentials'));
      const member: Record<string, unknown> = { id: input.id, institution_code: input.institutionCode, credentials };
      if (input.skipAggregation !== undefined) member.skip_aggregation = input.skipAggregation;
      return call(
        ctx,
        {
          method: 'POST',
          path: `/users/${seg(input.userGuid)}/members`,
          body: { member },
          secrets: credentials.map((c) => c.value),
          ...callbackHeaders(input.callbackPayload),
          ...signalOf(options),
        },
        (res, p) => unwrap(res, p, 'member', isMember),
      );
    },

    readMember(userGuid: string, memberGuid: string, options?: CallOptions): ResultAsync<MxMember, ApiError> {
      const path = memberPath(userGuid, memberGuid);
      return typeof path === 'string' ? readMemberAt(path, options) : refuse(path);
    },

    findMemberByExternalId(userGuid: string, id: string, options?: CallOptions): ResultAsync<MxMember | null, ApiError> {
      // MX has no `id` filter on the member list: read every page, as large as MX serves them.
      const invalid = checkExternalId(id) ?? checkSegment('user_guid', userGuid);
      if (invalid) return refuse(invalid);
      return findInPages(
        (page) =>
          call(
            ctx,
            {
              method: 'GET',
              path: `/users/${seg(userGuid)}/members`,
              query: { page, records_per_page: MAX_RECORDS_PER_PAGE },
              ...signalOf(options),
            },
            (res, p) => unwrapPage(res, p, 'members', isMember),
          ),
        (member) => member.id === id,
      );
    },

    readMemberStatus(userGuid: string, memberGuid: string, options?: CallOptions): ResultAsync<MxMemberStatus, ApiError> {
      const path = memberPath(userGuid, memberGuid, '/status');
      if (typeof path !== 'string') return refuse(path);
      return call(ctx, { method: 'GET', path, ...signalOf(options) }, (res, p) => unwrap(res, p, 'member', isStatus));
    },

    aggregateMember(userGuid: string, memberGuid: string, options?: CallOptions): ResultAsync<MxMember, ApiError> {
      const path = memberPath(userGuid, memberGuid, '/aggregate');
      return typeof path === 'string' ? readMemberAt(path, options, 'POST') : refuse(path);
    },

    listMemberChallenges(userGuid: string, memberGuid: string, options?: CallOptions): ResultAsync<MxChallenge[], ApiError> {
      const path = memberPath(userGuid, memberGuid, '/challenges');
      if (typeof path !== 'string') return refuse(path);
      return call(ctx, { method: 'GET', path, query: { records_per_page: MAX_RECORDS_PER_PAGE }, ...signalOf(options) }, (res, p) =>
        // 204 (or an empty body): the member has no open challenge.
        res.status === 204 || res.text.trim() === '' ? ok([]) : unwrapPage(res, p, 'challenges', isChallenge).map((page) => page.items),
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
        { method: 'PUT', path, body: { member: { challenges } }, secrets: challenges.map((c) => c.value), ...signalOf(options) },
        (res, p) => unwrap(res, p, 'member', isMember),
      );
    },

    deleteMember(userGuid: string, memberGuid: string, options?: CallOptions): ResultAsync<void, ApiError> {
      const path = memberPath(userGuid, memberGuid);
      if (typeof path !== 'string') return refuse(path);
      return call(ctx, { method: 'DELETE', path, ...signalOf(options) }, () => ok(undefined));
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
          ...signalOf(options),
        },
        (res, p) => unwrapPage(res, p, 'credentials', isCredentialField).map((page) => page.items),
      ).mapErr(unknownInstitution);
    },
  };
}
