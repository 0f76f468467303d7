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
import { parseArgs } from 'node:util';
import { DEFAULT_LEASE_MS, defaultOwnerOf, type ItemState, type ResetLease, type SnapshotStore, type StoredItem } from '../../durable/index.js';
import type { ItemReset } from '../../durable/index.js';
import { counted } from '../ui/counted.js';
import { filters, matchesRetryFilter, retryFilterOf, stoppedOn, type RetryFilter } from './retryFilter.js';
import { flagHelp } from '../flags/flagTable.js';
import type { Command } from './command.js';
import { usageProblem, type JobSettings } from '../flags/jobFlags.js';
import { jobSettingsWithWebhooks } from '../flags/webhookFlags.js';
import { checkCustomers, openJob } from '../job/jobStore.js';
import { EXIT_BUSY, EXIT_OK, guarded } from '../ui/output.js';

const USAGE = `usage: mx-lifecycle retry --job NAME [--failed] [--needs-action] [--customer ID]… [--kind K]… [--status S]…
                          [--since T] [--dry-run] [INPUT] [options]

Runs final customers of an onboard job again, in the same job: the failed and the needs-action ones,
or those --failed/--needs-action choose, or only the --customer ones; --kind, --status and --since
narrow the choice (with one of them and no --failed/--needs-action, customers an outage halted are
chosen too). With INPUT (the same kind of file as onboard's), the credentials given there replace
the old ones: a member MX already has gets them through update member (which aggregates again),
never a second member. Without INPUT, members MX has are aggregated again as they are. Customers of
INPUT that are not re-opened are ignored.

${flagHelp('retry')}

exit codes: as onboard: 0 every customer done; 1 some need action or failed (also: no such job);
            2 the job halted; 64 bad usage (a --customer not in the job: nothing is changed);
            75 another process runs the job (SQLite), or every --customer is still running: nothing is changed`;

const PAGE = 500;
const RETRY_FLAGS = new Set(['--failed', '--needs-action']);

/** Retry's own flags that take a value, repeatable. */
const VALUE_FLAGS = ['--customer', '--kind', '--status', '--since'] as const;
type ValueFlag = (typeof VALUE_FLAGS)[number];

/** Splits retry's own flags from the job flags it shares with onboard. */
function splitFlags(argv: readonly string[]) {
  const states: ItemState[] = [];
  const given: Record<ValueFlag, string[]> = { '--customer': [], '--kind': [], '--status': [], '--since': [] };
  const rest: string[] = [];
  let dryRun = false;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] ?? '';
    if (arg === '--') {
      rest.push(...argv.slice(i));
      break;
    }
    const flag = VALUE_FLAGS.find((f) => arg === f || arg.startsWith(`${f}=`));
    if (RETRY_FLAGS.has(arg)) states.push(arg === '--failed' ? 'failed' : 'needsAction');
    else if (arg === '--dry-run') dryRun = true;
    else if (flag && arg.startsWith(`${flag}=`)) given[flag].push(arg.slice(flag.length + 1));
    else if (flag) {
      const value = argv[i + 1];
      if (value === undefined || value.startsWith('--')) throw usageProblem(`${flag} needs a value`);
      given[flag].push(value);
      i += 1;
    } else rest.push(arg);
  }
  if (given['--since'].length > 1) throw usageProblem('--since is given once');
  const filter = retryFilterOf(given['--kind'], given['--status'], given['--since'][0]);
  // A customer an outage halted stopped on its error too: with a filter, the halted ones are candidates.
  const chosen: ItemState[] = states.length > 0 ? states : filters(filter) ? ['failed', 'needsAction', 'halted'] : ['failed', 'needsAction'];
  return { states: chosen, customers: given['--customer'], filter, dryRun, rest };
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

/** The chosen items: in one of `states`, among `customers` when named, and passing `filter`. */
async function* chosenItems(store: SnapshotStore, jobId: string, states: readonly ItemState[], customers: readonly string[], filter: RetryFilter) {
  const now = Date.now();
  const pass = (item: StoredItem) => states.includes(item.state) && matchesRetryFilter(item, filter, now);
  if (customers.length > 0) {
    const items = (await Promise.all(customers.map((id) => store.getItem(jobId, id)))).filter((i): i is StoredItem => i !== null);
    yield items.filter(pass);
    return;
  }
  let afterSeq = 0;
  for (;;) {
    const page = await store.listItems(jobId, { states, afterSeq, limit: PAGE });
    if (page.length === 0) break;
    afterSeq = page[page.length - 1]?.seq ?? afterSeq;
    yield page.filter(pass);
  }
}

/**
 * Puts the chosen items back to pending with a fresh start, leased to `lease.owner`, each with a
 * `retry` step in its history; returns their ids, and the named customers it left alone because
 * they are still running.
 */
