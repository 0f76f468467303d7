/**
 * The onboarding machine's input, context and output.
 */
import type { ApiError } from '../src/errors/index.js';
import type { ConnectionStatus } from '../src/api/index.js';
import type { ChallengeSummary } from './actors.js';
import type { ConnectMode, MemberOutcome, NeedsActionReason } from './member.setup.js';
import type { LifecycleOptions } from './options.js';

export interface OnboardingInput {
  externalId: string;
  email?: string;
  metadata?: string;
  /** The customer's connections; their credentials stay with the runtime's credentials source. */
  members: { externalId: string; institutionCode: string; connect?: ConnectMode }[];
  options?: Partial<LifecycleOptions>;
}

export type OnboardingOutcome = 'done' | 'needsAction' | 'failed';

/** One connection's result: `pending` while its machine runs, `skipped` when the user failed. */
export interface MemberResult {
  externalId: string;
  institutionCode: string;
  /** How it connects, as the member machine settled it (`credentials` in results written before it was kept). */
  connect?: Exclude<ConnectMode, 'auto'>;
  guid: string | null;
  connectionStatus: ConnectionStatus | null;
  outcome: MemberOutcome | 'pending' | 'skipped';
  reason: NeedsActionReason | null;
  error: ApiError | null;
  /** The MFA questions of a member that needs an answer (what was asked, never what was answered). */
  challenges: ChallengeSummary[];
}

export interface OnboardingContext {
  externalId: string;
  email: string | undefined;
  metadata: string | undefined;
  options: Partial<LifecycleOptions> | undefined;
  userGuid: string | null;
  members: MemberResult[];
  /** External ids of the member machines that halted and wait for `job.resume`. */
  haltedMembers: string[];
  /** The job-scope error that halted a child, while it is halted. */
  halt: ApiError | null;
  /** Why the user could not be created. */
  error: ApiError | null;
  outcome: OnboardingOutcome | null;
}

export interface OnboardingOutput {
  outcome: OnboardingOutcome;
  externalId: string;
  userGuid: string | null;
  members: MemberResult[];
  error: ApiError | null;
}
