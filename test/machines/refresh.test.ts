/**
 * The refresh machine, path by path, on scripted effects. MX: "you cannot run a new aggregation
 * within three hours of a successful aggregation, whether foreground or background"
 * (https://docs.mx.com/aggregation/guides/introduction); check the member's status first "to see
 * whether aggregation is either necessary or even possible"
 * (https://docs.mx.com/aggregation/guides/aggregation_endpoints); a 202 may start no new
 * aggregation (https://docs.mx.com/api-reference/platform-api/overview/errors).
 */
import { createActor, fromPromise, toPromise } from 'xstate';
import { describe, expect, it } from 'vitest';
import { refreshMachine } from '../../machines/refresh.machine.js';
import type { RefreshOutput } from '../../machines/refresh.types.js';
import type { ConnectionStatus, MxMemberStatus } from '../../src/api/types.js';
import { err, ok, scripted, type Call, type Outcome } from './harness.js';

const HOUR = 3_600_000;
const ago = (ms: number): string => new Date(Date.now() - ms).toISOString();
const read = (connection_status: ConnectionStatus, successAgoMs: number | null, aggregating = false): MxMemberStatus => ({
  guid: 'MBR-1', connection_status, is_being_aggregated: aggregating,
  aggregated_at: successAgoMs === null ? null : ago(successAgoMs),
  successfully_aggregated_at: successAgoMs === null ? null : ago(successAgoMs),
});
const answer = (started: boolean, successAgoMs: number | null = 4 * HOUR): Outcome =>
  ok({ sent: true, started, connectionStatus: 'CONNECTED', successfullyAggregatedAt: successAgoMs === null ? null : ago(successAgoMs) });
const immediate = fromPromise<void, { until: number }>(async () => undefined);

async function refresh(script: Parameters<typeof scripted>[0], options: Record<string, number> = {}) {
  const calls: Call[] = [];
  const machine = refreshMachine.provide({ actors: { ...scripted(script, calls), sleepUntil: immediate } });
  const actor = createActor(machine, {
    input: {
      externalId: 'cust-1', userGuid: 'USR-1',
      members: [{ externalId: 'cust-1-bank', guid: 'MBR-1', institutionCode: 'mxbank' }],
      options: { baseDelayMs: 1, maxDelayMs: 2, ...options },
    },
  });
  actor.start();
  const output = (await toPromise(actor)) as RefreshOutput;
  return { output, member: output.members[0]!, calls, aggregates: calls.filter((c) => c.actor === 'aggregateForRefresh').length };
}

describe('refresh machine: one member, each ending', () => {
  it.each([
    {
      name: 'inside the window: skipped with its next time, no aggregate',
      script: { readMemberStatus: [ok(read('CONNECTED', HOUR))] },
      outcome: 'skipped', reason: 'window', item: 'done', aggregates: 0,
    },
    {
      name: 'outside the window: aggregated, followed until it ends CONNECTED',
      script: { readMemberStatus: [ok(read('CONNECTED', 4 * HOUR)), ok(read('CONNECTED', 0, true)), ok(read('CONNECTED', 0))], aggregateForRefresh: [answer(true)] },
      outcome: 'refreshed', reason: null, item: 'done', aggregates: 1,
    },
    {
      name: 'a 202 that started nothing: skipped as throttled, never an error',
      script: { readMemberStatus: [ok(read('CONNECTED', 4 * HOUR))], aggregateForRefresh: [answer(false)] },
      outcome: 'skipped', reason: 'throttled', item: 'done', aggregates: 1,
    },
    {
      name: 'a 202 that a dialect classified as conflict: throttled too',
      script: { readMemberStatus: [ok(read('CONNECTED', 4 * HOUR))], aggregateForRefresh: [err('conflict', { status: 202, retryable: true, scope: 'item' })] },
      outcome: 'skipped', reason: 'throttled', item: 'done', aggregates: 1,
    },
    {
      name: 'an end-user-actionable status at the read: needsAction with it, no aggregate',
      script: { readMemberStatus: [ok(read('DENIED', 4 * HOUR))] },
      outcome: 'needsAction', reason: 'connectionStatus', item: 'needsAction', aggregates: 0, status: 'DENIED',
    },
    {
      name: 'a status turned end-user-actionable by the aggregation: needsAction with it',
      script: { readMemberStatus: [ok(read('CONNECTED', 4 * HOUR)), ok(read('LOCKED', 4 * HOUR))], aggregateForRefresh: [answer(true)] },
      outcome: 'needsAction', reason: 'connectionStatus', item: 'needsAction', aggregates: 1, status: 'LOCKED',
    },
    {
      name: 'an aggregation MX already runs (background): followed, no second request',
      script: { readMemberStatus: [ok(read('CONNECTED', 4 * HOUR, true)), ok(read('CONNECTED', 0))] },
      outcome: 'refreshed', reason: null, item: 'done', aggregates: 0,
    },
    {
      name: 'a temporary status after the aggregation: skipped, to be tried again later',
      script: { readMemberStatus: [ok(read('CONNECTED', 4 * HOUR)), ok(read('DEGRADED', 4 * HOUR))], aggregateForRefresh: [answer(true)] },
      outcome: 'skipped', reason: 'retryLater', item: 'done', aggregates: 1, status: 'DEGRADED',
    },
    {
      name: 'an aggregation that ended FAILED: failed',
      script: { readMemberStatus: [ok(read('CONNECTED', 4 * HOUR)), ok(read('FAILED', 4 * HOUR))], aggregateForRefresh: [answer(true)] },
      outcome: 'failed', reason: null, item: 'failed', aggregates: 1, status: 'FAILED',
    },
    {
      name: 'a member gone at MX (404): failed with the classified error',
      script: { readMemberStatus: [err('not_found')] },
      outcome: 'failed', reason: null, item: 'failed', aggregates: 0,
    },
    {
      name: 'a retryable error: retried, then refreshed',
      script: { readMemberStatus: [err('server_error'), ok(read('CONNECTED', 4 * HOUR)), ok(read('CONNECTED', 0))], aggregateForRefresh: [answer(true)] },
      outcome: 'refreshed', reason: null, item: 'done', aggregates: 1,
    },
  ] as const)('$name', async (row) => {
    const { output, member, aggregates } = await refresh(row.script as unknown as Parameters<typeof scripted>[0]);
    expect([member.outcome, member.reason, output.outcome, aggregates]).toEqual([row.outcome, row.reason, row.item, row.aggregates]);
    if ('status' in row) expect(member.connectionStatus).toBe(row.status);
    if (row.outcome === 'failed') expect(member.error?.kind).toBeTypeOf('string');
    if (row.outcome === 'skipped') expect(Date.parse(member.nextRefreshAt ?? '')).toBeGreaterThan(Date.now() - 1_000);
    else expect(member.nextRefreshAt).toBeNull();
  });
});

