/**
 * `mx-lifecycle retry --job NAME [INPUT]`: re-opens final customers of a job (failed and needs
 * action unless told) and runs them again in the same job. They start over from their input; a
 * user or member MX already has is found, not created again, and with INPUT the credentials given
 * there replace the old ones through MX's update member, which aggregates with them.
 *
 * It owns what it changes: on SQLite it takes the job's run lock before it re-opens anyone (and
 * holds it through its run), and on PostgreSQL it leases the customers it re-opens to itself in
 * the same write, so the corrected credentials it holds reach MX and no other worker can run them
 * first with the old ones.
 */
import { DEFAULT_LEASE_MS, defaultOwnerOf, type ItemState, type ResetLease, type SnapshotStore, type StoredItem } from '../durable/index.js';
import type { Command } from './command.js';
import { JOB_FLAGS_USAGE, usageProblem, type JobSettings } from './flags.js';
import { jobSettingsWithWebhooks, WEBHOOK_FLAGS_USAGE } from './webhookFlags.js';
import { checkCustomers, openJob } from './jobStore.js';
import { EXIT_BUSY, EXIT_OK, guarded } from './output.js';

const USAGE = `usage: mx-lifecycle retry --job NAME [--failed] [--needs-action] [--customer ID]… [INPUT] [options]

Runs final customers of an onboard job again, in the same job: the failed and the needs-action ones,
or those --failed/--needs-action choose, or only the --customer ones. With INPUT (the same kind of
file as onboard's), the credentials given there replace the old ones: a member MX already has gets
them through update member (which aggregates again), never a second member. Without INPUT, members
MX has are aggregated again as they are. Customers of INPUT that are not re-opened are ignored.

  --failed               re-open the failed customers
  --needs-action         re-open the customers that need action
  --customer ID          only this customer (repeatable; it must be in the job)
${JOB_FLAGS_USAGE}
${WEBHOOK_FLAGS_USAGE}

exit codes: as onboard: 0 every customer done; 1 some need action or failed (also: no such job);
            2 the job halted; 64 bad usage (a --customer not in the job: nothing is changed);
            75 another process runs the job (SQLite), or every --customer is still running: nothing is changed`;

const PAGE = 500;
const RETRY_FLAGS = new Set(['--failed', '--needs-action']);

/** Splits retry's own flags from the job flags it shares with onboard. */
function splitFlags(argv: readonly string[]): { states: ItemState[]; customers: string[]; rest: string[] } {
  const states: ItemState[] = [];
  const customers: string[] = [];
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] ?? '';
    if (arg === '--') {
      rest.push(...argv.slice(i));
      break;
    }
    if (RETRY_FLAGS.has(arg)) states.push(arg === '--failed' ? 'failed' : 'needsAction');
    else if (arg.startsWith('--customer=')) customers.push(arg.slice('--customer='.length));
    else if (arg === '--customer') {
      const id = argv[i + 1];
      if (id === undefined || id.startsWith('--')) throw usageProblem('--customer needs an id');
      customers.push(id);
      i += 1;
    } else rest.push(arg);
  }
  return { states: states.length > 0 ? states : ['failed', 'needsAction'], customers, rest };
}

const OPEN: readonly ItemState[] = ['pending', 'active', 'halted'];

/**
 * The stored machine input with this run's lifecycle flags (`--mfa-wait`, `--poll-interval-ms`,
 * `--max-attempts`) over the first run's: the input keeps the options it was created with, so
 * without this `retry --mfa-wait 0` waited out the first run's window.
 */
function withFlags(input: unknown, lifecycle: JobSettings['lifecycle']): unknown {
  if (Object.keys(lifecycle).length === 0 || typeof input !== 'object' || input === null) return input;
  const stored = input as { options?: JobSettings['lifecycle'] };
  return { ...stored, options: { ...stored.options, ...lifecycle } };
}

/**
 * Puts the chosen final items back to pending with a fresh start, leased to `lease.owner`; returns
 * their ids, and the named customers it left alone because they are still running.
 */
