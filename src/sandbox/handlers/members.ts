/**
 * `/users/{user_guid}/members[/{member_guid}]`: create (the password picks the outcome, then the
 * credential values are dropped), list, read and delete, with the documented member errors.
 */
import { randomUUID } from 'node:crypto';
import { startAggregation } from '../aggregation.js';
import { INSTITUTIONS, institutionByGuid, outcomeOf, type Institution, type Outcome } from '../mxbank.js';
import type { SandboxError } from '../renderError.js';
import type { MemberRecord, SandboxStore } from '../store.js';
import { acceptsExternalIds } from '../versions.js';
import {
  checkTypes, fail, isRecord, isSandboxError, paginate, rootObject, validExternalId,
  type Handler, type HandlerContext, type Reply,
} from './context.js';
import { isUser, ownUser } from './users.js';

const MEMBER_FIELDS = {
  id: 'string', is_oauth: 'boolean', institution_code: 'string', metadata: 'string', skip_aggregation: 'boolean', background_aggregation_is_disabled: 'boolean',
} as const;

/** The caller's member named in the path (in v20250224 by external id too), or the documented error. */
export function ownMember(ctx: HandlerContext, onDelete = false): MemberRecord | Reply {
  const user = ownUser(ctx);
  if (!isUser(user)) return user;
  const byId = acceptsExternalIds(ctx.version) && !ctx.memberGuid.startsWith('MBR-')
    ? ctx.store.memberByExternalId(ctx.client.id, ctx.memberGuid)
    : undefined;
  return (
    (byId?.userGuid === user.guid ? byId : undefined) ??
    ctx.store.member(user.guid, ctx.memberGuid) ??
    fail(onDelete ? { case: 'member_not_found_on_delete', guid: ctx.memberGuid } : { case: 'member_not_found' })
  );
}

/** v20250224 dropped `skip_aggregation` from create and update member: sending it is an error there. */
function versionError(ctx: HandlerContext, member: Record<string, unknown>): SandboxError | undefined {
  return ctx.version === 'v20250224' && member.skip_aggregation !== undefined
    ? { case: 'invalid_field', field: 'member.skip_aggregation' }
    : undefined;
}

/** What a member's credentials decide: the outcome, and the keyed digest that tells duplicates apart. */
interface Picked {
  outcome: Outcome;
  fingerprint: string | null;
}

/** The outcome of an institution's credentials: OAuth institutions take none and wait for the end user. */
function outcomeFor(store: SandboxStore, institution: Institution, raw: unknown): Picked | SandboxError {
  if (institution.oauth) return { outcome: 'oauth', fingerprint: null };
  return credentialOutcome(store, institution, raw ?? []);
}

export const isMember = (value: MemberRecord | Reply): value is MemberRecord => 'guid' in value;

/**
 * The outcome the submitted credentials pick, or the error for them. Values are read only to pick
 * the outcome and a keyed digest (see `SandboxStore.fingerprint`); nothing else of them outlives this call.
 */
function credentialOutcome(store: SandboxStore, institution: Institution, raw: unknown): Picked | SandboxError {
  const required = institution.credentials.map((c) => c.guid);
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
  return { outcome: outcomeOf(given), fingerprint: store.fingerprint(institution.code, given) };
}

/**
 * Another member of the user at the same institution with the same credentials: MX's members
 * page, "Duplicate members aren't allowed on the MX platform. A duplicate member is when a user
 * attempts to connect to an institution they're already connected to using the same credentials."
 */
function duplicateOf(ctx: { store: SandboxStore; options: { refuseDuplicateMembers: boolean } }, userGuid: string, fingerprint: string | null, except?: MemberRecord): MemberRecord | undefined {
  if (fingerprint === null || !ctx.options.refuseDuplicateMembers) return undefined;
  for (const member of ctx.store.membersOf(userGuid)) {
    if (member !== except && member.fingerprint === fingerprint) return member;
  }
  return undefined;
}

