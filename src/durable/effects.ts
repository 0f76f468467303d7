/**
 * The effects the lifecycle machines invoke, built on an `MxClient`. Each actor resolves with the
 * call's value or rejects with its `ApiError` (the machines' contract, machines/actors.ts).
 *
 * Secrets stay out of every actor input and output: credential values come from the credentials
 * source at the moment `createMember` builds its request, and MFA answers wait in memory (never in a
 * snapshot) from the moment they are given until `resumeAggregation` sends them.
 */
import { makeApiError } from '../errors/make.js';
import { errAsync, ok, ResultAsync } from 'neverthrow';
import type { AnswerChallengeActorInput, ChallengeSummary, CredentialFieldRef } from '../../machines/actors.js';
import { summariseChallenge } from '../../machines/index.js';
import type { LifecycleEffects } from '../../machines/provide.js';
import type { ChallengeAnswer, CredentialValue, MxClient } from '../api/types.js';
import type { ApiError } from '../errors/types.js';
import { memberKey, type AnswerBox } from './perMember.js';

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

export type { AnswerBox };

const ALIASES: Record<string, string[]> = {
  username: ['username', 'login', 'user', 'user_name', 'userid', 'user_id'],
  password: ['password', 'pass', 'passcode', 'pin'],
};

function normalise(name: string | null | undefined): string {
  return (name ?? '').toLowerCase().replace(/^crd-/, '').replace(/[^a-z0-9_]/g, '');
}

/**
 * Maps values by field name onto the institution's credential guids. A field matches by its name,
 * by its guid's suffix, or through the usual aliases (LOGIN is `username`, PASSWORD is `password`).
 *
 * @example
 * credentialValuesFor({ username: 'mxuser', password: 'p' }, [{ guid: 'CRD-1', fieldName: 'LOGIN' }])
 * // [{ guid: 'CRD-1', value: 'mxuser' }]
 */
export function credentialValuesFor(values: Record<string, string>, fields: readonly CredentialFieldRef[]): CredentialValue[] {
  const byName = new Map(Object.entries(values).map(([name, value]) => [normalise(name), value]));
  const out: CredentialValue[] = [];
  for (const field of fields) {
    const names = [normalise(field.fieldName), normalise(field.guid)];
    let value = names.map((name) => byName.get(name)).find((v) => v !== undefined);
    if (value === undefined) {
      for (const [canonical, aliases] of Object.entries(ALIASES)) {
        if (names.some((name) => aliases.includes(name))) value = byName.get(canonical) ?? aliases.map((a) => byName.get(a)).find((v) => v !== undefined);
        if (value !== undefined) break;
      }
    }
    if (value !== undefined) out.push({ guid: field.guid, value });
  }
  return out;
}

/**
 * Maps answers by challenge guid, field name or label onto the challenges' guids.
 *
 * @example
 * answersFor({ 'CRD-1': 'correct' }, [{ guid: 'CRD-1', type: 'TEXT', label: 'Q?', fieldName: null, options: [] }])
 */
export function answersFor(given: Record<string, string> | ChallengeAnswer[], challenges: readonly ChallengeSummary[]): ChallengeAnswer[] {
  if (Array.isArray(given)) return given;
  return challenges.flatMap((challenge) => {
    const value = given[challenge.guid] ?? given[challenge.fieldName ?? ''] ?? given[challenge.label ?? ''];
    return value === undefined ? [] : [{ guid: challenge.guid, value }];
  });
}

function localError(message: string): ApiError {
  return makeApiError('validation', { message });
}

function answersLost(memberExternalId: string): ApiError {
  return makeApiError('challenge_expired', {
    message: `the answers for member "${memberExternalId}" were not kept across the restart (answers are never stored); answer its challenge again`,
  });
}

export interface LifecycleEffectsOptions {
  client: MxClient;
  credentials: CredentialsSource;
  answerChallenge?: AnswerSource;
  answers: AnswerBox;
  /** The `X-Callback-Payload` a member's create sends (MX echoes it in MEMBER webhooks). */
  callbackPayload?: (memberExternalId: string) => string | undefined;
}

/**
 * Builds every effect the lifecycle machines name, on one client, for `provideEffects(...)`.
 *
 * @example
 * const machines = provideEffects(createLifecycleEffects({ client, credentials, answers: new Map() }));
 */
