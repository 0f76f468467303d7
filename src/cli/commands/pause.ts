/**
 * `mx-lifecycle pause --job NAME` and `mx-lifecycle resume --job NAME`: an operator holds a whole
 * job and lets it go on. The store is the channel, as for `cancel`: every worker of the job (in
 * this terminal or another, on PostgreSQL on any machine) reads the pause at its next job check,
 * finishes the requests in flight, takes no new step and stays up until the resume.
 */
import { parseArgs } from 'node:util';
import type { JobRecord } from '../../durable/index.js';
import type { Command } from './command.js';
import { explainingEnvironment } from '../job/environment.js';
import { flagHelp } from '../flags/flagTable.js';
import { usageProblem } from '../flags/jobFlags.js';
import { openJob } from '../job/jobStore.js';
import { EXIT_OK, guarded } from '../ui/output.js';
import { defaultStoreOf } from '../job/storeUrl.js';

type Which = 'pause' | 'resume';

const USAGE: Record<Which, string> = {
  pause: `usage: mx-lifecycle pause --job NAME [--store URL]

Pauses a job for every worker that runs it, from this terminal or another (on PostgreSQL, from any
machine): within seconds they finish the requests in flight, save where each customer stands, take
no new step and stay up, their progress saying "paused". A worker started on a paused job waits.
The pause is kept in the store, so it outlives a restart of the workers; mx-lifecycle resume lets
the job go on, and waits that fell due meanwhile end then.

${flagHelp('pause')}

exit codes: 0 paused (also when it already was); 1 no such job; 64 bad usage; 69 the store cannot be reached`,
  resume: `usage: mx-lifecycle resume --job NAME [--store URL]

Lets a job paused by mx-lifecycle pause go on: its workers take their next steps within seconds,
and the waits that fell due while it was paused end at once.

${flagHelp('resume')}

exit codes: 0 resumed (also when it was not paused); 1 no such job; 64 bad usage; 69 the store cannot be reached`,
};

const SUMMARY: Record<Which, string> = {
  pause: 'pause a job on every worker: requests in flight finish, no new step until resume',
  resume: 'let a paused job go on',
};

const since = (at: number) => `${Math.max(0, Math.round((Date.now() - at) / 1000))} s`;

function said(which: Which, before: JobRecord, after: JobRecord, resumeCommand: string): string {
  if (which === 'pause') {
    if (before.pausedAt !== null) return `job ${after.id} was already paused (since ${new Date(before.pausedAt).toISOString()}); ${resumeCommand} lets it go on`;
    return `job ${after.id} paused: its workers finish the requests in flight and take no new step until ${resumeCommand}`;
  }
  if (before.pausedAt === null) return `job ${after.id} was not paused; nothing changed`;
  return `job ${after.id} resumed after ${since(before.pausedAt)} paused: its workers go on within seconds`;
}

function run(which: Which) {
  return async (argv: string[]): Promise<number> => {
    const { values, positionals } = parseArgs({ args: argv, strict: true, allowPositionals: true, options: { job: { type: 'string' }, store: { type: 'string' } } });
    if (positionals.length > 0) throw usageProblem(`unexpected argument '${positionals[0] ?? ''}' (name the job with --job)`);
    const opened = await openJob(which, values.job, values.store);
    if (typeof opened === 'number') return opened;
    const { store, job, shown } = opened;
    try {
      const after = await store.setPaused(job.id, which === 'pause');
      const storeFlag = values.store === undefined || values.store === defaultStoreOf(job.id) ? '' : ` --store ${shown}`;
      process.stdout.write(`mx-lifecycle ${which}: ${said(which, job, after, `mx-lifecycle resume --job ${job.id}${storeFlag}`)}\n`);
      return EXIT_OK;
    } finally {
      await store.close();
    }
  };
}

/**
 * The `pause` or `resume` command.
 *
 * @example
 * export const command = pauseCommand('resume');
 */
export function pauseCommand(which: Which): Command {
  return { summary: SUMMARY[which], usage: USAGE[which], run: guarded(which, explainingEnvironment(which, run(which))) };
}

export const command: Command = pauseCommand('pause');
