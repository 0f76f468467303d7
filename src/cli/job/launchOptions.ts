/**
 * What a command asks of one run of a job (launchJob.ts); a file of its own so that the run's
 * steps, which read these options, and launchJob, which calls the steps, import no loop.
 */
import type { AnswerSource, SnapshotStore } from '../../durable/index.js';
import type { JobSettings } from '../flags/jobFlags.js';

export interface LaunchJobOptions {
  /** The command's name, for messages. */
  command: string;
  settings: JobSettings;
  /** Answers MFA challenges (the demo); without it a challenge needs the customer at once. */
  answerChallenge?: AnswerSource;
  /** The demo counts needs-action and failed customers as expected, so a finished demo exits 0. */
  expectedOutcomes?: boolean;
  /** How often a JSON progress line is written off a terminal. */
  progressEveryMs?: number;
  /** The status command to suggest in the summary. */
  statusCommand?: string;
  /** `retry`: members MX has get the input's credentials by update member, never a second create. */
  replaceCredentials?: boolean;
  /** `retry`: only these customers of the input are submitted (their credentials held); the rest are ignored. */
  onlyCustomers?: ReadonlySet<string>;
  /** `retry`: the store it opened and locked (the run takes it over and closes it), and the owner it leased the re-opened customers to. */
  opened?: { store: SnapshotStore; owner: string };
  /**
   * Runs after the summary while the dashboard still serves (the demo keeps its page up until
   * Ctrl-C); not after a run a signal stopped.
   */
  afterSummary?: () => Promise<void>;
}
