/**
 * Opening the store of a job that must already exist (`answer`, `retry`, `cancel`, `export`):
 * a missing SQLite file is not created, and a job that is not there is one line naming the jobs
 * that are, with exit 1.
 */
import { existsSync } from 'node:fs';
import { openStore } from '../../durable/index.js';
import type { JobRecord, SnapshotStore } from '../../durable/index.js';
import { checkJobName, usageProblem } from '../flags/jobFlags.js';
import { defaultStoreOf, describeStore, sqlitePathOf } from './storeUrl.js';
import { EXIT_ATTENTION } from '../ui/output.js';

export interface OpenedJob {
  store: SnapshotStore;
  job: JobRecord;
  /** The store URL fit to print. */
  shown: string;
}

/**
 * Opens a store that must exist: asking about a store must not create one. A missing SQLite file
 * is the line `missing(file)` on stderr and `null`; a bad URL is a usage problem.
 *
 * @example
 * const store = openExistingStore('sqlite:jobs/march.sqlite', (file) => `no store at ${file}`);
 */
export function openExistingStore(url: string, missing: (file: string) => string): SnapshotStore | null {
  const file = sqlitePathOf(url);
  if (file !== null && file !== ':memory:' && !existsSync(file)) {
    process.stderr.write(`${missing(file)}\n`);
    return null;
  }
  try {
    return openStore(url);
  } catch (error) {
    throw usageProblem(`--store: ${(error as Error).message}`);
  }
}

/**
 * The job's store and record, or the exit code after saying why there is none.
 *
 * @example
 * const opened = await openJob('cancel', values.job, values.store);
 * if (typeof opened === 'number') return opened;
 */
export async function openJob(command: string, jobFlag: string | undefined, storeFlag: string | undefined): Promise<OpenedJob | number> {
  if (jobFlag === undefined) throw usageProblem('--job NAME is needed: the job to work on (mx-lifecycle status lists them)');
  const jobId = checkJobName(jobFlag);
  const url = storeFlag ?? defaultStoreOf(jobId);
  const shown = describeStore(url);
  const store = openExistingStore(url, (file) => `mx-lifecycle ${command}: no job ${jobId}: there is no store at ${file} (pass --store URL; mx-lifecycle status lists the jobs)`);
  if (store === null) return EXIT_ATTENTION;
  try {
    await store.init();
    const job = await store.getJob(jobId);
    if (job) return { store, job, shown };
    const known = (await store.listJobs()).map((j) => j.id);
    process.stderr.write(`mx-lifecycle ${command}: no job ${jobId} in ${shown} (jobs there: ${known.length ? known.join(', ') : 'none'})\n`);
  } catch (error) {
    await store.close();
    throw error;
  }
  await store.close();
  return EXIT_ATTENTION;
}

/**
 * Checks that every `--customer` is in the job before anything changes.
 *
 * @example
 * await checkCustomers(store, 'march', ['cust-1']);
 */
export async function checkCustomers(store: SnapshotStore, jobId: string, customers: readonly string[]): Promise<void> {
  for (const id of customers) {
    if (!(await store.getItem(jobId, id))) throw usageProblem(`--customer ${id} is not in job ${jobId}; nothing was changed`);
  }
}
