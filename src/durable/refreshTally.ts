/**
 * What a refresh did, member by member: how many were refreshed, skipped, need action or failed,
 * and the earliest time a skipped one may be refreshed again. Read from the stored outcomes page
 * by page, so a refresh of a million members is counted in flat memory.
 */
import type { SnapshotStore } from './store/contract.js';
import { storedOutcome } from './restore.js';

export interface RefreshTally {
  refreshed: number;
  skipped: number;
  needsAction: number;
  failed: number;
  /** Members of customers not final yet. */
  pending: number;
  /** The earliest `nextRefreshAt` of a skipped member (ISO 8601), or null. */
  nextRefreshAt: string | null;
}

const PAGE = 1000;
const COUNTED = ['refreshed', 'skipped', 'needsAction', 'failed'] as const;

/**
 * Counts the members of a refresh job by outcome.
 *
 * @example
 * const { refreshed, skipped } = await refreshTally(store, 'march.refresh.20261202T093000Z');
 */
export async function refreshTally(store: SnapshotStore, jobId: string): Promise<RefreshTally> {
  const tally: RefreshTally = { refreshed: 0, skipped: 0, needsAction: 0, failed: 0, pending: 0, nextRefreshAt: null };
  let afterSeq = 0;
  for (;;) {
    const page = await store.listItems(jobId, { afterSeq, limit: PAGE });
    if (page.length === 0) break;
    afterSeq = page[page.length - 1]?.seq ?? afterSeq;
    for (const item of page) {
      const outcome = storedOutcome(item) as { members?: unknown } | null;
      const input = item.input as { members?: unknown } | null;
      const members = Array.isArray(outcome?.members) ? outcome.members : Array.isArray(input?.members) ? input.members : [];
      for (const raw of members as Array<{ outcome?: unknown; nextRefreshAt?: unknown }>) {
        const counted = COUNTED.find((name) => name === raw?.outcome);
        if (counted === undefined) {
          // A customer that could not run (a row set apart, say) fails its members with it.
          if (item.state === 'failed') tally.failed += 1;
          else tally.pending += 1;
          continue;
        }
        tally[counted] += 1;
        const next = raw.nextRefreshAt;
        if (counted === 'skipped' && typeof next === 'string' && (tally.nextRefreshAt === null || next < tally.nextRefreshAt)) tally.nextRefreshAt = next;
      }
    }
  }
  return tally;
}
