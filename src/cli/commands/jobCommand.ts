/**
 * What `onboard` and `offboard` share: both read the job flags and the webhook flags, then run
 * the job; only their words and the kind of job differ.
 */
import type { JobKind } from '../../durable/index.js';
import { flagHelp } from '../flags/flagTable.js';
import { jobSettingsWithWebhooks } from '../flags/webhookFlags.js';
import { guarded } from '../ui/output.js';
import type { Command } from './command.js';

/** The words of one job command. */
export interface JobCommandText {
  summary: string;
  /** The paragraph under the usage line. */
  about: string;
  /** The exit codes' first line, after `0 `. */
  exitCodes: string;
}

/**
 * A command that runs one job of `kind` over INPUT.
 *
 * @example
 * export const command = jobCommand('onboard', { summary: 'create users and members', about: 'Onboards…', exitCodes: 'every customer done; …' });
 */
export function jobCommand(kind: Extract<JobKind, 'onboard' | 'offboard'>, text: JobCommandText): Command {
  const usage = `usage: mx-lifecycle ${kind} INPUT [options]

${text.about}

${flagHelp(kind)}

exit codes: 0 ${text.exitCodes}
            2 the job halted (the message says what to fix); 64 bad usage or unusable INPUT;
            69 the store cannot be reached; 70 unexpected error; 75 another process runs this SQLite job;
            130 interrupted (run again to continue)`;
  return {
    summary: text.summary,
    usage,
    run: guarded(kind, async (argv) => {
      const settings = jobSettingsWithWebhooks(argv, kind, process.env);
      // Loaded after the flags are checked, so a usage mistake is answered without loading the runtime.
      const { launchJob } = await import('../job/launchJob.js');
      return launchJob({ command: kind, settings });
    }),
  };
}
