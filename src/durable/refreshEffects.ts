/**
 * The one effect only the refresh machine names: an aggregate request that is sent at most once per
 * decision. A restored machine runs a pending effect again with its persisted input (DESIGN fact 1),
 * so an aggregate whose answer was lost in a crash would be sent twice. The decision carries when it
 * was made and what the read before it saw: a decision this process did not make, or made and sent
 * already, reads the member first, and an aggregation that runs or ran since that read means the
 * earlier request got through.
 */
import { okAsync, type ResultAsync } from 'neverthrow';
import type { RefreshAggregateActorInput, RefreshAggregateActorOutput } from '../../machines/_internals/index.js';
import type { LifecycleEffect } from '../../machines/index.js';
import type { CallOptions, MxClient, MxMember, MxMemberStatus } from '../api/index.js';
import type { ApiError } from '../errors/index.js';

/** Decisions remembered as sent, oldest forgotten first: a restore within this many members still reads first. */
const SENT_KEPT = 100_000;

const outputOf = (member: MxMember | MxMemberStatus, input: RefreshAggregateActorInput, sent: boolean): RefreshAggregateActorOutput => {
  const success = member.successfully_aggregated_at ?? null;
  const started =
    member.is_being_aggregated === true ||
    (member.aggregated_at ?? null) !== input.seenAggregatedAt ||
    success !== input.seenSuccessfullyAggregatedAt;
  return { sent, started, connectionStatus: member.connection_status, successfullyAggregatedAt: success };
};

/**
 * The `aggregateForRefresh` effect on `client`.
 *
 * @example
 * const aggregateForRefresh = createRefreshAggregate(client);
 * const machines = provideEffects({ ...effects, aggregateForRefresh });
 */
export function createRefreshAggregate(
  client: MxClient,
  startedAt: number = Date.now(),
  on: (signal: AbortSignal) => CallOptions = (signal) => ({ signal }),
): LifecycleEffect<RefreshAggregateActorInput, RefreshAggregateActorOutput> {
  const sent = new Set<string>();
  const send = (input: RefreshAggregateActorInput, signal: AbortSignal, key: string): ResultAsync<RefreshAggregateActorOutput, ApiError> => {
    sent.add(key);
    if (sent.size > SENT_KEPT) sent.delete(sent.values().next().value as string);
    return client.aggregateMember(input.userGuid, input.memberGuid, on(signal)).map((member) => outputOf(member, input, true));
  };
  return (input, signal) => {
    const key = `${input.memberGuid}\u0000${input.decidedAt}`;
    const fresh = input.decidedAt >= startedAt && !sent.has(key);
    if (fresh) return send(input, signal, key);
    return client.readMemberStatus(input.userGuid, input.memberGuid, on(signal)).andThen((status) => {
      const seen = outputOf(status, input, false);
      return seen.started ? okAsync(seen) : send(input, signal, key);
    });
  };
}