async function reopen(
  store: SnapshotStore, jobId: string, states: readonly ItemState[], customers: readonly string[], lease: ResetLease, lifecycle: JobSettings['lifecycle'],
): Promise<{ reopened: string[]; running: StoredItem[] }> {
  const fresh = (item: StoredItem) => ({ id: item.id, state: 'pending' as const, input: withFlags(item.input, lifecycle), snapshot: null, outcome: null });
  if (customers.length > 0) {
    const items = (await Promise.all(customers.map((id) => store.getItem(jobId, id)))).filter((i): i is StoredItem => i !== null);
    const reopened = await store.resetItems(jobId, items.filter((i) => states.includes(i.state)).map(fresh), states, lease);
    return { reopened, running: items.filter((i) => OPEN.includes(i.state)) };
  }
  const ids: string[] = [];
  let afterSeq = 0;
  for (;;) {
    const page = await store.listItems(jobId, { states, afterSeq, limit: PAGE });
    if (page.length === 0) break;
    afterSeq = page[page.length - 1]?.seq ?? afterSeq;
    ids.push(...(await store.resetItems(jobId, page.map(fresh), states, lease)));
  }
  return { reopened: ids, running: [] };
}

/** The job's run lock where the store has one (SQLite), or the exit code after saying who holds it. */
async function lockJob(store: SnapshotStore, jobId: string): Promise<{ release(): void } | undefined | number> {
  try {
    return await store.lockRun?.(jobId);
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'MX_STORE_JOB_BUSY') throw error;
    process.stderr.write(`mx-lifecycle retry: ${(error as Error).message}; nothing was changed: run retry again once it has ended\n`);
    return EXIT_BUSY;
  }
}

async function run(argv: string[]): Promise<number> {
  const { states, customers, rest } = splitFlags(argv);
  if (!rest.some((a) => a === '--job' || a.startsWith('--job='))) throw usageProblem('--job NAME is needed: the job to retry (mx-lifecycle status lists them)');
  const settings = jobSettingsWithWebhooks(rest, 'onboard', process.env, { inputOptional: true });
  const opened = await openJob('retry', settings.job, settings.store);
  if (typeof opened === 'number') return opened;
  const { store, job } = opened;
  let lock: { release(): void } | undefined;
  try {
    if (job.kind !== 'onboard') throw usageProblem(`job ${job.id} is an ${job.kind} job: retry re-runs onboard jobs (run offboard again instead)`);
    await checkCustomers(store, job.id, customers);
    if (settings.input !== '') {
      const { checkInputFile } = await import('../input/index.js');
      const problem = await checkInputFile(settings.input);
      if (problem) throw usageProblem(problem.message);
    }
    // Owned before changed: the lock (SQLite) or the lease the reset writes (PostgreSQL).
    const locked = await lockJob(store, job.id);
    if (typeof locked === 'number') return locked;
    lock = locked;
    const owner = defaultOwnerOf(store);
    const { reopened, running } = await reopen(store, job.id, states, customers, { owner, leaseMs: settings.leaseMs ?? DEFAULT_LEASE_MS }, settings.lifecycle);
    for (const item of running) {
      process.stderr.write(`mx-lifecycle retry: job ${job.id}: customer ${item.id} is still running (${item.state}), here or in another worker: not re-opened; retry it once it is final\n`);
    }
    const shown = states.map((s) => (s === 'needsAction' ? 'needs action' : s)).join(' or ');
    if (reopened.length === 0) {
      if (running.length > 0) return EXIT_BUSY;
      process.stdout.write(`mx-lifecycle retry: job ${job.id}: no customer ${shown}${customers.length > 0 ? ' among those named' : ''}: nothing to retry\n`);
      return EXIT_OK;
    }
    process.stderr.write(`mx-lifecycle retry: job ${job.id}: ${reopened.length} customer${reopened.length === 1 ? '' : 's'} (${shown}) re-opened\n`);
    const { runJob } = await import('./runJob.js');
    return await runJob({ command: 'retry', settings, replaceCredentials: true, onlyCustomers: new Set(reopened), opened: { store, owner } });
  } finally {
    lock?.release();
    // Closing twice is harmless: the run closes the store it was handed.
    await store.close();
  }
}

export const command: Command = {
  summary: 'run the failed and needs-action customers of a job again, with corrected credentials from INPUT',
  usage: USAGE,
  run: guarded('retry', run),
};
