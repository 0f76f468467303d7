import { describe, expect, it, afterEach, vi } from 'vitest';
import { createActor, waitFor } from 'xstate';
import { memberMachine, offboardingMachine, onboardingMachine, userMachine, itemStateOf, haltOf } from '../../machines/index.js';
import { challenge, err, fields, member, ok, scripted, status, statePath, user, type Call } from './harness.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('user machine', () => {
  it('recovers the existing user when a retried create says it already exists', async () => {
    const calls: Call[] = [];
    const machine = userMachine.provide({ actors: scripted({ createUser: [err('duplicate')], findUser: [ok(user('USR-9'))] }, calls) });
    const actor = createActor(machine, { input: { externalId: 'cust-1' } }).start();
    const done = await waitFor(actor, (s) => s.status === 'done', { timeout: 1_000 });
    expect(done.output).toEqual({ outcome: 'ready', externalId: 'cust-1', userGuid: 'USR-9' });
    expect(calls.map((c) => c.actor)).toEqual(['createUser', 'findUser']);
  });

  it('backs off and retries an outage, honouring Retry-After', async () => {
    vi.useFakeTimers({ now: 1_000_000 });
    const machine = userMachine.provide({
      actors: scripted({ createUser: [err('unavailable', { retryAfterMs: 4_000 }), ok(user())] }),
    });
    const actor = createActor(machine, { input: { externalId: 'cust-1', options: { baseDelayMs: 100 } } }).start();
    await vi.advanceTimersByTimeAsync(0);
    expect(actor.getSnapshot().value).toBe('waitingToRetry');
    expect(actor.getSnapshot().context.retryAt).toBe(1_004_000);
    await vi.advanceTimersByTimeAsync(3_999);
    expect(actor.getSnapshot().value).toBe('waitingToRetry');
    await vi.advanceTimersByTimeAsync(1);
    expect(actor.getSnapshot().value).toBe('ready');
  });

  it('fails an item error with the error, and halts then resumes on a job error', async () => {
    const failing = createActor(userMachine.provide({ actors: scripted({ createUser: [err('validation')] }) }), { input: { externalId: 'c' } }).start();
    const failed = await waitFor(failing, (s) => s.status === 'done', { timeout: 1_000 });
    expect(failed.output).toMatchObject({ outcome: 'failed', error: { kind: 'validation' } });

    const halting = createActor(userMachine.provide({ actors: scripted({ createUser: [err('unauthorized'), ok(user())] }) }), {
      input: { externalId: 'c' },
    }).start();
    await waitFor(halting, (s) => s.matches('halted'), { timeout: 1_000 });
    expect(itemStateOf(halting.getSnapshot())).toBe('halted');
    expect(haltOf(halting.getPersistedSnapshot())?.kind).toBe('unauthorized');
    halting.send({ type: 'job.resume' });
    expect((await waitFor(halting, (s) => s.status === 'done', { timeout: 1_000 })).output).toMatchObject({ outcome: 'ready' });
  });

  it('halts a job error that outlasts the retry budget', async () => {
    vi.useFakeTimers({ now: 0 });
    const machine = userMachine.provide({ actors: scripted({ createUser: [err('rate_limited'), err('rate_limited'), err('rate_limited')] }) });
    const actor = createActor(machine, { input: { externalId: 'c', options: { maxAttempts: 2, baseDelayMs: 10 } } }).start();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(actor.getSnapshot().value).toBe('halted');
    expect(actor.getSnapshot().context.halt?.kind).toBe('rate_limited');
  });
});

