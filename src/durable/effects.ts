/**
 * The effects the lifecycle machines invoke, built on an `MxClient`. Each actor resolves with the
 * call's value or rejects with its `ApiError` (the machines' contract, machines/actors.ts).
 *
 * Secrets stay out of every actor input and output: credential values come from the credentials
 * source at the moment `createMember` builds its request, and MFA answers wait in memory (never in a
 * snapshot) from the moment they are given until `resumeAggregation` sends them.
 */
import { defined } from '../_internals/index.js';
import { makeApiError } from '../errors/index.js';
import { errAsync, ok, ResultAsync } from 'neverthrow';
import type { AnyActorRef } from 'xstate';
import {
  summariseChallenge, type CreateMemberActorInput, type CredentialFieldRef,
} from '../../machines/_internals/index.js';
import type { ChallengeSummary, LifecycleEffects } from '../../machines/index.js';
import type { ChallengeAnswer, CredentialValue, MxClient } from '../api/index.js';
import type { ApiError } from '../errors/index.js';
import { createCallNotes, type ExchangeListener } from './callNotes.js';
import { createEndUserEffects } from './endUserEffects.js';
import { createRefreshAggregate } from './refreshEffects.js';
import { memberKey, type AnswerBox } from './perMember.js';
import type { AnswerSource, ChallengeRequest, CredentialRequest, CredentialsSource } from './sources.js';

export type { AnswerSource, ChallengeRequest, CredentialRequest, CredentialsSource } from './sources.js';
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
  /**
   * A retry: a member MX already has is never created again. It is found by its external id first,
   * and the credentials given for it (if any) replace the old ones through update member, which
   * aggregates with them, once per process; without credentials it is aggregated as it is.
   */
  replaceCredentials?: boolean;
  /** Hears every MX exchange with the session of the machine it was made for (a customer's history). */
  onExchange?: ExchangeListener;
}

/** The "already exists" error a retry's lookup stands for, so the member machine recovers the member MX has. */
function existingMemberError(memberExternalId: string, guid: string): ApiError {
  return { kind: 'duplicate', status: 409, retryable: false, scope: 'item', dialect: 'network', guid, message: `member "${memberExternalId}" already exists at MX` };
}

/**
 * Builds every effect the lifecycle machines name, on one client, for `provideEffects(...)`.
 *
 * @example
 * const machines = provideEffects(createLifecycleEffects({ client, credentials, answers: new Map() }));
 */
