/**
 * The endpoints of connections the end user makes: the Connect widget URL, a fresh OAuth window,
 * the user's members (to find the one the end user made), and an institution (does it support
 * OAuth). Widget URLs and OAuth URIs are the end user's bearer secrets: a response that holds one
 * is never quoted in an error, and no event or log line carries one.
 */
import { err, ok, type Result, type ResultAsync } from 'neverthrow';
import { makeApiError } from '../errors/index.js';
import type { ApiError } from '../errors/index.js';
import type { RawResponse } from '../http/index.js';
import { call, MAX_RECORDS_PER_PAGE, refuse, seg, type ApiContext, callOptionsOf } from './call.js';
import { callbackHeaders } from './members.js';
import { isRecord, unwrap, unwrapPage, type ParseContext } from './parse.js';
import { isInstitution, isMember } from './schemas.js';
import type { CallOptions, MxInstitution, MxMember, WidgetUrlRequest } from './types.js';
import { checkSegment } from './validate.js';

/** The pages a member listing reads at most: a user has a handful of members, not thousands. */
const MAX_MEMBER_PAGES = 20;

/**
 * The URL under `root.field`, or an error that names the request but never quotes the body (it
 * would quote the URL).
 */
function urlOf(response: RawResponse, ctx: ParseContext, root: string, field: string): Result<{ url: string }, ApiError> {
  let body: unknown;
  try {
    body = JSON.parse(response.text);
  } catch {
    body = null;
  }
  const value = isRecord(body) && isRecord(body[root]) ? body[root][field] : undefined;
  if (typeof value === 'string' && /^https?:\/\//i.test(value)) return ok({ url: value });
  return err(
    makeApiError('unknown', {
      status: response.status,
      retryable: false,
      message: `The response to ${ctx.request.method} ${ctx.request.path.split('?')[0]} holds no "${root}.${field}" URL.`,
    }),
  );
}

/**
 * The end-user functions of an MX client.
 *
 * @example
 * ```ts
 * const endUser = endUserEndpoints({ transport, secrets: [apiKey], apiVersion: 'v20250224' });
 * const { url } = (await endUser.requestWidgetUrl('USR-1', { currentInstitutionCode: 'mxbank' }))._unsafeUnwrap();
 * ```
 */
export function endUserEndpoints(ctx: ApiContext) {
    return {
    requestWidgetUrl(userGuid: string, request: WidgetUrlRequest = {}, options?: CallOptions): ResultAsync<{ url: string }, ApiError> {
      const invalid = checkSegment('user_guid', userGuid);
      if (invalid) return refuse(invalid);
      // WidgetRequest: current_member_guid wins over current_institution_code (a re-link of that member).
      const widget: Record<string, unknown> = { widget_type: 'connect_widget' };
      if (request.currentMemberGuid !== undefined) widget.current_member_guid = request.currentMemberGuid;
      if (request.currentInstitutionCode !== undefined) widget.current_institution_code = request.currentInstitutionCode;
      if (request.clientRedirectUrl !== undefined) widget.client_redirect_url = request.clientRedirectUrl;
      return call(
        ctx,
        {
          method: 'POST',
          path: `/users/${seg(userGuid)}/widget_urls`,
          body: { widget_url: widget },
          ...callbackHeaders(request.callbackPayload),
          ...callOptionsOf(options),
        },
        (res, p) => urlOf(res, p, 'widget_url', 'url'),
      );
    },

    readOauthWindowUri(userGuid: string, memberGuid: string, options?: CallOptions): ResultAsync<{ url: string }, ApiError> {
      const invalid = checkSegment('user_guid', userGuid) ?? checkSegment('member_guid', memberGuid);
      if (invalid) return refuse(invalid);
      return call(
        ctx,
        { method: 'GET', path: `/users/${seg(userGuid)}/members/${seg(memberGuid)}/oauth_window_uri`, ...callOptionsOf(options) },
        (res, p) => urlOf(res, p, 'member', 'oauth_window_uri'),
      );
    },

    listMembers(userGuid: string, options?: CallOptions): ResultAsync<MxMember[], ApiError> {
      const invalid = checkSegment('user_guid', userGuid);
      if (invalid) return refuse(invalid);
      const page = (n: number, seen: MxMember[]): ResultAsync<MxMember[], ApiError> =>
        call(
          ctx,
          { method: 'GET', path: `/users/${seg(userGuid)}/members`, query: { page: n, records_per_page: MAX_RECORDS_PER_PAGE }, ...callOptionsOf(options) },
          (res, p) => unwrapPage(res, p, 'members', isMember),
        ).andThen((result) => {
          const all = [...seen, ...result.items];
          return n >= result.totalPages || result.items.length === 0 || n >= MAX_MEMBER_PAGES ? ok(all) : page(n + 1, all);
        }) as ResultAsync<MxMember[], ApiError>;
      return page(1, []);
    },

    readInstitution(institutionCode: string, options?: CallOptions): ResultAsync<MxInstitution, ApiError> {
      const invalid = checkSegment('institution_code', institutionCode);
      if (invalid) return refuse(invalid);
      return call(ctx, { method: 'GET', path: `/institutions/${seg(institutionCode)}`, ...callOptionsOf(options) }, (res, p) =>
        unwrap(res, p, 'institution', isInstitution),
      );
    },
  };
}
