/**
 * Connections the end user makes, on the real member machine with scripted effects.
 * MX's OAuth guide: an OAuth member is created with `is_oauth: true` and no credentials and "will not
 * begin aggregation until the user completes authorization"; the `oauth_window_uri` is one-time use and
 * GET .../oauth_window_uri issues a new one. docs.mx.com request-widget-url: the end user makes the
 * member in the Connect widget, and `X-Callback-Payload` comes back in its MEMBER webhooks. The Connection
 * Status webhook's end-user-actionable statuses (DENIED, ...) are fixed by the end user in a re-link.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createActor } from 'xstate';
import { memberMachine, type LifecycleActorName } from '../../machines/index.js';
import { isWaitingOnTimer } from '../../machines/snapshot.js';
import { challenge, err, member, ok, scripted, status, statePath, type Call, type Outcome } from './harness.js';

const T0 = 1_700_000_000_000;
const options = { endUserPollMs: 60_000, endUserWaitMs: 3_600_000, pollIntervalMs: 3_000 };
const base = { userGuid: 'USR-1', externalId: 'cust-1-bank', userExternalId: 'cust-1', institutionCode: 'oauthbank', options };
const settled = (s: Parameters<typeof status>[0]) => ok(status(s, 'MBR-1', false));

function start(input: Record<string, unknown>, script: Partial<Record<LifecycleActorName, Outcome[]>>) {
  const calls: Call[] = [];
  const actor = createActor(memberMachine.provide({ actors: scripted(script, calls) } as never), { input: input as never }).start();
  return { actor, calls, at: () => statePath(actor.getSnapshot().value) };
}

beforeEach(() => {
  vi.useFakeTimers({ now: T0 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('an OAuth connection', () => {
  it('creates the member with is_oauth and no credential fields, waits holding no slot, and after a deny and a second window ends connected with one member', async () => {
    const { actor, calls, at } = start(
      { ...base, connect: 'oauth' },
      {
        createMember: [ok({ ...member('PENDING'), is_oauth: true, is_being_aggregated: false })],
        readMemberStatus: [settled('PENDING'), settled('DENIED'), settled('CONNECTED'), settled('CONNECTED')],
      },
    );
    await vi.advanceTimersByTimeAsync(0);
    expect(at()).toBe('awaitingEndUser.sleeping');
    expect(calls[0]).toMatchObject({ actor: 'createMember', input: { isOauth: true, credentialFields: [] } });
    expect(isWaitingOnTimer(actor.getSnapshot())).toBe(true);
    // The end user has not clicked yet: the hourly check (here a minute) finds it PENDING.
    await vi.advanceTimersByTimeAsync(60_000);
    expect(at()).toBe('awaitingEndUser.sleeping');
    // A webhook: they denied at the first window. Still theirs to fix.
    actor.send({ type: 'member.status.changed', memberExternalId: 'cust-1-bank' });
    await vi.advanceTimersByTimeAsync(0);
    expect(at()).toBe('awaitingEndUser.sleeping');
    expect(actor.getSnapshot().context.connectionStatus).toBe('DENIED');
    // A second window, authorised: the member connects.
    actor.send({ type: 'member.status.changed', memberExternalId: 'cust-1-bank' });
    await vi.advanceTimersByTimeAsync(0);
    expect(actor.getSnapshot().output).toMatchObject({ outcome: 'connected', connect: 'oauth', memberGuid: 'MBR-1' });
    expect(calls.filter((c) => c.actor === 'createMember')).toHaveLength(1);
  });

  it('auto without a login at a bank that supports OAuth connects through OAuth', async () => {
    const { calls, at } = start({ ...base, connect: 'auto' }, { chooseConnect: [ok('oauth')], createMember: [ok({ ...member('PENDING'), is_oauth: true })] });
    await vi.advanceTimersByTimeAsync(0);
    expect(at()).toBe('awaitingEndUser.sleeping');
    expect(calls.map((c) => c.actor)).toEqual(['chooseConnect', 'createMember']);
  });

  it('ends needsAction, endUserAbandoned, with the last status once --end-user-wait runs out', async () => {
    const { actor } = start(
      { ...base, connect: 'oauth' },
      { createMember: [ok({ ...member('PENDING'), is_oauth: true })], readMemberStatus: Array.from({ length: 60 }, () => settled('PENDING')) },
    );
    await vi.advanceTimersByTimeAsync(3_600_000);
    expect(actor.getSnapshot().output).toMatchObject({ outcome: 'needsAction', reason: 'endUserAbandoned', connectionStatus: 'PENDING', connect: 'oauth' });
    expect(Date.now()).toBe(T0 + 3_600_000);
  });

  it('after the end user authorised, a temporary status (DEGRADED) waits in waitingToRetryStatus and aggregates again, as for credentials', async () => {
    const { actor, calls, at } = start(
      { ...base, connect: 'oauth', options: { ...options, statusRetryDelayMs: 60_000 } },
      {
        createMember: [ok({ ...member('PENDING'), is_oauth: true })],
        readMemberStatus: [settled('DEGRADED'), settled('DEGRADED'), settled('CONNECTED')],
        aggregateMember: [ok(member())],
      },
    );
    await vi.advanceTimersByTimeAsync(0);
    actor.send({ type: 'member.status.changed', memberExternalId: 'cust-1-bank' });
    await vi.advanceTimersByTimeAsync(0);
    expect(at()).toBe('waitingToRetryStatus');
    expect(actor.getSnapshot().context.statusRetryAt).toBe(T0 + 60_000);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(actor.getSnapshot().output).toMatchObject({ outcome: 'connected', connect: 'oauth' });
    expect(calls.filter((c) => c.actor === 'aggregateMember')).toHaveLength(1);
  });
});

describe('a widget connection', () => {
  const widget = { ...base, institutionCode: '', connect: 'widget' };

  it('adopts the member a webhook names, leaves its MFA to the end user in the widget, and connects', async () => {
    // MX's Connection Status webhook lists CHALLENGED among the statuses the end user acts on
    // (docs.mx.com webhooks/connection-status): the widget asks them, not the fintech.
    const { actor, calls, at } = start(widget, {
      adoptMember: [ok({ ...member('CHALLENGED'), institution_code: 'mxbank' })],
      readMemberStatus: [ok({ ...status('CHALLENGED', 'MBR-1', false), challenges: [challenge()] }), ok({ ...status('CHALLENGED', 'MBR-1', false), challenges: [challenge()] }), settled('CONNECTED'), settled('CONNECTED')],
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(at()).toBe('awaitingEndUserMember.sleeping');
    expect(isWaitingOnTimer(actor.getSnapshot())).toBe(true);
    actor.send({ type: 'member.enduser.linked', memberExternalId: 'cust-1-bank', memberGuid: 'MBR-1' });
    await vi.advanceTimersByTimeAsync(3_000);
    expect(calls.find((c) => c.actor === 'adoptMember')?.input).toEqual({ userGuid: 'USR-1', memberGuid: 'MBR-1', externalId: 'cust-1-bank' });
    // CHALLENGED: the member waits for its end user, holding no slot, and nobody answers for them.
    expect(at()).toMatch(/^awaitingEndUser\./);
    expect(calls.filter((c) => c.actor === 'answerChallenge' || c.actor === 'resumeAggregation')).toEqual([]);
    // They answer in the widget; a webhook (or the next check) reads it connected.
    actor.send({ type: 'member.status.changed' } as never);
    await vi.advanceTimersByTimeAsync(0);
    actor.send({ type: 'member.status.changed' } as never);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(actor.getSnapshot().output).toMatchObject({ outcome: 'connected', connect: 'widget', institutionCode: 'mxbank', memberGuid: 'MBR-1' });
    expect(calls.filter((c) => c.actor === 'answerChallenge' || c.actor === 'resumeAggregation')).toEqual([]);
  });

  it('finds the member by the slow listing when no webhook came, and a forged notice changes nothing', async () => {
    const { actor, calls, at } = start(widget, {
      adoptMember: [err('not_found'), ok(member('CONNECTED'))],
      findEndUserMember: [ok(null), ok({ ...member('CONNECTED'), id: null })],
      readMemberStatus: [settled('CONNECTED')],
    });
    await vi.advanceTimersByTimeAsync(0);
    actor.send({ type: 'member.enduser.linked', memberExternalId: 'cust-1-bank', memberGuid: 'MBR-forged' });
    await vi.advanceTimersByTimeAsync(0);
    expect(at()).toBe('awaitingEndUserMember.sleeping');
    expect(actor.getSnapshot().context.memberGuid).toBeNull();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(at()).toBe('awaitingEndUserMember.sleeping');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(actor.getSnapshot().output).toMatchObject({ outcome: 'connected', memberGuid: 'MBR-1' });
    expect(calls.filter((c) => c.actor === 'findEndUserMember')).toHaveLength(2);
  });

  it('goes back to the end user for a re-link when the aggregation ends in an end-user-actionable status', async () => {
    const { actor, at } = start(widget, {
      adoptMember: [ok(member('CREATED'))],
      readMemberStatus: [settled('LOCKED'), settled('LOCKED'), settled('RECONNECTED'), settled('RECONNECTED')],
    });
    await vi.advanceTimersByTimeAsync(0);
    actor.send({ type: 'member.enduser.linked', memberExternalId: 'cust-1-bank', memberGuid: 'MBR-1' });
    await vi.advanceTimersByTimeAsync(0);
    expect(at()).toBe('awaitingEndUser.sleeping');
    expect(actor.getSnapshot().context.connectionStatus).toBe('LOCKED');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(at()).toBe('awaitingEndUser.sleeping');
    actor.send({ type: 'member.status.changed', memberExternalId: 'cust-1-bank' });
    await vi.advanceTimersByTimeAsync(0);
    expect(actor.getSnapshot().output).toMatchObject({ outcome: 'connected', connectionStatus: 'RECONNECTED' });
  });

  it('a credentials connection still hands an end-user status to a person at once', async () => {
    const { actor } = start({ ...base, institutionCode: 'mxbank' }, {
      listCredentialFields: [ok([])], createMember: [ok(member())], readMemberStatus: [settled('LOCKED')],
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(actor.getSnapshot().output).toMatchObject({ outcome: 'needsAction', reason: 'connectionStatus', connect: 'credentials' });
  });
});
