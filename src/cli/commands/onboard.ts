/**
 * `mx-lifecycle onboard INPUT`: creates a user per customer and a member per connection, and
 * aggregates each member, as one durable job.
 */
import { jobCommand } from './jobCommand.js';

export const command = jobCommand('onboard', {
  summary: 'create users and members for the customers of a JSONL or CSV file',
  about: `Onboards the customers of INPUT (JSON Lines, or CSV when the name ends .csv) into MX: one user per
customer, one member per connection, each aggregated. Running the same command again resumes the job.`,
  exitCodes: 'every customer done; 1 some need action or failed, or input rows were skipped;',
});
