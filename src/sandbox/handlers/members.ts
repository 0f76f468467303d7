/**
 * `/users/{user_guid}/members[/{member_guid}]`: create (the password picks the outcome, then the
 * credential values are dropped), list, read and delete, with the documented member errors.
 */
import { randomUUID } from 'node:crypto';
import { INSTITUTIONS, outcomeOf, startAggregation, type Outcome } from '../aggregation.js';
import type { SandboxError } from '../renderError.js';
import type { MemberRecord } from '../store.js';
import {
  checkTypes, fail, isRecord, isSandboxError, paginate, rootObject, validExternalId,
  type Handler, type HandlerContext, type Reply,
} from './context.js';
import { isUser, ownUser } from './users.js';

const MEMBER_FIELDS = { id: 'string', institution_code: 'string', metadata: 'string', skip_aggregation: 'boolean' } as const;

/** The caller's member named in the path, or the documented error (a missing member reads as a 500). */
export function ownMember(ctx: HandlerContext, onDelete = false): MemberRecord | Reply {
  const user = ownUser(ctx);
  if (!isUser(user)) return user;
  return (
    ctx.store.member(user.guid, ctx.memberGuid) ??
    fail(onDelete ? { case: 'member_not_found_on_delete', guid: ctx.memberGuid } : { case: 'member_not_found' })
  );
}

export const isMember = (value: MemberRecord | Reply): value is MemberRecord => 'guid' in value;

/**
 * The outcome the submitted credentials pick, or the error for them. Values are read only to pick
 * the outcome; nothing of them outlives this call.
 */
function credentialOutcome(raw: unknown, required: readonly string[]): Outcome | SandboxError {
  if (!Array.isArray(raw)) return { case: 'invalid_field', field: 'member.credentials' };
  const given: { guid: string; value: string }[] = [];
  for (const c of raw) {
    if (!isRecord(c) || typeof c.guid !== 'string' || typeof c.value !== 'string') {
      return { case: 'invalid_field', field: 'member.credentials' };
    }
    if (!required.includes(c.guid)) return { case: 'credentials_stale' };
    given.push({ guid: c.guid, value: c.value });
  }
  if (required.some((guid) => !given.some((c) => c.guid === guid))) return { case: 'missing_fields', fields: ['member.credentials'] };
  return outcomeOf(given);
}

export const createMember: Handler = (ctx) => {
  const user = ownUser(ctx);
  if (!isUser(user)) return user;
  const member = rootObject(ctx.body, 'member');
  if (isSandboxError(member)) return fail(member);
  const missing = ['institution_code', 'credentials'].filter((f) => member[f] === undefined || member[f] === null);
  if (missing.length > 0) return fail({ case: 'missing_fields', fields: missing.map((f) => `member.${f}`) });
  const typeError = checkTypes(member, 'member', MEMBER_FIELDS);
  if (typeError) return fail(typeError);
  const id = typeof member.id === 'string' ? member.id : null;
  if (id !== null && !validExternalId(id, 'MBR-')) return fail({ case: 'invalid_external_id', resource: 'member' });
  const institution = INSTITUTIONS.get(String(member.institution_code));
  if (!institution) return fail({ case: 'institution_not_found', onCreate: true });
  const outcome = credentialOutcome(member.credentials, institution.credentials.map((c) => c.guid));
  if (typeof outcome !== 'string') return fail(outcome);
  if (id !== null && ctx.store.memberByExternalId(ctx.client.id, id)) return fail({ case: 'duplicate', resource: 'member', id });
  const created = ctx.store.addMember({
    clientId: ctx.client.id,
    userGuid: user.guid,
    id,
    institutionCode: institution.code,
    institutionGuid: institution.guid,
    name: institution.name,
    metadata: typeof member.metadata === 'string' ? member.metadata : null,
    timeline: {
      outcome, manual: institution.manual, startedAt: null, priorStatus: null, challengeGuid: null,
      answeredAt: null, answerCorrect: false, lastAggregatedAt: null, lastSuccessAt: null,
    },
  });
  const aggregates = !institution.manual && member.skip_aggregation !== true;
  if (aggregates) startAggregation(created.timeline, ctx.now, ctx.options, `CRD-${randomUUID()}`);
  return { status: aggregates ? 202 : 200, json: { member: ctx.store.memberJson(created, ctx.now) } };
};

export const listMembers: Handler = (ctx) => {
  const user = ownUser(ctx);
  if (!isUser(user)) return user;
  const { page, pagination } = paginate(ctx.store.membersOf(user.guid), ctx.store.memberCount(user.guid), ctx.query);
  return { status: 200, json: { members: page.map((m) => ctx.store.memberJson(m, ctx.now)), pagination } };
};

export const readMember: Handler = (ctx) => {
  const member = ownMember(ctx);
  return isMember(member) ? { status: 200, json: { member: ctx.store.memberJson(member, ctx.now) } } : member;
};

export const deleteMember: Handler = (ctx) => {
  const member = ownMember(ctx, true);
  if (!isMember(member)) return member;
  ctx.store.deleteMember(member);
  return { status: 204 };
};

export const listInstitutionCredentials: Handler = (ctx) => {
  const institution = INSTITUTIONS.get(ctx.institutionCode);
  if (!institution) return fail({ case: 'institution_not_found', onCreate: false });
  const { page, pagination } = paginate(institution.credentials, institution.credentials.length, ctx.query);
  return { status: 200, json: { credentials: page, pagination } };
};