describe('member machine', () => {
  const input = { userGuid: 'USR-1', externalId: 'cust-1-bank', institutionCode: 'mxbank', options: { pollIntervalMs: 3_000 } };

  it('polls every pollIntervalMs until CONNECTED', async () => {
    vi.useFakeTimers({ now: 0 });
    const calls: Call[] = [];
    const machine = memberMachine.provide({
      actors: scripted(
        { listCredentialFields: [ok(fields)], createMember: [ok(member())], readMemberStatus: [ok(status('CREATED')), ok(status('PENDING')), ok(status('CONNECTED'))] },
        calls,
      ),
    });
    const actor = createActor(machine, { input }).start();
    await vi.advanceTimersByTimeAsync(0);
    expect(statePath(actor.getSnapshot().value)).toBe('polling.waitingToPoll');
    await vi.advanceTimersByTimeAsync(2_999);
    expect(calls.filter((c) => c.actor === 'readMemberStatus')).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(3_001);
    expect(actor.getSnapshot().output).toMatchObject({ outcome: 'connected', connectionStatus: 'CONNECTED', memberGuid: 'MBR-1' });
    expect(calls.filter((c) => c.actor === 'readMemberStatus')).toHaveLength(3);
    expect(calls.find((c) => c.actor === 'createMember')?.input).toEqual({
      userGuid: 'USR-1', externalId: 'cust-1-bank', institutionCode: 'mxbank', userExternalId: null,
      credentialFields: [{ guid: 'CRD-username', fieldName: 'username' }, { guid: 'CRD-password', fieldName: 'password' }],
    });
  });

  it.each(['DENIED', 'PREVENTED', 'REJECTED', 'LOCKED', 'EXPIRED', 'IMPAIRED', 'IMPEDED', 'DISCONTINUED', 'CLOSED'] as const)(
    'hands %s to the end customer as needsAction with the status',
    async (connectionStatus) => {
      const machine = memberMachine.provide({
        actors: scripted({ listCredentialFields: [ok(fields)], createMember: [ok(member())], readMemberStatus: [ok(status(connectionStatus))] }),
      });
      const done = await waitFor(createActor(machine, { input }).start(), (s) => s.status === 'done', { timeout: 1_000 });
      expect(done.output).toMatchObject({ outcome: 'needsAction', reason: 'connectionStatus', connectionStatus });
    },
  );

  it('aggregates once more after FAILED, then fails', async () => {
    const calls: Call[] = [];
    const machine = memberMachine.provide({
      actors: scripted(
        {
          listCredentialFields: [ok(fields)], createMember: [ok(member())], aggregateMember: [ok(member())],
          readMemberStatus: [ok(status('FAILED')), ok(status('FAILED'))],
        },
        calls,
      ),
    });
    const done = await waitFor(createActor(machine, { input }).start(), (s) => s.status === 'done', { timeout: 1_000 });
    expect(done.output).toMatchObject({ outcome: 'failed', connectionStatus: 'FAILED' });
    expect(calls.filter((c) => c.actor === 'aggregateMember')).toHaveLength(1);
  });

  it('needs action when the status keeps saying "in progress" past maxPollMs', async () => {
    vi.useFakeTimers({ now: 0 });
    const machine = memberMachine.provide({
      actors: scripted({
        listCredentialFields: [ok(fields)], createMember: [ok(member())],
        readMemberStatus: Array.from({ length: 10 }, () => ok(status('CREATED'))),
      }),
    });
    const actor = createActor(machine, { input: { ...input, options: { pollIntervalMs: 3_000, maxPollMs: 9_000 } } }).start();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(actor.getSnapshot().output).toMatchObject({ outcome: 'needsAction', reason: 'pollTimeout', connectionStatus: 'CREATED' });
  });

  it('re-reads the credential fields once when the create says they are stale', async () => {
    const calls: Call[] = [];
    const machine = memberMachine.provide({
      actors: scripted(
        { listCredentialFields: [ok(fields), ok(fields)], createMember: [err('credentials_stale'), err('credentials_stale')] },
        calls,
      ),
    });
    const done = await waitFor(createActor(machine, { input }).start(), (s) => s.status === 'done', { timeout: 1_000 });
    expect(done.output).toMatchObject({ outcome: 'failed', error: { kind: 'credentials_stale' } });
    expect(calls.map((c) => c.actor)).toEqual(['listCredentialFields', 'createMember', 'listCredentialFields', 'createMember']);
  });

  it('answers a challenge through the answerChallenge actor and resumes', async () => {
    const calls: Call[] = [];
    const machine = memberMachine.provide({
      actors: scripted(
        {
          listCredentialFields: [ok(fields)], createMember: [ok(member())],
          readMemberStatus: [ok(status('CHALLENGED')), ok(status('CONNECTED'))],
          listChallenges: [ok([challenge()])], answerChallenge: [ok({ answered: true })], resumeAggregation: [ok(member('RESUMED'))],
        },
        calls,
      ),
    });
    const done = await waitFor(createActor(machine, { input }).start(), (s) => s.status === 'done', { timeout: 1_000 });
    expect(done.output).toMatchObject({ outcome: 'connected' });
    expect(calls.find((c) => c.actor === 'resumeAggregation')?.input).toEqual({
      userGuid: 'USR-1', memberGuid: 'MBR-1', memberExternalId: 'cust-1-bank', userExternalId: null, challengeGuids: ['CRD-mfa-1'],
    });
  });

  it('waits for member.challenge.answered, and needs action when the answer window closes', async () => {
    vi.useFakeTimers({ now: 0 });
    const script = () => scripted({
      listCredentialFields: [ok(fields)], createMember: [ok(member())],
      readMemberStatus: [ok(status('CHALLENGED')), ok(status('CONNECTED'))],
      listChallenges: [ok([challenge()])], answerChallenge: [ok({ answered: false })], resumeAggregation: [ok(member('RESUMED'))],
    });
    // No status read falls inside the window here: the next test covers those.
    const options = { answerWindowMs: 60_000, pollIntervalMs: 120_000 };
    const answered = createActor(memberMachine.provide({ actors: script() }), { input: { ...input, options } }).start();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(statePath(answered.getSnapshot().value)).toBe('awaitingAnswer.waitingForAnswer.sleeping');
    answered.send({ type: 'member.challenge.answered', memberExternalId: 'cust-1-bank' });
    await vi.advanceTimersByTimeAsync(0);
    expect(answered.getSnapshot().output).toMatchObject({ outcome: 'connected' });

    const unanswered = createActor(memberMachine.provide({ actors: script() }), { input: { ...input, options } }).start();
    await vi.advanceTimersByTimeAsync(60_001);
    expect(unanswered.getSnapshot().output).toMatchObject({
      outcome: 'needsAction', reason: 'challengeUnanswered', connectionStatus: 'CHALLENGED',
      challenges: [{ guid: 'CRD-mfa-1', type: 'TEXT', label: 'What is your favourite colour?', fieldName: 'colour', options: [] }],
    });
  });
});

