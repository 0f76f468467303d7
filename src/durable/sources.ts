/**
 * The sources a program gives the runtime for what it never stores: member credentials, asked for
 * when a member is created, and MFA answers, asked for when a challenge opens. They sit apart from
 * effects.ts so that the effects built from them (endUserEffects.ts among them) need not import it.
 */
import type { AnswerChallengeActorInput, CredentialFieldRef } from '../../machines/_internals/index.js';
import type { ChallengeAnswer, CredentialValue } from '../api/index.js';

/** What a credentials source is asked for: one member's login, at the moment it is created. */
export interface CredentialRequest {
  memberExternalId: string;
  /** The customer (user external id) the member belongs to; `null` for items stored before it was kept. */
  userExternalId: string | null;
  institutionCode: string;
  userGuid: string;
  /** The institution's credential fields (guid and field name), as MX lists them. */
  fields: readonly CredentialFieldRef[];
}

/**
 * Where member credentials come from: values by field name (`username`, `password`, or the
 * institution's field names), or `{guid, value}` pairs; `null` when there are none.
 */
export type CredentialsSource = (
  request: CredentialRequest,
) => Promise<Record<string, string> | CredentialValue[] | null> | Record<string, string> | CredentialValue[] | null;

/** What an answer source is asked: the open challenges of one member. */
export type ChallengeRequest = AnswerChallengeActorInput;

/**
 * Answers MFA challenges as they come: answers by challenge guid (or `{guid, value}` pairs), or `null`
 * to wait for `runtime.answer(...)` from elsewhere (a person, a queue).
 */
export type AnswerSource = (
  request: ChallengeRequest,
) => Promise<Record<string, string> | ChallengeAnswer[] | null> | Record<string, string> | ChallengeAnswer[] | null;
