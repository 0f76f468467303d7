/**
 * The end-user counts as the CLI shows them (status, the report, export's summary): connections
 * invited (link handed out), opened (clicked), connected and abandoned, and how many wait now.
 */
import { endUserTally, type EndUserTally } from '../../durable/index.js';
import type { SnapshotStore } from '../../durable/index.js';

/**
 * The job's end-user counts, or `null` when it has no connection the end user makes.
 *
 * @example
 * ```ts
 * const endUser = await endUserCountsOf(store, 'march'); // { connections: 160, invited: 150, opened: 140, ... }
 * ```
 */
export async function endUserCountsOf(store: SnapshotStore, jobId: string): Promise<EndUserTally | null> {
  const tally = await endUserTally(store, jobId);
  return tally.connections === 0 ? null : tally;
}

/**
 * One line of text for the counts.
 *
 * @example
 * ```ts
 * endUserLine(tally); // '  160 end-user connections: 150 invited, 140 opened, 128 connected, 16 abandoned; 0 waiting for their end user'
 * ```
 */
export function endUserLine(tally: EndUserTally): string {
  return (
    `  ${tally.connections} end-user connections: ${tally.invited} invited, ${tally.opened} opened, ${tally.connected} connected, ` +
    `${tally.abandoned} abandoned; ${tally.waiting} waiting for their end user`
  );
}