describe('member machine: MFA answered from elsewhere', () => {
  it('reads the status while it waits, keeps waiting while CHALLENGED, and follows the aggregation once another process resumed it', async () => {
    vi.useFakeTimers({ now: 0 });
    const calls: Call[] = [];
    const actors = scripted({
      listCredentialFields: [ok(fields)], createMember: [ok(member())],
      readMemberStatus: [ok(status('CHALLENGED')), ok(status('CHALLENGED')), ok(status('RESUMED')), ok(status('CONNECTED'))],
      listChallenges: [ok([challenge()])], answerChallenge: [ok({ answered: false })],
    }, calls);
    const actor = createActor(memberMachine.provide({ actors }), {
      input: { userGuid: 'USR-1', externalId: 'cust-1-bank', institutionCode: 'mxbank', options: { answerWindowMs: 60_000, pollIntervalMs: 3_000 } },
    }).start();
    await vi.advanceTimersByTimeAsync(3_500);
    expect(statePath(actor.getSnapshot().value)).toBe('awaitingAnswer.waitingForAnswer.sleeping');
    await vi.advanceTimersByTimeAsync(10_000);
    expect(actor.getSnapshot().output).toMatchObject({ outcome: 'connected', connectionStatus: 'CONNECTED' });
    expect(calls.map((c) => c.actor).filter((a) => a === 'resumeAggregation')).toEqual([]);
  });
});

