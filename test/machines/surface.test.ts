/**
 * The surface the runtime and the inspector see: effects provided from Result-returning
 * functions, the snapshot readers, and the names and descriptions a reader of the inspector meets.
 */
import { errAsync, okAsync } from 'neverthrow';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createActor, waitFor, type AnyStateMachine } from 'xstate';
import { getStateNodes } from 'xstate/graph';
import {
  awaitedChallengesOf, haltOf, isHalted, itemStateOf, memberMachine, openChallengesOf, offboardingMachine, onboardingMachine, pendingDueAt, provideEffects, userMachine,
} from '../../machines/index.js';
import type { MxUser } from '../../src/api/types.js';
import { tokenMachine } from '../../src/http/token.machine.js';
import type { ApiError } from '../../src/errors/types.js';
import { apiError, challenge, fields, member, status, user } from './harness.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('provideEffects', () => {
  it('runs an onboarding on Result-returning effects, and an Err becomes the classified failure', async () => {
    const calls: string[] = [];
    const machines = provideEffects({
      createUser: (input) => (calls.push(`createUser ${input.externalId}`), okAsync(user('USR-5'))),
      listCredentialFields: () => okAsync(fields),
      createMember: (input) => (calls.push(`createMember ${input.userGuid}`), okAsync(member('CREATED'))),
      readMemberStatus: () => okAsync(status('CONNECTED')),
    });
    const actor = createActor(machines.onboarding, { input: { externalId: 'cust-1', members: [{ externalId: 'a', institutionCode: 'mxbank' }] } }).start();
    const done = await waitFor(actor, (s) => s.status === 'done', { timeout: 1_000 });
    expect(done.output).toMatchObject({ outcome: 'done', userGuid: 'USR-5', members: [{ outcome: 'connected' }] });
    expect(calls).toEqual(['createUser cust-1', 'createMember USR-5']);

    const failing = provideEffects({ createUser: () => errAsync(apiError('validation', { message: 'bad email' })) });
    const failed = await waitFor(createActor(failing.user, { input: { externalId: 'c' } }).start(), (s) => s.status === 'done', { timeout: 1_000 });
    expect(failed.output).toMatchObject({ outcome: 'failed', error: { kind: 'validation', message: 'bad email' } });
  });

  it('an effect nobody provided fails its item loudly, naming the actor', async () => {
    const machines = provideEffects({ findUser: () => okAsync<MxUser | null, ApiError>(null) });
    const done = await waitFor(createActor(machines.offboarding, { input: { externalId: 'c', userGuid: 'USR-1' } }).start(), (s) => s.status === 'done', {
      timeout: 1_000,
    });
    expect(done.output).toMatchObject({ outcome: 'failed', error: { kind: 'unknown', message: expect.stringContaining('actor "deleteUser" must be provided') } });
  });
});

describe('snapshot readers', () => {
  it('pendingDueAt is the live wait\'s due time, the same on a live and a persisted snapshot, and null otherwise', async () => {
    vi.useFakeTimers({ now: 5_000 });
    const machines = provideEffects({ listCredentialFields: () => okAsync(fields), createMember: () => okAsync(member()), readMemberStatus: () => okAsync(status('PENDING')) });
    const actor = createActor(machines.member, { input: { userGuid: 'U', externalId: 'm', institutionCode: 'mxbank', options: { pollIntervalMs: 4_000 } } }).start();
    expect(pendingDueAt(actor.getSnapshot())).toBeNull();
    await vi.advanceTimersByTimeAsync(0);
    expect(pendingDueAt(actor.getSnapshot())).toBe(9_000);
    expect(pendingDueAt(JSON.parse(JSON.stringify(actor.getPersistedSnapshot())))).toBe(9_000);
    expect(itemStateOf(actor.getSnapshot())).toBe('active');
    actor.stop();
    expect(pendingDueAt(null)).toBeNull();
  });

  it('itemStateOf maps each final outcome, and haltOf names the error of a halted item only', async () => {
    const machines = provideEffects({ createUser: () => okAsync(user()), deleteUser: () => errAsync(apiError('unauthorized')) });
    const ready = await waitFor(createActor(machines.user, { input: { externalId: 'c' } }).start(), (s) => s.status === 'done', { timeout: 1_000 });
    expect(itemStateOf(ready)).toBe('done');
    expect(isHalted(ready)).toBe(false);
    expect(haltOf(ready)).toBeNull();
    const halted = createActor(machines.offboarding, { input: { externalId: 'c', userGuid: 'U' } }).start();
    await waitFor(halted, (s) => s.matches('halted'), { timeout: 1_000 });
    expect(itemStateOf(halted.getPersistedSnapshot())).toBe('halted');
    expect(haltOf(halted.getPersistedSnapshot())).toMatchObject({ kind: 'unauthorized', scope: 'job' });
    expect(itemStateOf({ status: 'done', output: { outcome: 'needsAction' } })).toBe('needsAction');
    expect(itemStateOf({ status: 'done', output: { outcome: 'failed' } })).toBe('failed');
    expect(itemStateOf({ status: 'error', error: {} })).toBe('failed');
  });
});