export function createLifecycleEffects(options: LifecycleEffectsOptions): LifecycleEffects {
  const { client, credentials, answerChallenge, answers, callbackPayload } = options;
  return {
    createUser: (input, signal) => client.createUser({ id: input.externalId, email: input.email, metadata: input.metadata }, { signal }),
    // The guid a duplicate named is read directly; if it is gone, the external id is searched.
    findUser: (input, signal) =>
      input.userGuid === undefined
        ? client.findUserByExternalId(input.externalId, { signal })
        : client.readUser(input.userGuid, { signal }).orElse(() => client.findUserByExternalId(input.externalId, { signal })),
    deleteUser: (input, signal) => client.deleteUser(input.userGuid, { signal }),
    listCredentialFields: (input, signal) => client.listInstitutionCredentials(input.institutionCode, { signal }),
    createMember: (input, signal) =>
      ResultAsync.fromSafePromise(
        Promise.resolve(
          credentials({
            memberExternalId: input.externalId,
            userExternalId: input.userExternalId ?? null,
            institutionCode: input.institutionCode,
            userGuid: input.userGuid,
            fields: input.credentialFields,
          }),
        ),
      ).andThen((given) => {
        if (given === null) return errAsync(localError(`no credentials were given for member "${input.externalId}"`));
        const values = Array.isArray(given) ? given : credentialValuesFor(given, input.credentialFields);
        if (values.length === 0) {
          return errAsync(localError(`the credentials given for member "${input.externalId}" name none of the institution's fields`));
        }
        const payload = callbackPayload?.(input.externalId);
        return client.createMember(
          {
            userGuid: input.userGuid, id: input.externalId, institutionCode: input.institutionCode, credentials: values,
            ...(payload === undefined ? {} : { callbackPayload: payload }),
          },
          { signal },
        );
      }),
    findMember: (input, signal) =>
      input.memberGuid === undefined
        ? client.findMemberByExternalId(input.userGuid, input.externalId, { signal })
        : client.readMember(input.userGuid, input.memberGuid, { signal }).orElse(() => client.findMemberByExternalId(input.userGuid, input.externalId, { signal })),
    aggregateMember: (input, signal) => client.aggregateMember(input.userGuid, input.memberGuid, { signal }),
    readMemberStatus: (input, signal) => client.readMemberStatus(input.userGuid, input.memberGuid, { signal }),
    listChallenges: (input, signal) => client.listMemberChallenges(input.userGuid, input.memberGuid, { signal }),
    answerChallenge: async (input) => {
      const key = memberKey(input.userExternalId, input.memberExternalId);
      if (answers.has(key)) return ok({ answered: true });
      if (!answerChallenge) return ok({ answered: false });
      const given = await answerChallenge(input);
      if (given === null) return ok({ answered: false });
      answers.set(key, answersFor(given, input.challenges));
      return ok({ answered: true });
    },
    resumeAggregation: (input, signal) => {
      const key = memberKey(input.userExternalId, input.memberExternalId);
      const send = (given: ChallengeAnswer[]) =>
        client.resumeAggregation(input.userGuid, input.memberGuid, given, { signal }).map((member) => {
          answers.delete(key);
          return member;
        });
      const held = answers.get(key);
      if (held) return send(held);
      // Answers live in memory only, so a restart between answer and resume loses them: ask MX what is
      // still open. Nothing open means the resume got through before the restart.
      return client.listMemberChallenges(input.userGuid, input.memberGuid, { signal }).andThen((open) => {
        if (open.length === 0) return client.readMember(input.userGuid, input.memberGuid, { signal });
        const challenges = open.map(summariseChallenge);
        return ResultAsync.fromSafePromise(
          Promise.resolve(
            answerChallenge
              ? answerChallenge({ userGuid: input.userGuid, memberGuid: input.memberGuid, memberExternalId: input.memberExternalId, challenges })
              : null,
          ),
        ).andThen((given) =>
          given === null
            ? errAsync(answersLost(input.memberExternalId))
            : send(answersFor(given, challenges)),
        );
      });
    },
    deleteMember: (input, signal) => client.deleteMember(input.userGuid, input.memberGuid, { signal }),
  };
}
