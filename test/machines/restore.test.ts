/**
 * DESIGN.md fact 2: XState does not persist delayed events, so every wait that must survive a
 * restart is an invoked `sleepUntil` with an absolute due time. For every waiting state: take the
 * persisted snapshot halfway through the wait, throw the actor away, restore a new one from the
 * JSON, and check that it fires when the *remaining* time has passed — not at once, not a full
 * wait later, not never — and that `pendingDueAt` names that due time for the runtime.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createActor, type AnyStateMachine } from 'xstate';
import {
  memberMachine, offboardingMachine, onboardingMachine, pendingDueAt, userMachine, type LifecycleActorName,
} from '../../machines/index.js';
import { challenge, err, fields, member, ok, scripted, status, statePath, user, type Call, type Outcome } from './harness.js';

type Script = Partial<Record<LifecycleActorName, Outcome[]>>;
const T0 = 1_700_000_000_000;

interface WaitCase {
  name: string;
  /** The machine with a script's stubs provided. */
  machine: (script: Script, calls: Call[]) => AnyStateMachine;
  input: unknown;
  /** What leads into the wait. */
  before: Script;
  /** What the restored actor meets after the wait. */
  after: Script;
  waiting: string;
  dueAt: number;
  next: string;
}

const memberInput = { userGuid: 'USR-1', externalId: 'cust-1-bank', institutionCode: 'mxbank' };
// MX's OAuth guide: the member stays PENDING until the end user authorises at its oauth_window_uri.
const endUserInput = { ...memberInput, institutionCode: 'oauthbank', options: { endUserPollMs: 60_000, endUserWaitMs: 600_000 } };
const toPolling: Script = { listCredentialFields: [ok(fields)], createMember: [ok(member())] };
const withActors = (machine: AnyStateMachine) => (script: Script, calls: Call[]) => machine.provide({ actors: scripted(script, calls) } as never);
const onboarding = (script: Script, calls: Call[]) =>
  onboardingMachine.provide({
    actors: {
      user: userMachine.provide({ actors: scripted(script, calls) }),
      member: memberMachine.provide({ actors: scripted(script, calls) }),
    },
  });

const CASES: WaitCase[] = [
  {
    name: 'user backoff (waitingToRetry, Retry-After 10 s)',
    machine: withActors(userMachine),
    input: { externalId: 'cust-1' },
    before: { createUser: [err('unavailable', { retryAfterMs: 10_000 })] },
    after: { createUser: [ok(user())] },
    waiting: 'waitingToRetry',
    dueAt: T0 + 10_000,
    next: 'ready',
  },
  {
    name: 'member backoff (waitingToRetry, Retry-After 8 s)',
    machine: withActors(memberMachine),
    input: memberInput,
    before: { listCredentialFields: [ok(fields)], createMember: [err('rate_limited', { retryAfterMs: 8_000 })] },
    after: { createMember: [ok(member())], readMemberStatus: [ok(status('CONNECTED'))] },
    waiting: 'waitingToRetry',
    dueAt: T0 + 8_000,
    next: 'connected',
  },
  {
    name: 'member polling (polling.waitingToPoll, 3 s)',
    machine: withActors(memberMachine),
    input: memberInput,
    before: { ...toPolling, readMemberStatus: [ok(status('PENDING'))] },
    after: { readMemberStatus: [ok(status('CONNECTED'))] },
    waiting: 'polling.waitingToPoll',
    dueAt: T0 + 3_000,
    next: 'connected',
  },
  {
    name: 'member MFA answer window (awaitingAnswer.waitingForAnswer, 60 s)',
    machine: withActors(memberMachine),
    // Status reads while waiting come after the window here, so the window is the wait that is restored.
    input: { ...memberInput, options: { answerWindowMs: 60_000, pollIntervalMs: 120_000 } },
    before: { ...toPolling, readMemberStatus: [ok(status('CHALLENGED'))], listChallenges: [ok([challenge()])], answerChallenge: [ok({ answered: false })] },
    after: {},
    waiting: 'awaitingAnswer.waitingForAnswer.sleeping',
    dueAt: T0 + 60_000,
    next: 'needsAction',
  },
  {
    // MX: DEGRADED is temporary ("website maintenance"), aggregate again later (issue 24, item 5).
    name: 'member after a temporary status (waitingToRetryStatus, DEGRADED, 20 s)',
    machine: withActors(memberMachine),
    input: { ...memberInput, options: { statusRetryDelayMs: 20_000 } },
    before: { ...toPolling, readMemberStatus: [ok(status('DEGRADED'))] },
    after: { aggregateMember: [ok(member())], readMemberStatus: [ok(status('CONNECTED'))] },
    waiting: 'waitingToRetryStatus',
    dueAt: T0 + 20_000,
    next: 'connected',
  },
  {
    name: 'OAuth member waiting for its end user (awaitingEndUser.sleeping, endUserPollMs 60 s)',
    machine: withActors(memberMachine),
    input: { ...endUserInput, connect: 'oauth' },
    before: { createMember: [ok({ ...member('PENDING'), is_oauth: true })] },
    after: { readMemberStatus: [ok(status('CONNECTED', 'MBR-1', false)), ok(status('CONNECTED', 'MBR-1', false))] },
    waiting: 'awaitingEndUser.sleeping',
    dueAt: T0 + 60_000,
    next: 'connected',
  },
  {
    name: 'widget connection waiting for the member its end user makes (awaitingEndUserMember.sleeping, 60 s)',
    machine: withActors(memberMachine),
    input: { ...endUserInput, institutionCode: '', connect: 'widget' },
    before: {},
    after: {
      findEndUserMember: [ok({ ...member('CONNECTED'), id: null })],
      adoptMember: [ok(member('CONNECTED'))],
      readMemberStatus: [ok(status('CONNECTED', 'MBR-1', false))],
    },
    waiting: 'awaitingEndUserMember.sleeping',
    dueAt: T0 + 60_000,
    next: 'connected',
  },
  {
    name: 'end user who never acts (awaitingEndUser, endUserWaitMs 30 s before the next check)',
    machine: withActors(memberMachine),
    input: { ...endUserInput, connect: 'oauth', options: { endUserPollMs: 60_000, endUserWaitMs: 30_000 } },
    before: { createMember: [ok({ ...member('PENDING'), is_oauth: true })] },
    after: {},
    waiting: 'awaitingEndUser.sleeping',
    dueAt: T0 + 30_000,
    next: 'needsAction',
  },
  {
    name: 'offboarding backoff ("Failed to delete", Retry-After 6 s)',
    machine: withActors(offboardingMachine),
    input: { externalId: 'cust-1', userGuid: 'USR-1' },
    before: { deleteUser: [err('unavailable', { retryAfterMs: 6_000 })] },
    after: { deleteUser: [ok()] },
    waiting: 'waitingToRetry',
    dueAt: T0 + 6_000,
    next: 'done',
  },
  {
    name: 'onboarding with a member child polling (nested restore)',
    machine: onboarding,
    input: { externalId: 'cust-1', members: [{ externalId: 'cust-1-bank', institutionCode: 'mxbank' }] },
    before: { createUser: [ok(user())], ...toPolling, readMemberStatus: [ok(status('CREATED'))] },
    after: { readMemberStatus: [ok(status('CONNECTED'))] },
    waiting: 'connectingMembers.running',
    dueAt: T0 + 3_000,
    next: 'done',
  },
];