describe('offboarding machine', () => {
  it('finds the user, deletes each member, then the user; not_found counts as already gone', async () => {
    const calls: Call[] = [];
    const machine = offboardingMachine.provide({
      actors: scripted(
        { findUser: [ok(user())], findMember: [ok(member('CONNECTED', 'MBR-2'))], deleteMember: [err('not_found'), ok()], deleteUser: [ok()] },
        calls,
      ),
    });
    const actor = createActor(machine, {
      input: { externalId: 'cust-1', members: [{ externalId: 'm1', guid: 'MBR-1' }, { externalId: 'm2' }] },
    }).start();
    const done = await waitFor(actor, (s) => s.status === 'done', { timeout: 1_000 });
    expect(done.output).toEqual({
      outcome: 'done', externalId: 'cust-1', userGuid: 'USR-1', user: 'deleted', error: null,
      members: [{ externalId: 'm1', guid: 'MBR-1', outcome: 'alreadyGone' }, { externalId: 'm2', guid: 'MBR-2', outcome: 'deleted' }],
    });
    expect(calls.map((c) => c.actor)).toEqual(['findUser', 'deleteMember', 'findMember', 'deleteMember', 'deleteUser']);
  });

  it('retries "Failed to delete" with backoff, and ends done when the user is gone already', async () => {
    vi.useFakeTimers({ now: 0 });
    const machine = offboardingMachine.provide({
      actors: scripted({ deleteUser: [err('server_error', { status: 500, message: 'Failed to delete user: x' }), err('not_found')] }),
    });
    const actor = createActor(machine, { input: { externalId: 'cust-1', userGuid: 'USR-1', options: { baseDelayMs: 1_000 } } }).start();
    await vi.advanceTimersByTimeAsync(0);
    expect(actor.getSnapshot().value).toBe('waitingToRetry');
    await vi.advanceTimersByTimeAsync(1_000);
    expect(actor.getSnapshot().output).toMatchObject({ outcome: 'done', user: 'alreadyGone' });
  });
});

