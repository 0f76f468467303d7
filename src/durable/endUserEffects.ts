/**
 * The effects of connections the end user makes: choosing how a connection connects when the input
 * did not say, finding the member a widget's end user made, and adopting it (naming it after the
 * connection at MX, so a restart or a retry finds it by external id like any member we created).
 */
import { errAsync, okAsync, ResultAsync } from 'neverthrow';
import type { LifecycleEffects } from '../../machines/index.js';
import type { CallOptions, MxClient, MxInstitution, MxMember } from '../api/index.js';
import { makeApiError } from '../errors/index.js';
import type { ApiError } from '../errors/index.js';
import type { CredentialsSource } from './sources.js';

type EndUserEffects = Pick<LifecycleEffects, 'chooseConnect' | 'findEndUserMember' | 'adoptMember'>;

/**
 * The member the end user made for `externalId`: the one already named after it (adopted before a
 * restart), else one no connection has named yet, at the connection's bank when it names one.
 *
 * @example
 * ```ts
 * endUserMemberOf(members, 'cust-1-widget', ''); // the user's unnamed member, or null
 * ```
 */
export function endUserMemberOf(members: readonly MxMember[], externalId: string, institutionCode: string): MxMember | null {
  return (
    members.find((m) => m.id === externalId) ??
    members.find((m) => (m.id === null || m.id === '') && (institutionCode === '' || m.institution_code === institutionCode)) ??
    null
  );
}

/**
 * Builds `chooseConnect`, `findEndUserMember` and `adoptMember` on one client; `supports_oauth` is
 * read once per institution for the life of these effects (one job run).
 *
 * @example
 * ```ts
 * const effects = { ...createLifecycleEffects(options), ...createEndUserEffects(client, credentials) };
 * ```
 */
export function createEndUserEffects(
  client: MxClient, credentials: CredentialsSource, on: (signal: AbortSignal) => CallOptions = (signal) => ({ signal }),
): EndUserEffects {
  const institutions = new Map<string, Promise<MxInstitution | ApiError>>();
  const readInstitution = (code: string, signal: AbortSignal): ResultAsync<MxInstitution, ApiError> => {
    let cached = institutions.get(code);
    if (!cached) {
      cached = client.readInstitution(code, on(signal)).match((value) => value, (error) => error);
      institutions.set(code, cached);
    }
    return ResultAsync.fromSafePromise(cached).andThen((value) => {
      if ('code' in value && typeof value.code === 'string' && !('kind' in value)) return okAsync(value);
      institutions.delete(code); // an error is not worth keeping: the next connection asks again
      return errAsync(value as ApiError);
    });
  };
  return {
    chooseConnect: (input, signal) =>
      ResultAsync.fromSafePromise(
        Promise.resolve(
          credentials({
            memberExternalId: input.externalId, userExternalId: input.userExternalId ?? null, institutionCode: input.institutionCode,
            userGuid: input.userGuid, fields: [],
          }),
        ),
      ).andThen((given) => {
        // The values are dropped here: only whether there are any decides.
        const hasLogin = given !== null && (Array.isArray(given) ? given.length > 0 : Object.keys(given).length > 0);
        if (hasLogin) return okAsync('credentials' as const);
        return readInstitution(input.institutionCode, signal)
          .map((institution) => (institution.supports_oauth === true ? 'oauth' as const : 'credentials' as const))
          // No such institution (or no institution endpoint): the create says what is wrong, as it always did.
          .orElse((error) => (error.status === 404 ? okAsync('credentials' as const) : errAsync(error)));
      }),
    findEndUserMember: (input, signal) =>
      client.listMembers(input.userGuid, on(signal)).map((members) => endUserMemberOf(members, input.externalId, input.institutionCode)),
    adoptMember: (input, signal) =>
      client.readMember(input.userGuid, input.memberGuid, on(signal)).andThen((member) => {
        if (member.id === input.externalId) return okAsync(member);
        if (member.id !== null && member.id !== '') {
          // Another connection's member (a stale or forged notice): not ours to take.
          return errAsync(makeApiError('not_found', { message: `member ${input.memberGuid} belongs to another connection` }));
        }
        return client.updateMember(input.userGuid, input.memberGuid, { id: input.externalId }, on(signal));
      }),
  };
}
