/**
 * The user endpoints: create, read, find by external id, delete.
 */
import { ok, okAsync, errAsync, type ResultAsync } from 'neverthrow';
import type { ApiError } from '../errors/index.js';
import { call, findInPages, refuse, seg, type ApiContext, callOptionsOf } from './call.js';
import { unwrap, unwrapPage } from './parse.js';
import { isUser } from './schemas.js';
import type { CallOptions, CreateUserInput, MxUser } from './types.js';
import { checkExternalId, checkSegment } from './validate.js';

/**
 * A read by identifier that found nothing is `null`; a bare 404 (a wrong base URL) stays an error,
 * since it is `misconfigured`, not `not_found`, and so does a missing `parent` (the member's user).
 */
export function noneWhenNotFound<T>(read: ResultAsync<T, ApiError>, parent?: 'user'): ResultAsync<T | null, ApiError> {
  return read.orElse((error) =>
    error.kind === 'not_found' && (parent === undefined || error.resource !== parent) ? okAsync(null) : errAsync(error),
  );
}

/** Records per page when listing users by `id`: the filter leaves at most one. */
const USERS_PER_PAGE = 100;

/**
 * The user functions of an MX client.
 *
 * @example
 * ```ts
 * const users = userEndpoints({ transport, secrets: [apiKey] });
 * await users.createUser({ id: 'customer-42', email: 'a@example.com' });
 * ```
 */
export function userEndpoints(ctx: ApiContext) {
  
  return {
    createUser(input: CreateUserInput, options?: CallOptions): ResultAsync<MxUser, ApiError> {
      const invalid = checkExternalId(input?.id);
      if (invalid) return refuse(invalid);
      const user: Record<string, unknown> = { id: input.id };
      if (input.email !== undefined) user.email = input.email;
      if (input.metadata !== undefined) user.metadata = input.metadata;
      if (input.is_disabled !== undefined) user.is_disabled = input.is_disabled;
      return call(ctx, { method: 'POST', path: '/users', body: { user }, ...callOptionsOf(options) }, (res, p) =>
        unwrap(res, p, 'user', isUser),
      );
    },

    readUser(userGuid: string, options?: CallOptions): ResultAsync<MxUser, ApiError> {
      const invalid = checkSegment('user_guid', userGuid);
      if (invalid) return refuse(invalid);
      return call(ctx, { method: 'GET', path: `/users/${seg(userGuid)}`, ...callOptionsOf(options) }, (res, p) =>
        unwrap(res, p, 'user', isUser),
      );
    },

    findUserByExternalId(id: string, options?: CallOptions): ResultAsync<MxUser | null, ApiError> {
      const invalid = checkExternalId(id);
      if (invalid) return refuse(invalid);
      if (ctx.apiVersion === 'v20250224') {
        // `{user_identifier}` takes the external id: one read instead of a search.
        const read = call(ctx, { method: 'GET', path: `/users/${seg(id)}`, ...callOptionsOf(options) }, (res, p) => unwrap(res, p, 'user', isUser));
        return noneWhenNotFound(read).map((user) => (user !== null && user.id === id ? user : null));
      }
      return findInPages(
        (page) =>
          call(
            ctx,
            { method: 'GET', path: '/users', query: { id, page, records_per_page: USERS_PER_PAGE }, ...callOptionsOf(options) },
            (res, p) => unwrapPage(res, p, 'users', isUser),
          ),
        (user) => user.id === id,
      );
    },

    deleteUser(userGuid: string, options?: CallOptions): ResultAsync<void, ApiError> {
      const invalid = checkSegment('user_guid', userGuid);
      if (invalid) return refuse(invalid);
      return call(ctx, { method: 'DELETE', path: `/users/${seg(userGuid)}`, ...callOptionsOf(options) }, () => ok(undefined));
    },
  };
}