describe('onboarding machine', () => {
  it('creates the user, then connects every member side by side', async () => {
    vi.useFakeTimers({ now: 0 });
    const machine = onboardingMachine.provide({
      actors: {
        user: userMachine.provide({ actors: scripted({ createUser: [ok(user())] }) }),
        member: memberMachine.provide({
          actors: scripted({
            listCredentialFields: [ok(fields), ok(fields)],
            createMember: [ok(member('CREATED', 'MBR-1', 'a')), ok(member('CREATED', 'MBR-2', 'b'))],
            readMemberStatus: [ok(status('CONNECTED', 'MBR-1')), ok(status('LOCKED', 'MBR-2'))],
          }),
        }),
      },
    });
    const actor = createActor(machine, {
      input: { externalId: 'cust-1', members: [{ externalId: 'a', institutionCode: 'mxbank' }, { externalId: 'b', institutionCode: 'mxbank' }] },
    }).start();
    await vi.advanceTimersByTimeAsync(0);
    expect(actor.getSnapshot().output).toEqual({
      outcome: 'needsAction', externalId: 'cust-1', userGuid: 'USR-1', error: null,
      members: [
        { externalId: 'a', institutionCode: 'mxbank', guid: 'MBR-1', connectionStatus: 'CONNECTED', outcome: 'connected', reason: null, error: null, challenges: [] },
        { externalId: 'b', institutionCode: 'mxbank', guid: 'MBR-2', connectionStatus: 'LOCKED', outcome: 'needsAction', reason: 'connectionStatus', error: null, challenges: [] },
      ],
    });
  });

  it('halts with a halted child and continues where it stood after job.resume', async () => {
    vi.useFakeTimers({ now: 0 });
    const calls: Call[] = [];
    const machine = onboardingMachine.provide({
      actors: {
        user: userMachine.provide({ actors: scripted({ createUser: [ok(user())] }, calls) }),
        member: memberMachine.provide({
          actors: scripted(
            { listCredentialFields: [ok(fields)], createMember: [ok(member())], readMemberStatus: [err('forbidden'), ok(status('CONNECTED'))] },
            calls,
          ),
        }),
      },
    });
    const actor = createActor(machine, { input: { externalId: 'cust-1', members: [{ externalId: 'a', institutionCode: 'mxbank' }] } }).start();
    await vi.advanceTimersByTimeAsync(0);
    expect(actor.getSnapshot().value).toEqual({ connectingMembers: 'halted' });
    expect(itemStateOf(actor.getPersistedSnapshot())).toBe('halted');
    expect(haltOf(actor.getSnapshot())?.kind).toBe('forbidden');
    actor.send({ type: 'job.resume' });
    await vi.advanceTimersByTimeAsync(0);
    expect(actor.getSnapshot().output).toMatchObject({ outcome: 'done', members: [{ outcome: 'connected' }] });
    expect(calls.map((c) => c.actor)).toEqual(['createUser', 'listCredentialFields', 'createMember', 'readMemberStatus', 'readMemberStatus']);
  });

  it('a user that halted on a bad key is resumed after a restore, without creating anything twice', async () => {
    vi.useFakeTimers({ now: 0 });
    const input = { externalId: 'cust-1', members: [{ externalId: 'a', institutionCode: 'mxbank' }] };
    const first = createActor(
      onboardingMachine.provide({ actors: { user: userMachine.provide({ actors: scripted({ createUser: [err('unauthorized')] }) }) } }),
      { input },
    ).start();
    await vi.advanceTimersByTimeAsync(0);
    expect(first.getSnapshot().value).toEqual({ creatingUser: 'halted' });
    const stored = JSON.parse(JSON.stringify(first.getPersistedSnapshot())) as unknown;
    first.stop();
    expect(haltOf(stored)?.kind).toBe('unauthorized');

    const calls: Call[] = [];
    const machine = onboardingMachine.provide({
      actors: {
        user: userMachine.provide({ actors: scripted({ createUser: [ok(user())] }, calls) }),
        member: memberMachine.provide({
          actors: scripted({ listCredentialFields: [ok(fields)], createMember: [ok(member())], readMemberStatus: [ok(status('CONNECTED'))] }, calls),
        }),
      },
    });
    const restored = createActor(machine, { snapshot: stored as never, input }).start();
    await vi.advanceTimersByTimeAsync(0);
    expect(itemStateOf(restored.getSnapshot())).toBe('halted');
    expect(calls).toEqual([]);
    restored.send({ type: 'job.resume' });
    await vi.advanceTimersByTimeAsync(0);
    expect(restored.getSnapshot().output).toMatchObject({ outcome: 'done', userGuid: 'USR-1', members: [{ outcome: 'connected' }] });
    expect(calls.map((c) => c.actor)).toEqual(['createUser', 'listCredentialFields', 'createMember', 'readMemberStatus']);
  });

  it('a customer without connections is done once its user exists', async () => {
    const machine = onboardingMachine.provide({ actors: { user: userMachine.provide({ actors: scripted({ createUser: [ok(user('USR-3'))] }) }) } });
    const done = await waitFor(createActor(machine, { input: { externalId: 'cust-3', members: [] } }).start(), (s) => s.status === 'done', { timeout: 1_000 });
    expect(done.output).toEqual({ outcome: 'done', externalId: 'cust-3', userGuid: 'USR-3', members: [], error: null });
  });

  it('fails the customer and skips its members when the user fails', async () => {
    const machine = onboardingMachine.provide({
      actors: { user: userMachine.provide({ actors: scripted({ createUser: [err('invalid_external_id')] }) }) },
    });
    const actor = createActor(machine, { input: { externalId: 'USR-x', members: [{ externalId: 'a', institutionCode: 'mxbank' }] } }).start();
    const done = await waitFor(actor, (s) => s.status === 'done', { timeout: 1_000 });
    expect(done.output).toMatchObject({ outcome: 'failed', error: { kind: 'invalid_external_id' }, members: [{ outcome: 'skipped' }] });
  });
});