describe('challenge readers', () => {
  it('name the member that waits for answers from outside and its challenges, live and persisted', async () => {
    const machines = provideEffects({
      createUser: () => okAsync(user()),
      listCredentialFields: () => okAsync(fields),
      createMember: () => okAsync(member('CREATED', 'MBR-1', 'cust-1-bank')),
      readMemberStatus: () => okAsync(status('CHALLENGED')),
      listChallenges: () => okAsync([challenge('CRD-7')]),
      answerChallenge: () => okAsync<{ answered: boolean }, ApiError>({ answered: false }),
    });
    const actor = createActor(machines.onboarding, { input: { externalId: 'cust-1', members: [{ externalId: 'cust-1-bank', institutionCode: 'mxbank' }] } }).start();
    const child = () => actor.getSnapshot().children['member:cust-1-bank'];
    // A child's move does not change the parent's snapshot: poll the child.
    await vi.waitFor(() => expect(awaitedChallengesOf('member:cust-1-bank', child()?.getSnapshot())).not.toBeNull(), { timeout: 1_000 });
    expect(awaitedChallengesOf('member:cust-1-bank', child()?.getSnapshot())).toMatchObject({ memberId: 'cust-1-bank', challenges: [{ guid: 'CRD-7', fieldName: 'colour' }] });
    // Not a member machine, or a member that is not waiting: nothing to answer.
    expect(awaitedChallengesOf('user', child()?.getSnapshot())).toBeNull();
    expect(awaitedChallengesOf('member:cust-1-bank', { value: 'polling', context: {} })).toBeNull();
    const persisted = JSON.parse(JSON.stringify(actor.getPersistedSnapshot())) as unknown;
    expect(openChallengesOf(persisted, 'cust-1-bank').map((c) => c.guid)).toEqual(['CRD-7']);
    expect(openChallengesOf(actor.getSnapshot(), 'cust-1-bank').map((c) => c.guid)).toEqual(['CRD-7']);
    expect(openChallengesOf(persisted, 'another-member')).toEqual([]);
    actor.stop();
  });
});

describe('names for the inspector', () => {
  const machines: AnyStateMachine[] = [userMachine, memberMachine, offboardingMachine, onboardingMachine, tokenMachine];

  it('every state has a description and a camelCase name', () => {
    const states = machines.flatMap((m) => [m.root, ...getStateNodes(m.root)]);
    expect(states.length).toBeGreaterThan(40);
    expect(states.filter((s) => !s.description || s.description.length < 10).map((s) => s.id)).toEqual([]);
    expect(states.filter((s) => !/^[a-z][A-Za-z]*$/.test(s.key)).map((s) => s.id)).toEqual([]);
  });

  it('every event a machine takes is lowercase and dotted (or an xstate.* actor event)', () => {
    const types = machines.flatMap((m) => [m.root, ...getStateNodes(m.root)]).flatMap((s) => [...s.transitions.keys()]);
    const own = [...new Set(types.filter((t) => !t.startsWith('xstate.')))].toSorted();
    expect(own).toEqual(['job.resume', 'member.challenge.answered', 'member.enduser.linked', 'member.halted', 'member.status.changed', 'token.expired', 'token.requested', 'user.halted']);
  });
});
