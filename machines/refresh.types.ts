/**
 * The refresh machine's input, context and output: one customer's connected members, each read,
 * then aggregated again unless MX's minimum interval says not yet.
 */
import type { ConnectionStatus } from '../src/api/index.js';
import type { ApiError } from '../src/errors/index.js';
import type { JobResumeEvent } from './events.js';
import type { LifecycleOptions, ResolvedLifecycleOptions } from './options.js';
import type { RetryContext } from './retry.js';

/** One member to refresh: a connected member of an onboarding job, by its guid. */
export interface RefreshMemberInput {
  externalId: string;
  guid: string;
  institutionCode: string;
}

export interface RefreshInput {
  /** The customer's external id. */
  externalId: string;
  userGuid: string;
  members: RefreshMemberInput[];
  options?: Partial<LifecycleOptions>;
}

/**
 * What became of one member: `refreshed` (an aggregation ran and ended CONNECTED), `skipped` (no
 * new aggregation now: inside the minimum interval, MX answered without starting one, or a
 * temporary status), `needsAction` (a status only the end user can fix), `failed` (a classified
 * error or a FAILED aggregation); `pending` until it is reached.
 */
export type RefreshMemberOutcome = 'pending' | 'refreshed' | 'skipped' | 'needsAction' | 'failed';

/**
 * Why a member was skipped or needs action: `window` (its last successful aggregation is inside
 * the minimum interval: no request was sent), `throttled` (MX answered the aggregate with no new
 * aggregation), `retryLater` (a temporary status), `connectionStatus` (a status the end user must
 * act on), `pollTimeout` (still aggregating when the polls ran out).
 */
export type RefreshReason = 'window' | 'throttled' | 'retryLater' | 'connectionStatus' | 'pollTimeout';

export interface RefreshedMember {
  externalId: string;
  guid: string;
  institutionCode: string;
  outcome: RefreshMemberOutcome;
  connectionStatus: ConnectionStatus | null;
  /** MX's `successfully_aggregated_at` as last read. */
  successfullyAggregatedAt: string | null;
  /** When a skipped member may be aggregated again (ISO 8601); null for the others. */
  nextRefreshAt: string | null;
  reason: RefreshReason | null;
  error: ApiError | null;
}

/** A status read as the refresh machine keeps it between the read and the aggregate. */
export interface SeenAggregation {
  aggregatedAt: string | null;
  successfullyAggregatedAt: string | null;
}

export type RefreshStep = 'reading' | 'aggregating' | 'checkingStatus';

export interface RefreshContext extends RetryContext<RefreshStep> {
  externalId: string;
  userGuid: string;
  options: ResolvedLifecycleOptions;
  members: RefreshedMember[];
  /** The member being refreshed. */
  index: number;
  /** What the read before the aggregate saw, so a restored aggregate can tell whether its request got through. */
  seen: SeenAggregation | null;
  /** When this run decided to aggregate the current member (epoch ms). */
  decidedAt: number | null;
  polls: number;
  nextPollAt: number | null;
  outcome: 'done' | 'needsAction' | 'failed' | null;
}

export type RefreshEvent = JobResumeEvent;

export interface RefreshOutput {
  /** `failed` when a member failed, else `needsAction` when one needs action, else `done`. */
  outcome: 'done' | 'needsAction' | 'failed';
  externalId: string;
  userGuid: string;
  members: RefreshedMember[];
  error: ApiError | null;
}
