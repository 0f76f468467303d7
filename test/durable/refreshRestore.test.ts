/**
 * A refresh killed while its aggregate request was on the wire sends no second one when it is
 * restored (DESIGN fact 1: a restored machine runs its pending effect again with the persisted
 * input). Against a real sandbox and client: the sandbox's own count of aggregate requests is the
 * judge. MX: a new aggregation is refused within three hours of a successful one
 * (https://docs.mx.com/aggregation/guides/introduction), so a duplicate is never harmless.
 */
import { createActor, fromPromise, toPromise, type Snapshot } from 'xstate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMxClient, type ObservableMxClient } from '../../src/api/index.js';
import { createRefreshAggregate } from '../../src/durable/refreshEffects.js';
import { fromEffect } from '../../machines/provide.js';
import { refreshMachine } from '../../machines/refresh.machine.js';
import type { RefreshOutput } from '../../machines/refresh.types.js';
import type { RefreshAggregateActorInput, RefreshAggregateActorOutput } from '../../machines/actors.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';

let sandbox: Sandbox;
let client: ObservableMxClient;
beforeAll(async () => {
  sandbox = await startSandbox({ aggregationMs: 300 });
  client = createMxClient({ baseUrl: sandbox.url, clientId: 'sandbox-client', apiKey: 'sandbox-key' });
});
afterAll(async () => {
  await client.close();
  await sandbox.close();
});

const aggregates = () => sandbox.state().stats.aggregateRequests;
const until = async (check: () => boolean | Promise<boolean>) => {
  for (let deadline = Date.now() + 20_000; !(await check()); ) {
    if (Date.now() > deadline) throw new Error('not reached within 20 s');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

async function connectedMember(id: string) {
  const user = (await client.createUser({ id }))._unsafeUnwrap();
  const member = (await client.createMember({
    userGuid: user.guid, id: `${id}-bank`, institutionCode: 'mxbank',
    credentials: [{ guid: 'CRD-username', value: 'mxuser' }, { guid: 'CRD-password', value: 'password' }],
  }))._unsafeUnwrap();
  await until(async () => (await client.readMemberStatus(user.guid, member.guid))._unsafeUnwrap().is_being_aggregated === false);
  return { userGuid: user.guid, memberGuid: member.guid };
}

async function decision(ref: { userGuid: string; memberGuid: string }, decidedAt = Date.now()): Promise<RefreshAggregateActorInput> {
  const seen = (await client.readMemberStatus(ref.userGuid, ref.memberGuid))._unsafeUnwrap();
  return { ...ref, decidedAt, seenAggregatedAt: seen.aggregated_at, seenSuccessfullyAggregatedAt: seen.successfully_aggregated_at ?? null };
}

describe('aggregateForRefresh: at most one aggregate request per decision', () => {
  it.each([
    { name: 'a decision of this process, first call: sent', restored: false, sentBefore: false, sent: true, requests: 1 },
    { name: 'a decision of an earlier process whose request got through: not sent again', restored: true, sentBefore: true, sent: false, requests: 1 },
    { name: 'a decision of an earlier process that crashed before sending: sent', restored: true, sentBefore: false, sent: true, requests: 1 },
  ])('$name', async (row) => {
    const ref = await connectedMember(`restore-${Math.random().toString(36).slice(2, 8)}`);
    const input = await decision(ref);
    const before = aggregates();
    if (row.sentBefore) (await createRefreshAggregate(client, input.decidedAt)(input, new AbortController().signal))._unsafeUnwrap();
    // A restored process started after the decision; this process's effects started before it.
    const effect = createRefreshAggregate(client, row.restored ? Date.now() + 1 : input.decidedAt);
    const result = (await effect(input, new AbortController().signal))._unsafeUnwrap();
    // One request for the decision in all, whichever process sent it.
    expect([result.sent, result.started, aggregates() - before]).toEqual([row.sent, true, row.requests]);
  });

  it('a retry of the same decision in the same process reads first and sends nothing more', async () => {
    const ref = await connectedMember('retry-same');
    const input = await decision(ref);
    const effect = createRefreshAggregate(client, input.decidedAt);
    const before = aggregates();
    expect((await effect(input, new AbortController().signal))._unsafeUnwrap().sent).toBe(true);
    expect((await effect(input, new AbortController().signal))._unsafeUnwrap()).toMatchObject({ sent: false, started: true });
    expect(aggregates() - before).toBe(1);
  });
});

describe('refresh machine restored from a snapshot taken while its aggregate was on the wire', () => {
  it('follows the aggregation the lost request started, with no second request', async () => {
    const ref = await connectedMember('crash-mid-refresh');
    const readMemberStatus = fromEffect((input: { userGuid: string; memberGuid: string }, signal) => client.readMemberStatus(input.userGuid, input.memberGuid, { signal }));
    const firstProcess = createRefreshAggregate(client, 0);
    // The request reaches MX, but its answer never reaches the machine: the process dies first.
    const lostAnswer = fromPromise<RefreshAggregateActorOutput, RefreshAggregateActorInput>(async ({ input, signal }) => {
      await firstProcess(input, signal);
      return new Promise<never>(() => {});
    });
    const input = { externalId: 'crash-mid-refresh', userGuid: ref.userGuid, members: [{ externalId: 'crash-mid-refresh-bank', guid: ref.memberGuid, institutionCode: 'mxbank' }], options: { minAggregationIntervalMs: 0, pollIntervalMs: 50 } };
    const before = aggregates();
    const doomed = createActor(refreshMachine.provide({ actors: { readMemberStatus, aggregateForRefresh: lostAnswer } }), { input }).start();
    await until(() => aggregates() - before === 1);
    expect(doomed.getSnapshot().value).toBe('aggregating');
    const persisted = JSON.parse(JSON.stringify(doomed.getPersistedSnapshot())) as Snapshot<unknown>;
    doomed.stop();

    const restarted = createRefreshAggregate(client, Date.now() + 1);
    const restored = createActor(refreshMachine.provide({ actors: { readMemberStatus, aggregateForRefresh: fromEffect(restarted) } }), { input, snapshot: persisted }).start();
    const output = (await toPromise(restored)) as RefreshOutput;
    expect(output.members[0]).toMatchObject({ outcome: 'refreshed', connectionStatus: 'CONNECTED' });
    expect(aggregates() - before).toBe(1);
  });
});
