/**
 * `/users` and `/users/{user_guid}`: create, list (filtered by `id`, `email`, `is_disabled`),
 * read, update and delete, with the documented user errors.
 */
import type { SandboxError } from '../renderError.js';
import type { UserRecord } from '../store.js';
import { acceptsExternalIds } from '../versions.js';
import {
  checkTypes, fail, isSandboxError, paginate, rootObject, validExternalId,
  type Handler, type HandlerContext, type Reply,
} from './context.js';

const USER_FIELDS = { id: 'string', email: 'string', metadata: 'string', is_disabled: 'boolean' } as const;

/** The body's `user` object, checked, or the error to answer with. */
function userBody(ctx: HandlerContext): { fields: Record<string, unknown> } | { error: SandboxError } {
  const user = rootObject(ctx.body, 'user');
  if (isSandboxError(user)) return { error: user };
  if (Object.keys(user).length === 0) return { error: { case: 'missing_fields', fields: ['user'] } };
  const typeError = checkTypes(user, 'user', USER_FIELDS);
  if (typeError) return { error: typeError };
  if (typeof user.id === 'string' && !validExternalId(user.id, 'USR-')) {
    return { error: { case: 'invalid_external_id', resource: 'user' } };
  }
  return { fields: user };
}

const str = (value: unknown): string | null => (typeof value === 'string' ? value : null);

/**
 * The caller's user named in the path (by guid; in v20250224 by external id too), or the
 * documented not-found error.
 */
export function ownUser(ctx: HandlerContext): UserRecord | Reply {
  const { store, client, userGuid } = ctx;
  const byId = acceptsExternalIds(ctx.version) && !userGuid.startsWith('USR-') ? store.userByExternalId(client.id, userGuid) : undefined;
  return byId ?? store.user(client.id, userGuid) ?? fail({ case: 'user_not_found', guid: userGuid });
}

export const isUser = (value: UserRecord | Reply): value is UserRecord => 'guid' in value;

export const createUser: Handler = (ctx) => {
  if (ctx.client.associated === false) return fail({ case: 'client_not_associated' });
  const body = userBody(ctx);
  if ('error' in body) return body;
  const user = body.fields;
  const id = str(user.id);
  const existing = id === null ? undefined : ctx.store.userByExternalId(ctx.client.id, id);
  if (id !== null && existing) return fail({ case: 'duplicate', resource: 'user', id, guid: existing.guid });
  const created = ctx.store.addUser({
    clientId: ctx.client.id,
    id,
    email: str(user.email),
    is_disabled: user.is_disabled === true,
    metadata: str(user.metadata),
  });
  return { status: 200, json: { user: ctx.store.userJson(created, ctx.version) } };
};

export const listUsers: Handler = (ctx) => {
  const { store, client, query } = ctx;
  const id = query.get('id');
  const email = query.get('email');
  const disabled = query.get('is_disabled');
  let users: Iterable<UserRecord>;
  let total: number;
  if (id !== null) {
    const found = store.userByExternalId(client.id, id);
    users = found && (email === null || found.email === email) ? [found] : [];
    total = (users as UserRecord[]).length;
  } else if (email !== null || disabled !== null) {
    const matching = [...store.usersOf(client.id)].filter(
      (u) => (email === null || u.email === email) && (disabled === null || String(u.is_disabled) === disabled),
    );
    users = matching;
    total = matching.length;
  } else {
    users = store.usersOf(client.id);
    total = store.userCount(client.id);
  }
  const { page, pagination } = paginate(users, total, query);
  return { status: 200, json: { users: page.map((u) => store.userJson(u, ctx.version)), pagination } };
};

export const readUser: Handler = (ctx) => {
  const user = ownUser(ctx);
  return isUser(user) ? { status: 200, json: { user: ctx.store.userJson(user, ctx.version) } } : user;
};

export const updateUser: Handler = (ctx) => {
  const user = ownUser(ctx);
  if (!isUser(user)) return user;
  const body = userBody(ctx);
  if ('error' in body) return body;
  const changes = body.fields;
  if (typeof changes.id === 'string' && changes.id !== user.id) {
    const existing = ctx.store.userByExternalId(ctx.client.id, changes.id);
    if (existing) return fail({ case: 'duplicate', resource: 'user', id: changes.id, guid: existing.guid });
    ctx.store.changeUserId(user, changes.id);
  }
  if ('email' in changes) user.email = str(changes.email);
  if ('metadata' in changes) user.metadata = str(changes.metadata);
  if (typeof changes.is_disabled === 'boolean') user.is_disabled = changes.is_disabled;
  return { status: 200, json: { user: ctx.store.userJson(user, ctx.version) } };
};

export const deleteUser: Handler = (ctx) => {
  const user = ownUser(ctx);
  if (!isUser(user)) return user;
  ctx.store.deleteUser(user);
  return { status: 204 };
};
