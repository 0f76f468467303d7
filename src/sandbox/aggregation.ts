/**
 * Aggregation as a function of time: a member keeps only timestamps and the outcome its password
 * chose at create time, and its connection status is computed when it is read. No timers run, so
 * a sandbox holding 100,000 members costs nothing while nobody asks.
 */
import type { ConnectionStatus } from '../api/types.js';
import type { Outcome } from './mxbank.js';

/** The part of a member that decides its status; everything here is safe to show. */
export interface Timeline {
  /** `oauth` while an OAuth member waits for its end user to authorise; then MX Bank's outcome. */
  outcome: Outcome;
  manual: boolean;
  /** An OAuth member (`is_oauth`): the end user authorises at its `oauth_window_uri`, no credentials. */
  oauth: boolean;
  /** When the current aggregation started (epoch ms); null when it never did. */
  startedAt: number | null;
  /** The status shown while a later aggregation runs (the first one shows CREATED). */
  priorStatus: ConnectionStatus | null;
  /** The open challenge's guid while the outcome is a challenge. */
  challengeGuid: string | null;
  answeredAt: number | null;
  /** What the answer given ends the aggregation in (see `answerStatus`). */
  answerStatus: ConnectionStatus | null;
  /** The kind of job running, or last run: a standard aggregation or a verification. */
  job: 'aggregate' | 'verify';
  lastAggregatedAt: number | null;
  lastSuccessAt: number | null;
}

export interface Timing {
  aggregationMs: number;
  challengeWindowMs: number;
  slowMs: number;
}

export interface MemberView {
  connection_status: ConnectionStatus | null;
  is_being_aggregated: boolean;
  /** The moment the status last settled, when it has. */
  aggregated_at: number | null;
  successfully_aggregated_at: number | null;
  challenged: boolean;
}

const SETTLED: Partial<Record<Outcome, ConnectionStatus>> = {
  connected: 'CONNECTED', denied: 'DENIED', locked: 'LOCKED', prevented: 'PREVENTED', impeded: 'IMPEDED', failed: 'FAILED',
};

/**
 * The member's status at `now`.
 *
 * @example
 * viewAt(timeline, Date.now(), { aggregationMs: 2000, challengeWindowMs: 60000, slowMs: 5000 }).connection_status;
 */
export function viewAt(t: Timeline, now: number, timing: Timing): MemberView {
  const idle = { aggregated_at: t.lastAggregatedAt, successfully_aggregated_at: t.lastSuccessAt, challenged: false };
  if (t.manual) return { ...idle, connection_status: 'CREATED', is_being_aggregated: false };
  // An OAuth member waits for the end user at the bank: no aggregation runs until they sign in.
  // A denied authorisation leaves it DENIED, still waiting for a new authorisation.
  if (t.outcome === 'oauth') return { ...idle, connection_status: t.priorStatus ?? 'PENDING', is_being_aggregated: false };
  if (t.startedAt === null) return { ...idle, connection_status: t.priorStatus ?? 'CREATED', is_being_aggregated: false };
  const ends = t.startedAt + timing.aggregationMs;
  if (now < ends) return { ...idle, connection_status: t.priorStatus ?? 'CREATED', is_being_aggregated: true };
  const settled = (status: ConnectionStatus, at: number): MemberView => ({
    connection_status: status,
    is_being_aggregated: false,
    aggregated_at: at,
    successfully_aggregated_at: status === 'CONNECTED' ? at : t.lastSuccessAt,
    challenged: false,
  });
  const fixed = SETTLED[t.outcome];
  if (fixed) return settled(fixed, ends);
  if (t.outcome === 'slow') {
    const connectedAt = ends + timing.slowMs;
    return now < connectedAt ? { ...idle, connection_status: 'DELAYED', is_being_aggregated: true } : settled('CONNECTED', connectedAt);
  }
  if (t.answeredAt === null) {
    const expiresAt = ends + timing.challengeWindowMs;
    return now < expiresAt
      ? { ...idle, connection_status: 'CHALLENGED', is_being_aggregated: true, challenged: true }
      : settled('EXPIRED', expiresAt);
  }
  const resumedEnds = t.answeredAt + timing.aggregationMs;
  if (now < resumedEnds) return { ...idle, connection_status: 'RESUMED', is_being_aggregated: true };
  return settled(t.answerStatus ?? 'REJECTED', resumedEnds);
}

/** Starts an aggregation at `now`, keeping what the last one left behind. */
export function startAggregation(
  t: Timeline, now: number, timing: Timing, challengeGuid: string, job: Timeline['job'] = 'aggregate',
): void {
  if (t.startedAt !== null) {
    const view = viewAt(t, now, timing);
    t.priorStatus = view.connection_status;
    t.lastAggregatedAt = view.aggregated_at;
    t.lastSuccessAt = view.successfully_aggregated_at;
  }
  t.startedAt = now;
  t.answeredAt = null;
  t.answerStatus = null;
  t.job = job;
  t.challengeGuid = t.outcome === 'challenge' || t.outcome === 'options' || t.outcome === 'image' ? challengeGuid : null;
}

/**
 * Puts an OAuth member back to waiting for its end user, showing `status` meanwhile (null: PENDING),
 * and keeping what its last aggregation left behind.
 */
export function awaitAuthorization(t: Timeline, now: number, timing: Timing, status: ConnectionStatus | null): void {
  if (t.startedAt !== null) {
    const view = viewAt(t, now, timing);
    t.lastAggregatedAt = view.aggregated_at;
    t.lastSuccessAt = view.successfully_aggregated_at;
  }
  t.outcome = 'oauth';
  t.startedAt = null;
  t.answeredAt = null;
  t.answerStatus = null;
  t.challengeGuid = null;
  t.priorStatus = status;
}