export function createLifecycleEffects(options: LifecycleEffectsOptions): LifecycleEffects {
  const { client, credentials, answerChallenge, answers, callbackPayload, replaceCredentials = false } = options;
  const notes = createCallNotes(options.onExchange);
  const { on } = notes;
  const givenFor = (input: CreateMemberActorInput) =>
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
    );
  const valuesOf = (given: Awaited<ReturnType<CredentialsSource>>, input: CreateMemberActorInput): CredentialValue[] =>
    given === null ? [] : Array.isArray(given) ? given : credentialValuesFor(given, input.credentialFields);
  /** Members whose credentials this process replaced already: a later re-aggregation is a plain one. */
  const replaced = new Set<string>();
  const createOauth = (input: CreateMemberActorInput, signal: AbortSignal) => {
    const payload = callbackPayload?.(input.externalId);
    return client.createMember(
      {
        userGuid: input.userGuid, id: input.externalId, institutionCode: input.institutionCode, credentials: [], isOauth: true,
        ...defined({ callbackPayload: payload }),
      },
      on(signal),
    );
  };
  const create = (input: CreateMemberActorInput, signal: AbortSignal) =>
    input.isOauth === true ? createOauth(input, signal) : givenFor(input).andThen((given) => {
      if (given === null) return errAsync(localError(`no credentials were given for member "${input.externalId}"; give them, or connect it through the end user ("connect": "oauth" or "widget")`));
      const values = valuesOf(given, input);
      if (values.length === 0) {
        return errAsync(localError(`the credentials given for member "${input.externalId}" name none of the institution's fields`));
      }
      const payload = callbackPayload?.(input.externalId);
      return client.createMember(
        {
          userGuid: input.userGuid, id: input.externalId, institutionCode: input.institutionCode, credentials: values,
          ...defined({ callbackPayload: payload }),
        },
        on(signal),
      );
    });
  const effects: LifecycleEffects = {
    createUser: (input, signal) => client.createUser({ id: input.externalId, email: input.email, metadata: input.metadata }, on(signal)),
    // The guid a duplicate named is read directly; if it is gone, the external id is searched.
    findUser: (input, signal) =>
      input.userGuid === undefined
        ? client.findUserByExternalId(input.externalId, on(signal))
        : client.readUser(input.userGuid, on(signal)).orElse(() => client.findUserByExternalId(input.externalId, on(signal))),
    deleteUser: (input, signal) => client.deleteUser(input.userGuid, on(signal)),
    listCredentialFields: (input, signal) => client.listInstitutionCredentials(input.institutionCode, on(signal)),
    createMember: (input, signal) =>
      replaceCredentials
        ? client.findMemberByExternalId(input.userGuid, input.externalId, on(signal)).andThen((existing) =>
          existing ? errAsync(existingMemberError(input.externalId, existing.guid)) : create(input, signal))
        : create(input, signal),
    findMember: (input, signal) =>
      input.memberGuid === undefined
        ? client.findMemberByExternalId(input.userGuid, input.externalId, on(signal))
        : client.readMember(input.userGuid, input.memberGuid, on(signal)).orElse(() => client.findMemberByExternalId(input.userGuid, input.externalId, on(signal))),
    aggregateMember: (input, signal) => {
      const key = memberKey(input.userExternalId, input.externalId);
      // MX echoes the payload in the MEMBER webhooks an update or an aggregation causes, as on create.
      const payload = callbackPayload?.(input.externalId);
      const echoed = defined({ callbackPayload: payload });
      const aggregate = () => client.aggregateMember(input.userGuid, input.memberGuid, { ...on(signal), ...echoed });
      if (!replaceCredentials || replaced.has(key)) return aggregate();
      return givenFor(input).map((given) => valuesOf(given, input)).andThen((values) => {
        if (values.length === 0) return aggregate();
        return client.updateMember(input.userGuid, input.memberGuid, { credentials: values, ...echoed }, on(signal)).map((member) => {
          replaced.add(key);
          return member;
        });
      });
    },
    readMemberStatus: (input, signal) => client.readMemberStatus(input.userGuid, input.memberGuid, on(signal)),
    listChallenges: (input, signal) => client.listMemberChallenges(input.userGuid, input.memberGuid, on(signal)),
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
        client.resumeAggregation(input.userGuid, input.memberGuid, given, on(signal)).map((member) => {
          answers.delete(key);
          return member;
        });
      const held = answers.get(key);
      if (held) return send(held);
      // Answers live in memory only, so a restart between answer and resume loses them: ask MX what is
      // still open. Nothing open means the resume got through before the restart.
      return client.listMemberChallenges(input.userGuid, input.memberGuid, on(signal)).andThen((open) => {
        if (open.length === 0) return client.readMember(input.userGuid, input.memberGuid, on(signal));
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
    deleteMember: (input, signal) => client.deleteMember(input.userGuid, input.memberGuid, on(signal)),
    ...createEndUserEffects(client, credentials, on),
    aggregateForRefresh: createRefreshAggregate(client, Date.now(), on),
  };
  if (!options.onExchange) return effects;
  const bound = {} as Record<string, unknown>;
  for (const [name, effect] of Object.entries(effects) as [string, (input: unknown, signal: AbortSignal, caller?: AnyActorRef) => unknown][]) {
    bound[name] = (input: unknown, signal: AbortSignal, caller?: AnyActorRef) => {
      notes.bind(signal, caller);
      return effect(input, signal, caller);
    };
  }
  return bound as LifecycleEffects;
}
