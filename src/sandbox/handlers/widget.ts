/**
 * `POST /users/{user_guid}/widget_urls`: a Connect widget URL for the end user (both OpenAPI
 * files: body `{ widget_url: WidgetRequest }`, answer `{ widget_url: { type, url, user_id } }`).
 * The URL leads to the sandbox's own plain HTML widget (endUserPages.ts).
 */
import { viewAt } from '../aggregation.js';
import type { WidgetStage } from '../endUserLinks.js';
import { INSTITUTIONS, type Institution } from '../mxbank.js';
import type { SandboxError } from '../renderError.js';
import type { MemberRecord } from '../store.js';
import { checkTypes, fail, isSandboxError, rootObject, type Handler, type HandlerContext } from './context.js';

const WIDGET_FIELDS = {
  widget_type: 'string', current_member_guid: 'string', current_institution_code: 'string', current_institution_guid: 'string',
} as const;

/** MX's `X-Callback-Payload`: "Max 1024 characters". */
export const MAX_CALLBACK_PAYLOAD = 1024;

/**
 * What the widget opens on: the user's member named by `current_member_guid` (which "takes
 * precedence over `current_institution_code` and `current_institution_guid`"), an institution, or nothing.
 */
function target(ctx: HandlerContext, userGuid: string, request: Record<string, unknown>): { member?: MemberRecord; institution?: Institution } | SandboxError {
  if (typeof request.current_member_guid === 'string') {
    const member = ctx.store.member(userGuid, request.current_member_guid);
    if (!member) return { case: 'member_not_found' };
    return member.timeline.manual ? { case: 'not_aggregatable' } : { member };
  }
  const code = request.current_institution_code;
  const guid = request.current_institution_guid;
  if (typeof code !== 'string' && typeof guid !== 'string') return {};
  const institution = typeof code === 'string' ? INSTITUTIONS.get(code) : [...INSTITUTIONS.values()].find((i) => i.guid === guid);
  if (!institution) return { case: 'institution_not_found', onCreate: false };
  return institution.manual ? { case: 'not_aggregatable' } : { institution };
}

/**
 * Where the widget opens on a member: MX's widget "will determine the best view to load based on
 * the member's current state": the open challenge of a CHALLENGED member, the institution's
 * consent for an OAuth member, else its credentials.
 */
function stageOf(ctx: HandlerContext, member: MemberRecord | undefined): WidgetStage {
  if (!member) return 'credentials';
  if (viewAt(member.timeline, ctx.now, ctx.options).challenged) return 'challenge';
  return member.timeline.oauth ? 'oauth' : 'credentials';
}

export const requestWidgetUrl: Handler = (ctx) => {
  // Both OpenAPI files name this path's user by `user_guid` only (no `user_identifier` here).
  const user = ctx.store.user(ctx.client.id, ctx.userGuid);
  if (!user) return fail({ case: 'user_not_found', guid: ctx.userGuid });
  const request = rootObject(ctx.body, 'widget_url');
  if (isSandboxError(request)) return fail(request);
  if (request.widget_type === undefined || request.widget_type === null) return fail({ case: 'missing_fields', fields: ['widget_url.widget_type'] });
  const typeError = checkTypes(request, 'widget_url', WIDGET_FIELDS);
  if (typeError) return fail(typeError);
  // The sandbox serves the Connect widget only; the other widget types show MX's own screens.
  if (request.widget_type !== 'connect_widget') return fail({ case: 'invalid_field', field: 'widget_url.widget_type' });
  if ((ctx.callbackPayload?.length ?? 0) > MAX_CALLBACK_PAYLOAD) return fail({ case: 'invalid_field', field: 'X-Callback-Payload' });
  const opens = target(ctx, user.guid, request);
  if (isSandboxError(opens)) return fail(opens);
  const url = ctx.links.issue({
    kind: 'widget',
    clientId: ctx.client.id,
    userGuid: user.guid,
    memberGuid: opens.member?.guid ?? null,
    institutionCode: opens.institution?.code ?? null,
    callbackPayload: ctx.callbackPayload,
    skipAggregation: false,
    stage: stageOf(ctx, opens.member),
    issuedAt: ctx.now,
  });
  return { status: 200, json: { widget_url: { type: 'connect_widget', url, user_id: user.id } } };
};