async function reopen(
  store: SnapshotStore, jobId: string, chosen: Choice, lease: ResetLease, lifecycle: JobSettings['lifecycle'],
): Promise<{ reopened: string[]; running: StoredItem[] }> {
  const keep = await store.historyLimitOf(jobId);
  const fresh = (item: StoredItem): ItemReset => ({
    id: item.id, state: 'pending', input: withFlags(item.input, lifecycle), snapshot: null, outcome: null,
    history: { steps: [{ at: Date.now(), machine: 'operator', actor: 'retry', state: 'pending', event: 'retry' }], keep },
  });
  const ids: string[] = [];
  for await (const page of chosenItems(store, jobId, chosen.states, chosen.customers, chosen.filter)) {
    ids.push(...(await store.resetItems(jobId, page.map(fresh), chosen.states, lease)));
  }
  const named = chosen.customers.length > 0 ? await Promise.all(chosen.customers.map((id) => store.getItem(jobId, id))) : [];
  const running = named.filter((i): i is StoredItem => i !== null && OPEN.includes(i.state) && !ids.includes(i.id) && !chosen.states.includes(i.state));
  return { reopened: ids, running };
}

/** Lists what `retry` would re-open, and why, without changing anything. */
async function dryRun(store: SnapshotStore, jobId: string, chosen: Choice, json: boolean): Promise<number> {
  const rows: { id: string; state: ItemState; kinds: string[]; statuses: string[] }[] = [];
  for await (const page of chosenItems(store, jobId, chosen.states, chosen.customers, chosen.filter)) {
    for (const item of page) rows.push({ id: item.id, state: item.state, ...stoppedOn(item) });
  }
  if (json) {
    process.stdout.write(`${JSON.stringify({ job: jobId, dryRun: true, wouldReopen: rows })}\n`);
    return EXIT_OK;
  }
  const lines = rows.map((r) => `${r.id}  ${r.state}${r.kinds.length ? `  ${r.kinds.join(', ')}` : ''}${r.statuses.length ? `  ${r.statuses.join(', ')}` : ''}`);
  process.stdout.write(`${[...lines, `mx-lifecycle retry: job ${jobId}: would re-open ${counted(rows.length, 'customer')} (dry run: nothing was changed)`].join('\n')}\n`);
  return EXIT_OK;
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

interface Choice {
  states: ItemState[];
  customers: string[];
  filter: RetryFilter;
}

/** A dry run reads the store only: no key, no lock, no INPUT read. */
async function runDry(rest: readonly string[], chosen: Choice): Promise<number> {
  const { values } = parseArgs({ args: [...rest], strict: true, allowPositionals: true, options: { job: { type: 'string' }, store: { type: 'string' }, json: { type: 'boolean' } } });
  const opened = await openJob('retry', values.job, values.store);
  if (typeof opened === 'number') return opened;
  try {
    await checkCustomers(opened.store, opened.job.id, chosen.customers);
    return await dryRun(opened.store, opened.job.id, chosen, values.json === true);
  } finally {
    await opened.store.close();
  }
}

async function run(argv: string[]): Promise<number> {
  const { states, customers, filter, dryRun: dry, rest } = splitFlags(argv);
  const chosen: Choice = { states, customers, filter };
  if (!rest.some((a) => a === '--job' || a.startsWith('--job='))) throw usageProblem('--job NAME is needed: the job to retry (mx-lifecycle status lists them)');
  if (dry) return runDry(rest, chosen);
  const settings = jobSettingsWithWebhooks(rest, 'onboard', process.env, { inputOptional: true });
  const opened = await openJob('retry', settings.job, settings.store);
  if (typeof opened === 'number') return opened;
  const { store, job } = opened;
  let lock: { release(): void } | undefined;
  try {
    if (job.kind !== 'onboard') throw usageProblem(`job ${job.id} is an ${job.kind} job: retry re-runs onboard jobs (run offboard again instead)`);
    await checkCustomers(store, job.id, customers);
    if (settings.input !== '') {
      const { checkInputFile } = await import('../../input/index.js');
      const problem = await checkInputFile(settings.input);
      if (problem) throw usageProblem(problem.message);
    }
    // Owned before changed: the lock (SQLite) or the lease the reset writes (PostgreSQL).
    const locked = await lockJob(store, job.id);
    if (typeof locked === 'number') return locked;
    lock = locked;
    const owner = defaultOwnerOf(store);
    const { reopened, running } = await reopen(store, job.id, chosen, { owner, leaseMs: settings.leaseMs ?? DEFAULT_LEASE_MS }, settings.lifecycle);
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
    const { launchJob } = await import('../job/launchJob.js');
    return await launchJob({ command: 'retry', settings, replaceCredentials: true, onlyCustomers: new Set(reopened), opened: { store, owner } });
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
