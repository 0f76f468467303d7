/**
 * `mx-lifecycle offboard INPUT`: deletes the listed customers' members and then their users.
 * Deleting twice is fine: what is already gone counts as done.
 */
import { jobCommand } from './jobCommand.js';

export const command = jobCommand('offboard', {
  summary: "delete the members and users of a file's customers (idempotent)",
  about: `Deletes the members and then the user of each customer in INPUT (the same file formats as onboard;
credentials are not needed). Already deleted users and members count as done, so it can run again.
The job name defaults to <INPUT>-offboard.`,
  exitCodes: 'every customer removed; 1 some failed, some ids were not found at MX, or input rows were skipped;',
});