export const createMember: Handler = (ctx) => {
  const user = ownUser(ctx);
  if (!isUser(user)) return user;
  const member = rootObject(ctx.body, 'member');
  if (isSandboxError(member)) return fail(member);
  const oauth = INSTITUTIONS.get(String(member.institution_code))?.oauth === true;
  const required = oauth ? ['institution_code'] : ['institution_code', 'credentials'];
  const missing = required.filter((f) => member[f] === undefined || member[f] === null);
  if (missing.length > 0) return fail({ case: 'missing_fields', fields: missing.map((f) => `member.${f}`) });
  const typeError = checkTypes(member, 'member', MEMBER_FIELDS) ?? versionError(ctx, member);
  if (typeError) return fail(typeError);
  const id = typeof member.id === 'string' ? member.id : null;
  if (id !== null && !validExternalId(id, 'MBR-')) return fail({ case: 'invalid_external_id', resource: 'member' });
  const institution = INSTITUTIONS.get(String(member.institution_code));
  if (!institution) return fail({ case: 'institution_not_found', onCreate: true });
  const oauthError = oauthMismatch(institution, member);
  if (oauthError) return fail(oauthError);
  const picked = outcomeFor(ctx.store, institution, member.credentials);
  if (isSandboxError(picked)) return fail(picked);
  const existing = id === null ? undefined : ctx.store.memberByExternalId(ctx.client.id, id);
  if (id !== null && existing) return fail({ case: 'duplicate', resource: 'member', id, guid: existing.guid });
  const twin = duplicateOf(ctx, user.guid, picked.fingerprint);
  if (twin) return fail({ case: 'duplicate_member', guid: twin.guid });
  const created = addMemberRecord(ctx.store, {
    clientId: ctx.client.id, userGuid: user.guid, id, institution, outcome: picked.outcome,
    metadata: typeof member.metadata === 'string' ? member.metadata : null, now: ctx.now, fingerprint: picked.fingerprint,
  });
  const aggregates = !institution.manual && !institution.oauth && member.skip_aggregation !== true;
  if (aggregates) startAggregation(created.timeline, ctx.now, ctx.options, `CRD-${randomUUID()}`);
  // MX's OAuth guide: the create answer carries the oauth_window_uri the end user opens.
  const uri = institution.oauth ? issueOAuthWindow(ctx, created, member.skip_aggregation === true) : null;
  return { status: aggregates ? 202 : 200, json: { member: ctx.store.memberJson(created, ctx.now, uri) } };
};

/**
 * `is_oauth` at an institution without OAuth (Atrium's "Member cannot use OAuth."), or credentials
 * for an OAuth member (MX's OAuth guide: "you cannot include end-user credentials in your request
 * body when creating an OAuth member"); an empty `credentials` list is no credentials.
 */
function oauthMismatch(institution: Institution, member: Record<string, unknown>): SandboxError | undefined {
  if (member.is_oauth === true && !institution.oauth) return { case: 'oauth_not_supported' };
  const credentials = member.credentials;
  const given = credentials !== undefined && credentials !== null && !(Array.isArray(credentials) && credentials.length === 0);
  return institution.oauth && given ? { case: 'oauth_credentials' } : undefined;
}

/** Adds a member that has not aggregated yet. */
export function addMemberRecord(
  store: SandboxStore,
  fields: {
    clientId: string; userGuid: string; id: string | null; institution: Institution; outcome: Outcome; metadata: string | null;
    now: number; fingerprint: string | null;
  },
): MemberRecord {
  const { institution } = fields;
  return store.addMember({
    clientId: fields.clientId,
    userGuid: fields.userGuid,
    id: fields.id,
    institutionCode: institution.code,
    institutionGuid: institution.guid,
    name: institution.name,
    metadata: fields.metadata,
    createdAt: fields.now,
    fingerprint: fields.fingerprint,
    timeline: {
      outcome: fields.outcome, manual: institution.manual, oauth: institution.oauth, startedAt: null, priorStatus: null, challengeGuid: null,
      answeredAt: null, answerStatus: null, job: 'aggregate', lastAggregatedAt: null, lastSuccessAt: null,
      deniedStreak: 0, round: 1, challengeFrom: null,
    },
  });
}