describe('refresh machine: the window', () => {
  it('names the next time as the last success plus the interval', async () => {
    const success = ago(30 * 60_000);
    const { member } = await refresh({ readMemberStatus: [ok({ ...read('CONNECTED', null), successfully_aggregated_at: success })] }, { minAggregationIntervalMs: HOUR });
    expect(member).toMatchObject({ outcome: 'skipped', reason: 'window', successfullyAggregatedAt: success, nextRefreshAt: new Date(Date.parse(success) + HOUR).toISOString() });
  });

  it('aggregates a member that never succeeded, whatever the interval', async () => {
    const { member, aggregates } = await refresh({ readMemberStatus: [ok(read('CONNECTED', null)), ok(read('CONNECTED', 0))], aggregateForRefresh: [answer(true, 0)] });
    expect([member.outcome, aggregates]).toEqual(['refreshed', 1]);
  });

  it('a throttled member may next be refreshed three hours (MX) after its last success, not after our shorter interval', async () => {
    const { member } = await refresh(
      { readMemberStatus: [ok(read('CONNECTED', 2 * HOUR))], aggregateForRefresh: [answer(false, 2 * HOUR)] },
      { minAggregationIntervalMs: HOUR },
    );
    expect(Date.parse(member.nextRefreshAt ?? '')).toBeCloseTo(Date.now() + HOUR, -4);
  });

  it('sends the decision and what the read saw with the aggregate, so a restored request can check it got through', async () => {
    const seen = read('CONNECTED', 4 * HOUR);
    const { calls } = await refresh({ readMemberStatus: [ok(seen), ok(read('CONNECTED', 0))], aggregateForRefresh: [answer(true)] });
    const input = calls.find((c) => c.actor === 'aggregateForRefresh')?.input;
    expect(input).toMatchObject({ userGuid: 'USR-1', memberGuid: 'MBR-1', seenAggregatedAt: seen.aggregated_at, seenSuccessfullyAggregatedAt: seen.successfully_aggregated_at });
    expect((input as { decidedAt: number }).decidedAt).toBeGreaterThan(0);
  });
});

describe('refresh machine: several members', () => {
  it('settles each member on its own; one failure fails the customer, the others keep their outcome', async () => {
    const calls: Call[] = [];
    const machine = refreshMachine.provide({
      actors: {
        ...scripted({ readMemberStatus: [ok(read('CONNECTED', HOUR)), err('not_found'), ok(read('CONNECTED', 4 * HOUR)), ok(read('CONNECTED', 0))], aggregateForRefresh: [answer(true)] }, calls),
        sleepUntil: immediate,
      },
    });
    const members = ['a', 'b', 'c'].map((x) => ({ externalId: `m-${x}`, guid: `MBR-${x}`, institutionCode: 'mxbank' }));
    const output = (await toPromise(createActor(machine, { input: { externalId: 'cust-1', userGuid: 'USR-1', members } }).start())) as RefreshOutput;
    expect(output.members.map((m) => m.outcome)).toEqual(['skipped', 'failed', 'refreshed']);
    expect(output.outcome).toBe('failed');
    expect(output.error?.kind).toBe('not_found');
  });

  it('halts on a job-scope error and goes on after job.resume', async () => {
    const calls: Call[] = [];
    const machine = refreshMachine.provide({
      actors: { ...scripted({ readMemberStatus: [err('unauthorized', { status: 401, retryable: false, scope: 'job' }), ok(read('CONNECTED', HOUR))] }, calls), sleepUntil: immediate },
    });
    const actor = createActor(machine, { input: { externalId: 'cust-1', userGuid: 'USR-1', members: [{ externalId: 'm', guid: 'MBR-1', institutionCode: 'mxbank' }] } }).start();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(actor.getSnapshot().value).toBe('halted');
    actor.send({ type: 'job.resume' });
    expect(((await toPromise(actor)) as RefreshOutput).members[0]?.outcome).toBe('skipped');
  });
});
