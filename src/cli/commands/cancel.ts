/**
 * `mx-lifecycle cancel --job NAME`: the customers of a job that are not final become `cancelled`.
 * The store is the channel: a worker running the job, in this process or another, finds at its
 * next lease check (every 2 s) that it no longer holds them, stops their actors, and exits when
 * nothing is left.
 */
import { parseArgs } from 'node:util';
import type { ItemReset, ItemState, SnapshotStore, StoredItem } from '../../durable/index.js';
import { flagHelp } from '../flags/flagTable.js';
import type { Command } from './command.js';
import { usageProblem } from '../flags/jobFlags.js';
import { checkCustomers, openJob } from '../job/jobStore.js';
import { EXIT_OK, guarded } from '../ui/output.js';

const USAGE = `usage: mx-lifecycle cancel --job NAME [--store URL] [--customer ID]…

Cancels the customers of a job that are not final yet (all of them, or the ones named): they become
cancelled, and a worker running the job stops them within seconds and exits when nothing is left.
What MX already holds for them stays; offboard removes it.

${flagHelp('cancel')}

exit codes: 0 done (also when nothing was left to cancel); 1 no such job; 64 bad usage`;

const OPEN: readonly ItemState[] = ['pending', 'active', 'halted'];
const PAGE = 500;

/** What a cancelled customer's outcome says: where it stood, members not final marked cancelled. */
function cancelledOutcome(item: StoredItem, at: string): unknown {
  type Child = { snapshot?: { context?: { memberGuid?: unknown; connectionStatus?: unknown } } };
  const snapshot = item.snapshot as { context?: { userGuid?: unknown; members?: unknown }; children?: Record<string, Child> } | null;
  const context = snapshot?.context;
  const members = Array.isArray(context?.members) ? (context.members as { outcome?: unknown; externalId?: unknown }[]) : [];
  // A member still running has its guid and last status only in its own machine's context.
  const live = (m: { externalId?: unknown }) => snapshot?.children?.[`member:${String(m.externalId)}`]?.snapshot?.context ?? {};
  return {
    outcome: 'cancelled',
    externalId: item.id,
    cancelledAt: at,
    userGuid: typeof context?.userGuid === 'string' ? context.userGuid : null,
    members: members.map((m) =>
      m.outcome === 'pending' ? { ...m, guid: live(m).memberGuid ?? null, connectionStatus: live(m).connectionStatus ?? null, outcome: 'cancelled' } : m),
    error: null,
  };
}

async function cancel(store: SnapshotStore, jobId: string, customers: readonly string[]): Promise<{ cancelled: number; final: number }> {
  const at = new Date().toISOString();
  const resetOf = (item: StoredItem): ItemReset => ({ id: item.id, state: 'cancelled', snapshot: item.snapshot, outcome: cancelledOutcome(item, at) });
  if (customers.length > 0) {
    const items = (await Promise.all(customers.map((id) => store.getItem(jobId, id)))).filter((i): i is StoredItem => i !== null);
    const open = items.filter((i) => OPEN.includes(i.state));
    const cancelled = (await store.resetItems(jobId, open.map(resetOf), OPEN)).length;
    return { cancelled, final: items.length - cancelled };
  }
  let cancelled = 0;
  let afterSeq = 0;
  for (;;) {
    const page = await store.listItems(jobId, { states: OPEN, afterSeq, limit: PAGE });
    if (page.length === 0) break;
    afterSeq = page[page.length - 1]?.seq ?? afterSeq;
    cancelled += (await store.resetItems(jobId, page.map(resetOf), OPEN)).length;
  }
  const counts = await store.counts(jobId);
  return { cancelled, final: counts.done + counts.needsAction + counts.failed + counts.cancelled - cancelled };
}

async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv, strict: true, allowPositionals: true,
    options: { job: { type: 'string' }, store: { type: 'string' }, customer: { type: 'string', multiple: true } },
  });
  if (positionals.length > 0) throw usageProblem(`unexpected argument '${positionals[0] ?? ''}' (name the job with --job)`);
  const opened = await openJob('cancel', values.job, values.store);
  if (typeof opened === 'number') return opened;
  const { store, job } = opened;
  try {
    const customers = values.customer ?? [];
    await checkCustomers(store, job.id, customers);
    const { cancelled, final } = await cancel(store, job.id, customers);
    process.stdout.write(
      `mx-lifecycle cancel: job ${job.id}: ${cancelled} customer${cancelled === 1 ? '' : 's'} cancelled` +
        `${final > 0 ? `, ${final} already final left as they were` : ''}` +
        `${cancelled > 0 ? '; a worker running the job stops them within seconds' : ''}\n`,
    );
    return EXIT_OK;
  } finally {
    await store.close();
  }
}

export const command: Command = {
  summary: 'cancel the customers of a job that are not final yet (a running worker stops them)',
  usage: USAGE,
  run: guarded('cancel', run),
};
