/**
 * Aggregation as a function of time: a member keeps only timestamps and the outcome its password
 * chose at create time, and its connection status is computed when it is read. No timers run, so
 * a sandbox holding 100,000 members costs nothing while nobody asks.
 */
import type { ConnectionStatus } from '../api/index.js';
import { answerStatus, FOLLOW_UP_ANSWER, type Outcome } from './mxbank.js';

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
  /**
   * How many aggregations in a row settled DENIED before the current one: MX's PREVENTED is
   * "the end user's entered credentials have failed to connect three times in a row".
   */
  deniedStreak: number;
  /** The challenge round of a multi-round outcome (1 for the first challenge). */
  round: number;
  /** When a follow-up challenge opens (the first one opens when the aggregation's first leg ends). */
  challengeFrom: number | null;
}

export interface Timing {
  aggregationMs: number;
  challengeWindowMs: number;
  slowMs: number;
}

export interface MemberView {
  connection_status: ConnectionStatus | null;
  is_being_aggregated: boolean;
  /**
   * MX: "the most recent aggregation-type job was started". The API shows it once a job has
   * settled, equal to the settle time (so it matches `successfully_aggregated_at`); null while the
   * first job runs and while CHALLENGED. The MEMBER webhook sends the start time instead.
   */
  aggregated_at: number | null;
  successfully_aggregated_at: number | null;
  challenged: boolean;
}

/** MX: PREVENTED after credentials "failed to connect three times in a row". */
export const PREVENTED_AFTER = 3;
/** The outcomes that raise a challenge. */
export const CHALLENGE_OUTCOMES: readonly Outcome[] = ['challenge', 'options', 'image', 'twoStep'];

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
  const challenged = { ...idle, aggregated_at: null, connection_status: 'CHALLENGED' as const, is_being_aggregated: true, challenged: true };
  if (t.manual) return { ...idle, connection_status: 'CREATED', is_being_aggregated: false };
  // An OAuth member waits for the end user at the bank: no aggregation runs until they sign in.
  // A denied authorisation leaves it DENIED, still waiting for a new authorisation.
  if (t.outcome === 'oauth') return { ...idle, connection_status: t.priorStatus ?? 'PENDING', is_being_aggregated: false };
  if (t.startedAt === null) return { ...idle, connection_status: t.priorStatus ?? 'CREATED', is_being_aggregated: false };
  const ends = t.startedAt + timing.aggregationMs;
  if (now < ends) return { ...idle, connection_status: t.priorStatus ?? 'CREATED', is_being_aggregated: true };
  // The third DENIED in a row is PREVENTED: MX stops trying so the bank does not lock the end user out.
  const settled = (status: ConnectionStatus, at: number): MemberView => ({
    connection_status: status === 'DENIED' && t.deniedStreak >= PREVENTED_AFTER - 1 ? 'PREVENTED' : status,
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
    const opensAt = t.challengeFrom ?? ends;
    if (now < opensAt) return { ...idle, connection_status: 'RESUMED', is_being_aggregated: true };
    const expiresAt = opensAt + timing.challengeWindowMs;
    return now < expiresAt ? challenged : settled('EXPIRED', expiresAt);
  }
  const resumedEnds = t.answeredAt + timing.aggregationMs;
  if (now < resumedEnds) return { ...idle, connection_status: 'RESUMED', is_being_aggregated: true };
  return settled(t.answerStatus ?? 'REJECTED', resumedEnds);
}

/**
 * Starts an aggregation at `now` ending as `outcome` (new credentials pick a new one), keeping
 * what the last one left behind, read with the outcome it ran with.
 */
export function startAggregation(
  t: Timeline, now: number, timing: Timing, challengeGuid: string, job: Timeline['job'] = 'aggregate', outcome: Outcome = t.outcome,
): void {
  if (t.startedAt !== null) {
    const view = viewAt(t, now, timing);
    t.priorStatus = view.connection_status;
    t.lastAggregatedAt = view.aggregated_at;
    t.lastSuccessAt = view.successfully_aggregated_at;
    t.deniedStreak = view.connection_status === 'DENIED' || view.connection_status === 'PREVENTED' ? t.deniedStreak + 1 : 0;
  }
  t.outcome = outcome;
  t.startedAt = now;
  t.answeredAt = null;
  t.answerStatus = null;
  t.job = job;
  t.round = 1;
  t.challengeFrom = null;
  t.challengeGuid = CHALLENGE_OUTCOMES.includes(t.outcome) ? challengeGuid : null;
}

/**
 * Takes the answer `value` to the open challenge at `now`. A follow-up challenge (`followUpGuid`)
 * opens once the resumed leg ends, as MX's MFA guide has it ("use the resume endpoint twice":
 * choose the phone, then give the code), after a right first answer to `two_step`, or after the
 * first answer `challenge` to any challenge (MX Bank: it "will answer the first question
 * correctly and trigger a follow-up challenge"). Any other answer ends the aggregation as
 * `answerStatus` says. Returns whether a follow-up challenge comes.
 *
 * @example
 * if (answerChallenge(t, 'correct', Date.now(), timing, `CRD-${randomUUID()}`)) console.log('one more round');
 */
export function answerChallenge(t: Timeline, value: string, now: number, timing: Timing, followUpGuid: string): boolean {
  const status = answerStatus(value);
  if (t.round === 1 && ((t.outcome === 'twoStep' && status === 'CONNECTED') || value === FOLLOW_UP_ANSWER)) {
    t.round = 2;
    t.challengeGuid = followUpGuid;
    t.challengeFrom = now + timing.aggregationMs;
    return true;
  }
  t.answeredAt = now;
  t.answerStatus = status;
  return false;
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
  t.round = 1;
  t.challengeFrom = null;
  t.answeredAt = null;
  t.answerStatus = null;
  t.challengeGuid = null;
  t.priorStatus = status;
}
