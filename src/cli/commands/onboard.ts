/**
 * `mx-lifecycle onboard INPUT`: creates a user per customer and a member per connection, and
 * aggregates each member, as one durable job.
 */
import { JOB_FLAGS_USAGE } from '../flags/jobFlags.js';
import type { Command } from './command.js';
import { guarded } from '../ui/output.js';
import { jobSettingsWithWebhooks, WEBHOOK_FLAGS_USAGE } from '../flags/webhookFlags.js';

const USAGE = `usage: mx-lifecycle onboard INPUT [options]

Onboards the customers of INPUT (JSON Lines, or CSV when the name ends .csv) into MX: one user per
customer, one member per connection, each aggregated. Running the same command again resumes the job.

${JOB_FLAGS_USAGE}
${WEBHOOK_FLAGS_USAGE}

exit codes: 0 every customer done; 1 some need action or failed, or input rows were skipped;
            2 the job halted (the message says what to fix); 64 bad usage or unusable INPUT;
            69 the store cannot be reached; 70 unexpected error; 75 another process runs this SQLite job;
            130 interrupted (run again to continue)`;

export const command: Command = {
  summary: 'create users and members for the customers of a JSONL or CSV file',
  usage: USAGE,
  run: guarded('onboard', async (argv) => {
    const settings = jobSettingsWithWebhooks(argv, 'onboard', process.env);
    // Loaded after the flags are checked, so a usage mistake is answered without loading the runtime.
    const { launchJob } = await import('../job/launchJob.js');
    return launchJob({ command: 'onboard', settings });
  }),
};