/** A new one-time `oauth_window_uri` for the member. */
function issueOAuthWindow(ctx: HandlerContext, member: MemberRecord, skipAggregation: boolean): string {
  return ctx.links.issue({
    kind: 'oauth', clientId: ctx.client.id, userGuid: member.userGuid, memberGuid: member.guid, institutionCode: null,
    callbackPayload: undefined, skipAggregation, issuedAt: ctx.now,
  });
}

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

/**
 * MX's update member: new credentials pick a new outcome and start an aggregation (unless
 * v20111101's `skip_aggregation` says not to); `id` and `metadata` change in place. An empty
 * `member` is a 400: the spec's update member, "While no single parameter is required, the request
 * body can't be empty".
 */
export const updateMember: Handler = (ctx) => {
  const member = ownMember(ctx);
  if (!isMember(member)) return member;
  const changes = rootObject(ctx.body, 'member');
  if (isSandboxError(changes)) return fail(changes);
  if (Object.keys(changes).length === 0) return fail({ case: 'empty_body', root: 'member' });
  const typeError = checkTypes(changes, 'member', MEMBER_FIELDS) ?? versionError(ctx, changes);
  if (typeError) return fail(typeError);
  const institution = INSTITUTIONS.get(member.institutionCode);
  let picked: Picked | undefined;
  if (changes.credentials !== undefined && changes.credentials !== null && institution && !institution.oauth) {
    const chosen = outcomeFor(ctx.store, institution, changes.credentials);
    if (isSandboxError(chosen)) return fail(chosen);
    picked = chosen;
  }
  if (typeof changes.id === 'string' && changes.id !== member.id) {
    if (!validExternalId(changes.id, 'MBR-')) return fail({ case: 'invalid_external_id', resource: 'member' });
    const existing = ctx.store.memberByExternalId(ctx.client.id, changes.id);
    if (existing) return fail({ case: 'duplicate', resource: 'member', id: changes.id, guid: existing.guid });
    ctx.store.changeMemberId(member, changes.id);
  }
  if ('metadata' in changes) member.metadata = typeof changes.metadata === 'string' ? changes.metadata : null;
  if (picked !== undefined) {
    member.fingerprint = picked.fingerprint;
    if (changes.skip_aggregation !== true) {
      startAggregation(member.timeline, ctx.now, ctx.options, `CRD-${randomUUID()}`, 'aggregate', picked.outcome);
    } else {
      member.timeline.outcome = picked.outcome;
    }
  }
  return { status: 200, json: { member: ctx.store.memberJson(member, ctx.now) } };
};

/**
 * MX's request OAuth window URI: a new one-time URI for an OAuth member (the old ones stay usable
 * until spent or expired); `skip_aggregation=true` keeps the member from aggregating once authorised.
 */
export const readOAuthWindow: Handler = (ctx) => {
  const member = ownMember(ctx);
  if (!isMember(member)) return member;
  if (!member.timeline.oauth) return fail({ case: 'oauth_not_supported' });
  const uri = issueOAuthWindow(ctx, member, ctx.query.get('skip_aggregation') === 'true');
  return { status: 200, json: { member: { guid: member.guid, oauth_window_uri: uri } } };
};

export const deleteMember: Handler = (ctx) => {
  const member = ownMember(ctx, true);
  if (!isMember(member)) return member;
  ctx.store.deleteMember(member);
  return { status: 204 };
};

/**
 * The credentials an institution asks for. v20250224 names it by `institution_identifier`:
 * "use either the `institution_code` or the institution `guid`" (the spec's institutionIdentifier).
 */
export const listInstitutionCredentials: Handler = (ctx) => {
  const institution = INSTITUTIONS.get(ctx.institutionCode) ??
    (ctx.version === 'v20250224' ? institutionByGuid(ctx.institutionCode) : undefined);
  if (!institution) return fail({ case: 'institution_not_found', onCreate: false });
  const { page, pagination } = paginate(institution.credentials, institution.credentials.length, ctx.query);
  return { status: 200, json: { credentials: page, pagination } };
};
