/**
 * The refresh machine's pure pieces: MX's minimum interval read from a status, the member patches
 * each ending writes, and the item's outcome from its members'. The statechart is refresh.machine.ts.
 */
import type { ConnectionStatus, MxMemberStatus } from '../src/api/index.js';
import { makeApiError } from '../src/errors/index.js';
import type { ApiError } from '../src/errors/index.js';
import { defaultLifecycleOptions } from './options.js';
import type { RefreshContext, RefreshedMember, RefreshInput, RefreshMemberOutcome, RefreshReason } from './refresh.types.js';
import { statusCategory, statusRetryDelayMs, type StatusCategory } from './statuses.js';

/** MX's documented minimum interval after a successful aggregation (docs.mx.com/aggregation/guides/introduction). */
export const MX_MIN_AGGREGATION_INTERVAL_MS = 3 * 3_600_000;

/** Statuses a refresh leaves to a person without an aggregate: MX would not aggregate them. */
export const REFRESH_NEEDS_ACTION: readonly StatusCategory[] = ['challenged', 'endCustomer', 'terminal', 'other'];

const iso = (ms: number): string => new Date(ms).toISOString();
const parsed = (text: string | null | undefined): number | null => {
  const ms = text ? Date.parse(text) : Number.NaN;
  return Number.isFinite(ms) ? ms : null;
};

/** The interval a context uses (snapshots of earlier options lack it). */
export const intervalOf = (context: Pick<RefreshContext, 'options'>): number =>
  context.options.minAggregationIntervalMs ?? defaultLifecycleOptions.minAggregationIntervalMs;

/**
 * When the member may next be aggregated, after its last successful aggregation: epoch ms, or
 * `null` when it never succeeded.
 *
 * @example
 * ```ts
 * windowEndsAt('2026-12-02T09:00:00Z', 3_600_000); // Date.parse('2026-12-02T10:00:00Z')
 * ```
 */
export function windowEndsAt(successfullyAggregatedAt: string | null | undefined, intervalMs: number): number | null {
  const last = parsed(successfullyAggregatedAt);
  return last === null ? null : last + intervalMs;
}

/**
 * When MX may start an aggregation it just refused (202, no new job): it does not say, so the
 * later of our interval and MX's documented three hours after the last success (or from now).
 *
 * @example
 * ```ts
 * throttledUntil(null, 1_000, Date.parse('2026-12-02T09:00:00Z')); // '2026-12-02T12:00:00.000Z'
 * ```
 */
export function throttledUntil(successfullyAggregatedAt: string | null | undefined, intervalMs: number, now: number): string {
  const from = parsed(successfullyAggregatedAt) ?? now;
  return iso(Math.max(from + Math.max(intervalMs, MX_MIN_AGGREGATION_INTERVAL_MS), now));
}

/** A status read as the guards see it. */
export const readOf = ({ event }: { event: { output: MxMemberStatus } }) => ({ status: event.output });
export type ReadParams = ReturnType<typeof readOf>;

export const categoryOf = (params: ReadParams): StatusCategory => statusCategory(params.status.connection_status);

/** The current member, patched. */
export function patchCurrent(context: RefreshContext, patch: Partial<RefreshedMember>): RefreshedMember[] {
  return context.members.map((m, i) => (i === context.index ? { ...m, ...patch } : m));
}

/** The patch of a member that ends now, and the move to the next one. */
export function settleCurrent(
  context: RefreshContext,
  outcome: RefreshMemberOutcome,
  patch: { reason?: RefreshReason | null; status?: MxMemberStatus | null; nextRefreshAt?: string | null; error?: ApiError | null } = {},
) {
  const status = patch.status ?? null;
  const current = context.members[context.index];
  return {
    members: patchCurrent(context, {
      outcome,
      reason: patch.reason ?? null,
      nextRefreshAt: patch.nextRefreshAt ?? null,
      error: patch.error ?? null,
      ...(status ? { connectionStatus: status.connection_status, successfullyAggregatedAt: status.successfully_aggregated_at ?? current?.successfullyAggregatedAt ?? null } : {}),
    }),
    index: context.index + 1,
    seen: null,
    decidedAt: null,
    polls: 0,
    nextPollAt: null,
  };
}

/**
 * When a temporary status (DEGRADED, DISCONNECTED, DISABLED, DELAYED) may be tried again: the
 * lifecycle's first status-retry wait (a day for DELAYED, MX's "check back the next day").
 *
 * @example
 * ```ts
 * retryLaterAt('DELAYED', 900_000, Date.parse('2026-12-02T09:00:00Z')); // '2026-12-03T09:00:00.000Z'
 * ```
 */
export function retryLaterAt(status: ConnectionStatus | null, baseMs: number, now: number): string {
  return iso(now + statusRetryDelayMs(status, 0, baseMs));
}

/**
 * The item's outcome from its members': one failed member fails it, else one that needs action.
 *
 * @example
 * ```ts
 * itemOutcomeOf([{ outcome: 'skipped' }, { outcome: 'refreshed' }]); // 'done'
 * ```
 */
export function itemOutcomeOf(members: readonly Pick<RefreshedMember, 'outcome'>[]): 'done' | 'needsAction' | 'failed' {
  if (members.some((m) => m.outcome === 'failed')) return 'failed';
  if (members.some((m) => m.outcome === 'needsAction')) return 'needsAction';
  return 'done';
}

/** The members of a fresh refresh machine. */
export function initialMembers(input: RefreshInput): RefreshedMember[] {
  return input.members.map((m) => ({
    externalId: m.externalId, guid: m.guid, institutionCode: m.institutionCode, outcome: 'pending', connectionStatus: null,
    successfullyAggregatedAt: null, nextRefreshAt: null, reason: null, error: null,
  }));
}

/**
 * The error a member's refresh fails with when its aggregation ended FAILED (or in no status the
 * lifecycle knows what to do with): the member keeps the data of its last successful aggregation.
 *
 * @example
 * ```ts
 * aggregationEndedError('FAILED').message; // 'the aggregation ended FAILED; the member keeps the data of its last successful aggregation'
 * ```
 */
export function aggregationEndedError(status: ConnectionStatus | null): ApiError {
  return makeApiError('unknown', { retryable: false, scope: 'item', message: `the aggregation ended ${status ?? 'without a status'}; the member keeps the data of its last successful aggregation` });
}
