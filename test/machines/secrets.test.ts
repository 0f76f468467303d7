/**
 * Secrets never rest (DESIGN.md fact 10): a member password, MFA answers, the API key and a token
 * are planted where a runtime keeps them (a credentials source, an answer store, the client), an
 * onboarding runs through create, MFA by actor and MFA by event, and neither any inspector event
 * nor any persisted snapshot may contain one of them, while the "wire" proves each was used.
 */
import { describe, expect, it, vi } from 'vitest';
import { createActor, fromPromise, waitFor, type InspectionEvent } from 'xstate';
import type { ChallengeAnswer, CredentialValue } from '../../src/api/types.js';
import { memberMachine, onboardingMachine, userMachine } from '../../machines/index.js';
import type {
  AnswerChallengeActorInput, CreateMemberActorInput, MemberRefActorInput, ResumeAggregationActorInput,
} from '../../machines/actors.js';
import { challenge, fields, member, ok, scripted, status, statePath, user } from './harness.js';

const PASSWORD = 'pw-4f9c1e-hunter2';
const ANSWER_BY_ACTOR = 'answer-77ab-blue';
const ANSWER_BY_EVENT = 'answer-19cd-green';
const API_KEY = 'key-0d5e8a3b';
const TOKEN = 'TOK:c0ffee-7f3a';
const SECRETS = [PASSWORD, ANSWER_BY_ACTOR, ANSWER_BY_EVENT, API_KEY, TOKEN];

/** JSON of anything an inspector hands out: actor refs become their id, cycles are cut. */
function dump(value: unknown): string {
  const seen = new WeakSet<object>();
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v !== 'object' || v === null) return v;
    if ('send' in v && 'getSnapshot' in v && 'id' in v) return `actor:${String((v as { id: unknown }).id)}`;
    if (seen.has(v)) return '[seen]';
    seen.add(v);
    return v;
  });
}

function leaks(text: string): string[] {
  return SECRETS.filter((secret) => text.includes(secret));
}

describe('no secret in any snapshot or inspector event', () => {
  it('the scanner finds a planted secret deep in an inspection event', () => {
    const event = { type: '@xstate.event', event: { type: 'x', output: { nested: [{ value: PASSWORD }] } } };
    expect(leaks(dump(event))).toEqual([PASSWORD]);
  });

  it('an onboarding with credentials and two MFA answers leaks none of them', async () => {
    // What the runtime holds: a credentials source, an answer store, and a client with a key and a token.
    const credentials = new Map([['cust-1-a', { username: 'mxuser', password: PASSWORD }], ['cust-1-b', { username: 'mxuser', password: PASSWORD }]]);
    const answers = new Map<string, ChallengeAnswer[]>();
    const wire: string[] = [];
    const send = (path: string, body: unknown) => wire.push(`${path} Authorization: Basic ${API_KEY} Bearer ${TOKEN} ${JSON.stringify(body)}`);

    const createMember = fromPromise(async ({ input }: { input: CreateMemberActorInput }) => {
      const given = credentials.get(input.externalId) ?? { username: '', password: '' };
      const values: CredentialValue[] = input.credentialFields.map((f) => ({ guid: f.guid, value: f.fieldName === 'password' ? given.password : given.username }));
      send('POST /members', { member: { id: input.externalId, credentials: values } });
      return member('CHALLENGED', `MBR-${input.externalId}`, input.externalId);
    });
    const answerChallenge = fromPromise(async ({ input }: { input: AnswerChallengeActorInput }) => {
      if (input.memberExternalId !== 'cust-1-a') return { answered: false };
      answers.set(input.memberExternalId, input.challenges.map((c) => ({ guid: c.guid, value: ANSWER_BY_ACTOR })));
      return { answered: true };
    });
    const resumeAggregation = fromPromise(async ({ input }: { input: ResumeAggregationActorInput }) => {
      send('PUT /resume', { member: { challenges: answers.get(input.memberExternalId) ?? [] } });
      answers.delete(input.memberExternalId);
      return member('RESUMED', input.memberGuid, input.memberExternalId);
    });
    const statuses = new Map<string, number>();
    const readMemberStatus = fromPromise(async ({ input }: { input: MemberRefActorInput }) => {
      const n = statuses.get(input.memberGuid) ?? 0;
      statuses.set(input.memberGuid, n + 1);
      return status(n === 0 ? 'CHALLENGED' : 'CONNECTED', input.memberGuid);
    });

    const machine = onboardingMachine.provide({
      actors: {
        user: userMachine.provide({ actors: scripted({ createUser: [ok(user())] }) }),
        member: memberMachine.provide({
          actors: {
            ...scripted({ listCredentialFields: [ok(fields), ok(fields)], listChallenges: [ok([challenge('CRD-q-a')]), ok([challenge('CRD-q-b')])] }),
            createMember, answerChallenge, resumeAggregation, readMemberStatus,
          },
        }),
      },
    });

    const inspected: InspectionEvent[] = [];
    const persisted: string[] = [];
    const actor = createActor(machine, {
      input: {
        externalId: 'cust-1',
        members: [{ externalId: 'cust-1-a', institutionCode: 'mxbank' }, { externalId: 'cust-1-b', institutionCode: 'mxbank' }],
      },
      inspect: (event) => inspected.push(event),
    });
    actor.subscribe(() => persisted.push(JSON.stringify(actor.getPersistedSnapshot())));
    actor.start();

    // Member b waits for an answer from outside: the runtime stores it, then says so by reference.
    const child = () => actor.getSnapshot().children['member:cust-1-b']?.getSnapshot();
    await vi.waitFor(() => expect(statePath(child()?.value)).toBe('awaitingAnswer.waitingForAnswer.sleeping'), { timeout: 2_000 });
    answers.set('cust-1-b', [{ guid: 'CRD-q-b', value: ANSWER_BY_EVENT }]);
    actor.send({ type: 'member.challenge.answered', memberExternalId: 'cust-1-b' });
    const done = await waitFor(actor, (s) => s.status === 'done', { timeout: 2_000 });

    expect(done.output).toMatchObject({ outcome: 'done', members: [{ outcome: 'connected' }, { outcome: 'connected' }] });
    // Each secret did travel, on the wire only.
    expect(SECRETS.filter((secret) => wire.some((line) => line.includes(secret)))).toEqual(SECRETS);

    const types = new Set(inspected.map((e) => e.type));
    expect([...types]).toEqual(expect.arrayContaining(['@xstate.actor', '@xstate.event', '@xstate.snapshot']));
    expect(inspected.length).toBeGreaterThan(50);
    expect(persisted.length).toBeGreaterThan(3);
    const leaked = [...inspected.map(dump), ...persisted].flatMap((text) => leaks(text));
    expect(leaked).toEqual([]);
  });
});
