/**
 * Aggregation as a function of time: a member keeps only timestamps and the outcome its password
 * chose at create time, and its connection status is computed when it is read. No timers run, so
 * a sandbox holding 100,000 members costs nothing while nobody asks.
 */
import type { ConnectionStatus } from '../api/types.js';

/** What the `mxbank` password makes an aggregation end in. */
export type Outcome =
  | 'connected' | 'challenge' | 'options' | 'image' | 'denied' | 'locked' | 'prevented' | 'impeded' | 'slow' | 'failed';

/** The `mxbank` passwords and the outcome each one picks; any other password is DENIED. */
export const MXBANK_PASSWORDS: Readonly<Record<string, Outcome>> = {
  password: 'connected',
  challenge: 'challenge',
  options: 'options',
  image: 'image',
  denied: 'denied',
  locked: 'locked',
  prevented: 'prevented',
  impeded: 'impeded',
  slow: 'slow',
  server_error: 'failed',
};

export const MXBANK_USERNAME = 'mxuser';
/** The answer that passes either challenge; any other answer is REJECTED. */
export const CORRECT_ANSWER = 'correct';
/** A 1×1 PNG, the picture of the sandbox's IMAGE_DATA challenge. */
const CHALLENGE_PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

export interface CredentialField {
  guid: string;
  field_name: string;
  field_type: string;
  label: string;
  type: string;
  display_order: number;
}

export interface Institution {
  code: string;
  name: string;
  guid: string;
  manual: boolean;
  credentials: CredentialField[];
}

export const INSTITUTIONS: ReadonlyMap<string, Institution> = new Map([
  ['mxbank', {
    code: 'mxbank', name: 'MX Bank', guid: 'INS-1572a04c-912b-59bf-5841-332c7dfafaef', manual: false,
    credentials: [
      { guid: 'CRD-username', field_name: 'LOGIN', field_type: 'TEXT', label: 'Username', type: 'LOGIN', display_order: 1 },
      { guid: 'CRD-password', field_name: 'PASSWORD', field_type: 'PASSWORD', label: 'Password', type: 'PASSWORD', display_order: 2 },
    ],
  }],
  ['manual', { code: 'manual', name: 'Manual Institution', guid: 'INS-manual-b1d7c8f5', manual: true, credentials: [] }],
]);

/** The part of a member that decides its status; everything here is safe to show. */
export interface Timeline {
  outcome: Outcome;
  manual: boolean;
  /** When the current aggregation started (epoch ms); null when it never did. */
  startedAt: number | null;
  /** The status shown while a later aggregation runs (the first one shows CREATED). */
  priorStatus: ConnectionStatus | null;
  /** The open challenge's guid while the outcome is a challenge. */
  challengeGuid: string | null;
  answeredAt: number | null;
  answerCorrect: boolean;
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
  return settled(t.answerCorrect ? 'CONNECTED' : 'REJECTED', resumedEnds);
}

/** Starts an aggregation at `now`, keeping what the last one left behind. */
export function startAggregation(t: Timeline, now: number, timing: Timing, challengeGuid: string): void {
  if (t.startedAt !== null) {
    const view = viewAt(t, now, timing);
    t.priorStatus = view.connection_status;
    t.lastAggregatedAt = view.aggregated_at;
    t.lastSuccessAt = view.successfully_aggregated_at;
  }
  t.startedAt = now;
  t.answeredAt = null;
  t.answerCorrect = false;
  t.challengeGuid = t.outcome === 'challenge' || t.outcome === 'options' || t.outcome === 'image' ? challengeGuid : null;
}

/** The open challenge of a member whose outcome is a challenge, as MX's ChallengeResponse. */
export function challengeOf(t: Timeline): Record<string, unknown> | null {
  if (t.challengeGuid === null) return null;
  if (t.outcome === 'options') {
    return {
      guid: t.challengeGuid,
      type: 'OPTIONS',
      label: 'Which colour is the sky on a clear day?',
      field_name: 'colour',
      options: [
        { guid: `${t.challengeGuid}-1`, label: 'Blue', value: CORRECT_ANSWER },
        { guid: `${t.challengeGuid}-2`, label: 'Green', value: 'incorrect' },
      ],
    };
  }
  if (t.outcome === 'image') {
    // MX's IMAGE_DATA challenge: the picture as base64 in `image_data`, answered with its text.
    return { guid: t.challengeGuid, type: 'IMAGE_DATA', label: 'Enter the text shown in the image', field_name: 'image_text', image_data: CHALLENGE_PNG };
  }
  return { guid: t.challengeGuid, type: 'TEXT', label: 'What city were you born in?', field_name: 'city' };
}

/**
 * The outcome a set of `mxbank` credentials picks. The values are read here and nowhere else:
 * the caller keeps the outcome and drops the values.
 */
export function outcomeOf(credentials: ReadonlyArray<{ guid: string; value: string }>): Outcome {
  const username = credentials.find((c) => c.guid === 'CRD-username')?.value;
  const password = credentials.find((c) => c.guid === 'CRD-password')?.value ?? '';
  if (username !== MXBANK_USERNAME) return 'denied';
  return Object.hasOwn(MXBANK_PASSWORDS, password) ? (MXBANK_PASSWORDS[password] ?? 'denied') : 'denied';
}

export const STATUS_MESSAGES: Partial<Record<ConnectionStatus, string>> = {
  CREATED: 'Connecting to MX Bank ...',
  CONNECTED: 'Connected to MX Bank.',
  CHALLENGED: 'To authenticate your connection to MX Bank, please answer the following challenge(s).',
  DENIED: 'The credentials entered do not match your credentials at this institution. Please re-enter your credentials to continue.',
  LOCKED: 'Your account is locked. Please log in to the appropriate website for MX Bank and follow the steps to resolve the issue.',
  PREVENTED: 'MX Bank is preventing access to your account. Please log in to MX Bank and follow the steps to resolve the issue.',
  IMPEDED: 'Your attention is needed at this institution\'s website. Please log in to the appropriate website for MX Bank and follow the steps to resolve the issue.',
  DELAYED: 'Importing your accounts and transactions is taking longer than expected.',
  FAILED: 'There was a problem validating your credentials with MX Bank. Please try again later.',
  REJECTED: 'The answer or answers provided were incorrect. Please try again.',
  EXPIRED: 'The answer or answers were not provided in time. Please try again.',
  RESUMED: 'The connection to MX Bank has resumed.',
};
