/**
 * `mx-lifecycle offboard INPUT`: deletes the listed customers' members and then their users.
 * Deleting twice is fine: what is already gone counts as done.
 */
import { JOB_FLAGS_USAGE } from '../flags/jobFlags.js';
import type { Command } from './command.js';
import { guarded } from '../ui/output.js';
import { jobSettingsWithWebhooks, WEBHOOK_FLAGS_USAGE } from '../flags/webhookFlags.js';

const USAGE = `usage: mx-lifecycle offboard INPUT [options]

Deletes the members and then the user of each customer in INPUT (the same file formats as onboard;
credentials are not needed). Already deleted users and members count as done, so it can run again.
The job name defaults to <INPUT>-offboard.

${JOB_FLAGS_USAGE.replace(' (default: from INPUT)', ' (default: <INPUT>-offboard)')}
${WEBHOOK_FLAGS_USAGE}

exit codes: 0 every customer removed; 1 some failed, some ids were not found at MX, or input rows were skipped;
            2 the job halted (the message says what to fix); 64 bad usage or unusable INPUT;
            69 the store cannot be reached; 70 unexpected error; 75 another process runs this SQLite job;
            130 interrupted (run again to continue)`;

export const command: Command = {
  summary: "delete the members and users of a file's customers (idempotent)",
  usage: USAGE,
  run: guarded('offboard', async (argv) => {
    const settings = jobSettingsWithWebhooks(argv, 'offboard', process.env);
    // Loaded after the flags are checked, so a usage mistake is answered without loading the runtime.
    const { launchJob } = await import('../job/launchJob.js');
    return launchJob({ command: 'offboard', settings });
  }),
};