beforeEach(() => {
  vi.useFakeTimers({ now: T0 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('restore in the middle of a durable wait', () => {
  it.each(CASES)('$name resumes with the time that was left', async ({ machine, input, before, after, waiting, dueAt, next }) => {
    const first = createActor(machine(before, []), { input: input as never }).start();
    await vi.advanceTimersByTimeAsync(0);
    expect(statePath(first.getSnapshot().value)).toBe(waiting);
    expect(pendingDueAt(first.getSnapshot())).toBe(dueAt);

    const half = Math.floor((dueAt - Date.now()) / 2);
    await vi.advanceTimersByTimeAsync(half);
    // What a store keeps: plain JSON.
    const stored = JSON.parse(JSON.stringify(first.getPersistedSnapshot())) as unknown;
    first.stop();
    expect(pendingDueAt(stored)).toBe(dueAt);

    const calls: Call[] = [];
    const restored = createActor(machine(after, calls), { snapshot: stored as never, input: input as never }).start();
    await vi.advanceTimersByTimeAsync(0);
    expect(statePath(restored.getSnapshot().value)).toBe(waiting);

    await vi.advanceTimersByTimeAsync(dueAt - Date.now() - 1);
    expect(statePath(restored.getSnapshot().value)).toBe(waiting);
    expect(calls).toEqual([]);

    await vi.advanceTimersByTimeAsync(1);
    expect(statePath(restored.getSnapshot().value)).toBe(next);
    expect(restored.getSnapshot().status).toBe('done');
    expect(Date.now()).toBe(dueAt);
  });

  it('an answer given after a restore still resumes the challenged member', async () => {
    const answerCase = CASES.find((c) => c.waiting === 'awaitingAnswer.waitingForAnswer.sleeping');
    if (!answerCase) throw new Error('the answer-window case is missing');
    const { machine, input, before } = answerCase;
    const first = createActor(machine(before, []), { input: input as never }).start();
    await vi.advanceTimersByTimeAsync(20_000);
    const stored = JSON.parse(JSON.stringify(first.getPersistedSnapshot())) as unknown;
    first.stop();

    const calls: Call[] = [];
    const restored = createActor(machine({ resumeAggregation: [ok(member('RESUMED'))], readMemberStatus: [ok(status('CONNECTED'))] }, calls), {
      snapshot: stored as never,
      input: input as never,
    }).start();
    restored.send({ type: 'member.challenge.answered', memberExternalId: 'cust-1-bank' });
    await vi.advanceTimersByTimeAsync(0);
    expect(restored.getSnapshot().output).toMatchObject({ outcome: 'connected' });
    expect(calls.map((c) => c.actor)).toEqual(['resumeAggregation', 'readMemberStatus']);
  });

  it('a pending effect is run again on restore (at least once), which the machines rely on', async () => {
    const first = createActor(withActors(userMachine)({}, []), { input: { externalId: 'cust-1' } }).start();
    await vi.advanceTimersByTimeAsync(0);
    expect(first.getSnapshot().value).toBe('creating');
    const stored = JSON.parse(JSON.stringify(first.getPersistedSnapshot())) as unknown;
    first.stop();
    const calls: Call[] = [];
    const restored = createActor(withActors(userMachine)({ createUser: [err('duplicate')], findUser: [ok(user('USR-7'))] }, calls), {
      snapshot: stored as never,
      input: { externalId: 'cust-1' },
    }).start();
    await vi.advanceTimersByTimeAsync(0);
    expect(calls.map((c) => c.actor)).toEqual(['createUser', 'findUser']);
    expect(restored.getSnapshot().output).toEqual({ outcome: 'ready', externalId: 'cust-1', userGuid: 'USR-7' });
  });
});
