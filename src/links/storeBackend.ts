/**
 * The link server's backend for a job the runtime runs: connections are read from the job's
 * store, URLs are minted with the job's MX client, and openings are counted in the store.
 */
import { errAsync } from 'neverthrow';
import type { MxClient } from '../api/index.js';
import { encodeEndUserPayload, findEndUserConnection, type SnapshotStore } from '../durable/index.js';
import { makeApiError } from '../errors/index.js';
import type { LinkBackend } from './handler.js';

export interface StoreLinkBackendOptions {
  store: SnapshotStore;
  client: Pick<MxClient, 'requestWidgetUrl' | 'readOauthWindowUri'>;
}

/**
 * A backend over `store` and `client`.
 *
 * @example
 * ```ts
 * const backend = createStoreLinkBackend({ store, client });
 * await startLinkServer({ port: 8080, keys, backend, servesJob: (id) => id === 'march', redirects: mxRedirectPolicy(baseUrl) });
 * ```
 */
export function createStoreLinkBackend(options: StoreLinkBackendOptions): LinkBackend {
  const { store, client } = options;
  return {
    async find(ref) {
      const found = await findEndUserConnection(store, ref.jobId, ref.customerId, ref.connectionId);
      if (found === null) return null;
      return { kind: found.kind, waiting: found.waiting, userGuid: found.userGuid, memberGuid: found.memberGuid, institutionCode: found.institutionCode };
    },
    mint(ref, target) {
      if (target.userGuid === undefined) return errAsync(makeApiError('unknown', { retryable: true, message: 'The customer has no MX user yet.' }));
      if (target.kind === 'oauth') {
        if (target.memberGuid === undefined) return errAsync(makeApiError('unknown', { retryable: true, message: 'The OAuth member is not created yet.' }));
        return client.readOauthWindowUri(target.userGuid, target.memberGuid);
      }
      return client.requestWidgetUrl(target.userGuid, {
        ...(target.memberGuid === undefined ? {} : { currentMemberGuid: target.memberGuid }),
        ...(target.institutionCode === undefined ? {} : { currentInstitutionCode: target.institutionCode }),
        callbackPayload: encodeEndUserPayload(ref),
      });
    },
    opened: (ref) => store.recordEndUserEvent(ref.jobId, ref.customerId, ref.connectionId, 'opened'),
  };
}
