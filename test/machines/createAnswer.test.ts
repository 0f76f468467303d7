/**
 * The create's answer already carries the member's status and `is_being_aggregated` (MX's
 * MemberResponse), so a member that says it aggregates is not read again at once: its first status
 * read waits a poll interval, or for the webhook that ends the wait (issue 25). Without webhooks
 * that is one read fewer per member; with them, the read the webhook wakes is the only one.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createActor, fromPromise } from 'xstate';
import type { CreateMemberActorInput } from '../../machines/actors.js';
import { memberMachine } from '../../machines/index.js';
import type { MxMember } from '../../src/api/types.js';
import { fields, member, ok, scripted, status, statePath, type Call } from './harness.js';

afterEach(() => {
  vi.useRealTimers();
});

const input = { userGuid: 'USR-1', externalId: 'cust-1-bank', institutionCode: 'mxbank', options: { pollIntervalMs: 3_000 } };
const aggregating = member('CREATED', 'MBR-1', 'cust-1-bank', true);
const reads = (calls: Call[]) => calls.filter((c) => c.actor === 'readMemberStatus').length;

describe('after a create that says the member aggregates', () => {
  it('reads the status first a poll interval later, not at once', async () => {
    vi.useFakeTimers({ now: 0 });
    const calls: Call[] = [];
    const machine = memberMachine.provide({
      actors: scripted({ listCredentialFields: [ok(fields)], createMember: [ok(aggregating)], readMemberStatus: [ok(status('CONNECTED'))] }, calls),
    });
    const actor = createActor(machine, { input }).start();
    await vi.advanceTimersByTimeAsync(0);
    expect(statePath(actor.getSnapshot().value)).toBe('polling.waitingToPoll');
    expect(actor.getSnapshot().context).toMatchObject({ connectionStatus: 'CREATED', polls: 1, nextPollAt: 3_000 });
    await vi.advanceTimersByTimeAsync(2_999);
    expect(reads(calls)).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(reads(calls)).toBe(1);
    expect(actor.getSnapshot().output).toMatchObject({ outcome: 'connected', connectionStatus: 'CONNECTED' });
    expect(calls.map((c) => c.actor)).toEqual(['listCredentialFields', 'createMember', 'readMemberStatus']);
  });

  it('reads at once when a webhook says the member changed, and that read is the only one', async () => {
    vi.useFakeTimers({ now: 0 });
    const calls: Call[] = [];
    const machine = memberMachine.provide({
      actors: scripted({ listCredentialFields: [ok(fields)], createMember: [ok(aggregating)], readMemberStatus: [ok(status('CONNECTED'))] }, calls),
    });
    const actor = createActor(machine, { input: { ...input, options: { pollIntervalMs: 30_000 } } }).start();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(reads(calls)).toBe(0);
    actor.send({ type: 'member.status.changed', memberExternalId: 'cust-1-bank' });
    await vi.advanceTimersByTimeAsync(0);
    expect(actor.getSnapshot().output).toMatchObject({ outcome: 'connected' });
    expect(reads(calls)).toBe(1);
  });

  it('reads at once when the webhook came before the create answered (an aggregation faster than the answer)', async () => {
    vi.useFakeTimers({ now: 0 });
    const calls: Call[] = [];
    let answer: (value: MxMember) => void = () => undefined;
    const machine = memberMachine.provide({
      actors: {
        ...scripted({ listCredentialFields: [ok(fields)], readMemberStatus: [ok(status('CONNECTED'))] }, calls),
        createMember: fromPromise<MxMember, CreateMemberActorInput>(() => new Promise((resolve) => (answer = resolve))),
      },
    });
    const actor = createActor(machine, { input: { ...input, options: { pollIntervalMs: 30_000 } } }).start();
    await vi.advanceTimersByTimeAsync(0);
    expect(statePath(actor.getSnapshot().value)).toBe('creating');
    actor.send({ type: 'member.status.changed', memberExternalId: 'cust-1-bank' });
    answer(aggregating);
    await vi.advanceTimersByTimeAsync(0);
    expect(reads(calls)).toBe(1);
    expect(actor.getSnapshot().output).toMatchObject({ outcome: 'connected' });
  });

  it('reads at once when the create says the aggregation is over', async () => {
    vi.useFakeTimers({ now: 0 });
    const calls: Call[] = [];
    const machine = memberMachine.provide({
      actors: scripted({
        listCredentialFields: [ok(fields)], createMember: [ok(member('CONNECTED', 'MBR-1', 'cust-1-bank', false))], readMemberStatus: [ok(status('CONNECTED'))],
      }, calls),
    });
    const actor = createActor(machine, { input }).start();
    await vi.advanceTimersByTimeAsync(0);
    expect(reads(calls)).toBe(1);
    expect(actor.getSnapshot().output).toMatchObject({ outcome: 'connected' });
  });

  it('resumes its wait from a persisted snapshot with only the time that was left', async () => {
    vi.useFakeTimers({ now: 0 });
    const first = createActor(memberMachine.provide({
      actors: scripted({ listCredentialFields: [ok(fields)], createMember: [ok(aggregating)] }),
    }), { input }).start();
    await vi.advanceTimersByTimeAsync(1_000);
    const persisted = first.getPersistedSnapshot();
    first.stop();
    const calls: Call[] = [];
    const restored = createActor(memberMachine.provide({ actors: scripted({ readMemberStatus: [ok(status('CONNECTED'))] }, calls) }), {
      snapshot: JSON.parse(JSON.stringify(persisted)),
      input,
    }).start();
    await vi.advanceTimersByTimeAsync(1_999);
    expect(reads(calls)).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(reads(calls)).toBe(1);
    expect(restored.getSnapshot().output).toMatchObject({ outcome: 'connected' });
  });
});
