/**
 * `mx-lifecycle history --job NAME --customer ID`: what happened to one customer, step by step,
 * from the job's store: each state a machine of the customer entered, the event, the MX requests
 * behind it (method, path template, status, time) or the classified error, and the member's
 * connection status. Steps hold no secret and no URL, so the output can be pasted into a ticket.
 */
import { parseArgs } from 'node:util';
import type { HistoryStep } from '../../durable/index.js';
import { flagHelp } from '../flags/flagTable.js';
import type { Command } from './command.js';
import { usageProblem } from '../flags/jobFlags.js';
import { checkCustomers, openJob } from '../job/jobStore.js';
import { EXIT_OK, guarded } from '../ui/output.js';
import { explainingEnvironment } from '../job/environment.js';

const USAGE = `usage: mx-lifecycle history --job NAME --customer ID [--store URL] [--json]

Prints one customer's steps, oldest first: the time, the machine and the state it entered, the event,
the MX requests behind it (method, path template, status, time) or the classified error, and the
member's connection status. A job keeps the last 200 steps of each customer (onboard --history-limit).

${flagHelp('history')}

exit codes: 0 the history was printed (also when it is empty); 1 no such job; 64 bad usage
            (a customer not in the job); 69 the store cannot be reached`;

/**
 * One line of a step: `12:00:01.250  member cust-1-m0  polling.checkingStatus  ← xstate.done.actor.readMemberStatus  GET /users/{user_guid}/members/{member_guid}/status 200 41 ms  CONNECTED`.
 *
 * @example
 * stepLine({ at: 0, machine: 'user', actor: 'user', state: 'recoveringDuplicate', event: 'xstate.error.actor.createUser', error: { kind: 'duplicate', status: 409 } });
 */
export function stepLine(step: HistoryStep): string {
  const time = new Date(step.at).toISOString().replace('T', ' ').replace('Z', '');
  const who = step.actor === step.machine ? step.machine : `${step.machine} ${step.actor}`;
  const requests = (step.requests ?? []).map((r) => `${r.method} ${r.path} ${r.status === 0 ? 'no response' : r.status} ${r.ms} ms`);
  const parts = [time, who, step.state, `<- ${step.event}`, ...requests];
  if (step.repeated) parts.push(`(after ${step.repeated} more polling steps like the ones above)`);
  if (step.error) parts.push(`error ${step.error.kind}${step.error.status ? ` (${step.error.status})` : ''}`);
  if (step.connectionStatus) parts.push(step.connectionStatus);
  return parts.join('  ');
}

async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv, strict: true, allowPositionals: true,
    options: { job: { type: 'string' }, customer: { type: 'string' }, store: { type: 'string' }, json: { type: 'boolean' } },
  });
  if (positionals.length > 0) throw usageProblem(`unexpected argument '${positionals[0] ?? ''}' (name the job with --job and the customer with --customer)`);
  if (values.customer === undefined || values.customer === '') throw usageProblem('--customer ID is needed: the customer whose steps to show');
  const opened = await openJob('history', values.job, values.store);
  if (typeof opened === 'number') return opened;
  const { store, job } = opened;
  try {
    await checkCustomers(store, job.id, [values.customer]);
    const steps = await store.historyOf(job.id, values.customer);
    if (values.json === true) {
      process.stdout.write(`${JSON.stringify({ job: job.id, customer: values.customer, steps })}\n`);
      return EXIT_OK;
    }
    const lines = [`job ${job.id}, customer ${values.customer}: ${steps.length} step${steps.length === 1 ? '' : 's'}`, ...steps.map(stepLine)];
    if (steps.length === 0) lines.push('  (no steps kept: the customer has not run yet, or the job keeps none)');
    process.stdout.write(`${lines.join('\n')}\n`);
    return EXIT_OK;
  } finally {
    await store.close();
  }
}

export const command: Command = {
  summary: "print one customer's steps: states, events, MX requests and statuses",
  usage: USAGE,
  run: guarded('history', explainingEnvironment('history', run)),
};
