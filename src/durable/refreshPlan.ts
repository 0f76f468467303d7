/**
 * Which refresh job a `refresh` of an onboarding job runs, and what goes in it: the connected
 * members of the onboarding job's customers, read from its stored outcomes.
 *
 * Each refresh is a job of its own, `<job>.refresh.<UTC time>` (e.g. `march.refresh.20261202T093000Z`):
 * a refresh on another day is a new job with its own report, and the onboarding job and the
 * refreshes before it stay as they were. A refresh that did not finish (stopped, crashed, halted)
 * is resumed by the next `refresh` of the same job instead of starting another one, so running
 * the same command again continues it, as it does for onboard.
 */
import type { LifecycleOptions } from '../../machines/index.js';
import type { RefreshInput, RefreshMemberInput } from '../../machines/index.js';
import type { NewItem, SnapshotStore, StoredItem } from './store/contract.js';

const PAGE = 500;

/** Why a refresh cannot start: no such job, or not an onboarding job, or a customer it lacks. */
export interface RefreshProblem {
  refresh: 'no_job' | 'not_onboarding' | 'unknown_customer';
  message: string;
}

/**
 * Whether a thrown value is a refresh problem.
 *
 * @example
 * try { await runtime.refresh('march'); } catch (e) { if (isRefreshProblem(e)) console.error(e.message); }
 */
export function isRefreshProblem(value: unknown): value is RefreshProblem {
  return typeof value === 'object' && value !== null && typeof (value as RefreshProblem).refresh === 'string' && typeof (value as RefreshProblem).message === 'string';
}

const problem = (refresh: RefreshProblem['refresh'], message: string): RefreshProblem => ({ refresh, message });

/**
 * The refresh job name of `sourceJobId` started at `at`.
 *
 * @example
 * refreshJobIdOf('march', Date.parse('2026-12-02T09:30:00Z')) // 'march.refresh.20261202T093000Z'
 */
export function refreshJobIdOf(sourceJobId: string, at: number): string {
  const stamp = new Date(at).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `${sourceJobId}.refresh.${stamp}`;
}

type Loose = Record<string, unknown>;
const obj = (value: unknown): Loose => (typeof value === 'object' && value !== null ? (value as Loose) : {});
const str = (value: unknown): string => (typeof value === 'string' ? value : '');

/**
 * The refresh machine input of one stored onboarding customer: its members that ended connected,
 * by guid; `null` when it has none (or no user).
 *
 * @example
 * const input = refreshInputOf(await store.getItem('march', 'cust-1'));
 */
export function refreshInputOf(item: Pick<StoredItem, 'id' | 'outcome'>, options?: Partial<LifecycleOptions>): RefreshInput | null {
  const outcome = obj(item.outcome);
  const userGuid = str(outcome.userGuid);
  const members: RefreshMemberInput[] = (Array.isArray(outcome.members) ? outcome.members : [])
    .map(obj)
    .filter((m) => m.outcome === 'connected' && str(m.guid) !== '')
    .map((m) => ({ externalId: str(m.externalId), guid: str(m.guid), institutionCode: str(m.institutionCode) }));
  if (userGuid === '' || members.length === 0) return null;
  return { externalId: item.id, userGuid, members, ...(options ? { options } : {}) };
}

export interface RefreshPlanOptions {
  /** Only these customers of the job; each must be in it. */
  customers?: readonly string[];
  /** The machines' options for the new job's items (the minimum interval among them). */
  options?: Partial<LifecycleOptions>;
  /** The time the job is named after (default now). */
  now?: number;
}

export interface RefreshPlan {
  jobId: string;
  /** Whether an unfinished refresh of the job is resumed (its customers stay as they were). */
  resumed: boolean;
  /** Customers put in the new job (those with a connected member). */
  added: number;
}

async function unfinishedRefreshOf(store: SnapshotStore, sourceJobId: string): Promise<string | null> {
  const prefix = `${sourceJobId}.refresh.`;
  const refreshes = (await store.listJobs()).filter((job) => job.kind === 'refresh' && job.id.startsWith(prefix)).toReversed();
  for (const job of refreshes) {
    const c = await store.counts(job.id);
    if (c.pending + c.active + c.halted > 0) return job.id;
  }
  return null;
}

async function freeJobId(store: SnapshotStore, base: string): Promise<string> {
  let id = base;
  for (let n = 2; await store.getJob(id); n += 1) id = `${base}-${n}`;
  return id;
}

/**
 * Opens the refresh of `sourceJobId`: the unfinished one, or a new job holding every connected
 * member of its customers (or of `customers`). Throws a `RefreshProblem` when it cannot.
 *
 * @example
 * const { jobId } = await planRefresh(store, 'march', { options: { minAggregationIntervalMs: 3 * 3_600_000 } });
 */
export async function planRefresh(store: SnapshotStore, sourceJobId: string, options: RefreshPlanOptions = {}): Promise<RefreshPlan> {
  const source = await store.getJob(sourceJobId);
  if (!source) throw problem('no_job', `no job ${sourceJobId} in this store`);
  if (source.kind !== 'onboard') throw problem('not_onboarding', `job ${sourceJobId} is ${source.kind === 'offboard' ? 'an' : 'a'} ${source.kind} job: refresh takes the onboarding job whose members it aggregates again`);
  const only = options.customers && options.customers.length > 0 ? new Set(options.customers) : null;
  for (const id of only ?? []) {
    if (!(await store.getItem(sourceJobId, id))) throw problem('unknown_customer', `--customer ${id} is not in job ${sourceJobId}`);
  }
  const open = await unfinishedRefreshOf(store, sourceJobId);
  if (open) return { jobId: open, resumed: true, added: 0 };
  const jobId = await freeJobId(store, refreshJobIdOf(sourceJobId, options.now ?? Date.now()));
  let added = 0;
  let created = false;
  let afterSeq = 0;
  for (;;) {
    const page = await store.listItems(sourceJobId, { states: ['done', 'needsAction', 'failed'], afterSeq, limit: PAGE });
    if (page.length === 0) break;
    afterSeq = page[page.length - 1]?.seq ?? afterSeq;
    const batch: NewItem[] = page.flatMap((item) => {
      if (only && !only.has(item.id)) return [];
      const input = refreshInputOf(item, options.options);
      return input ? [{ id: item.id, input }] : [];
    });
    if (batch.length === 0) continue;
    if (!created) await store.ensureJob(jobId, 'refresh');
    created = true;
    added += await store.addItems(jobId, batch);
  }
  return { jobId, resumed: false, added };
}
