/**
 * Which customers `retry` re-opens beyond their state: by the kind of the classified error they
 * stopped on (`--kind unavailable`), the MX connection status a member ended in (`--status DENIED`),
 * and how recently they ended (`--since 12h`). Everything is read from the stored outcome (and, for
 * a customer halted by an outage, from the halt its snapshot records), never from MX.
 */
import { STATUS_MEANINGS } from '../../../machines/index.js';
import { storedOutcome, summarise } from '../../durable/index.js';
import type { StoredItem } from '../../durable/index.js';
import { API_ERROR_KINDS, type ApiErrorKind } from '../../errors/index.js';
import { describeItem } from '../ui/describe.js';
import { closest } from '../flags/didYouMean.js';
import { durationFlag } from '../flags/duration.js';
import { usageProblem } from '../flags/jobFlags.js';
import { defined } from '../../_internals/index.js';

export interface RetryFilter {
  /** Error kinds, any of which chooses a customer; empty: any. */
  kinds: ReadonlySet<ApiErrorKind>;
  /** Connection statuses, any of which chooses a customer; empty: any. */
  statuses: ReadonlySet<string>;
  /** Only customers that ended within this many ms before now. */
  sinceMs?: number;
}

/** A filter that chooses by state alone. */
export const NO_FILTER: RetryFilter = { kinds: new Set(), statuses: new Set() };

const KNOWN_STATUSES = Object.keys(STATUS_MEANINGS);

/**
 * The filter of `--kind`, `--status` and `--since` values, refusing names nobody uses.
 *
 * @example
 * retryFilterOf(['unavailable'], ['denied'], '12h') // { kinds: {unavailable}, statuses: {DENIED}, sinceMs: 43200000 }
 */
export function retryFilterOf(kinds: readonly string[], statuses: readonly string[], since: string | undefined): RetryFilter {
  for (const kind of kinds) {
    if (!(API_ERROR_KINDS as readonly string[]).includes(kind)) {
      const near = closest(kind, API_ERROR_KINDS);
      throw usageProblem(`--kind ${kind} is not an error kind${near ? ` (did you mean ${near}?)` : ''}; the kinds: ${API_ERROR_KINDS.join(', ')}`);
    }
  }
  const upper = statuses.map((status) => status.toUpperCase());
  for (const status of upper) {
    if (!KNOWN_STATUSES.includes(status)) throw usageProblem(`--status ${status} is not an MX connection status; the statuses: ${KNOWN_STATUSES.join(', ')}`);
  }
  const sinceMs = durationFlag('since', since, 366 * 86_400_000);
  return { kinds: new Set(kinds as ApiErrorKind[]), statuses: new Set(upper), ...defined({ sinceMs }) };
}

/** Whether the filter says more than the states do. */
export const filters = (filter: RetryFilter): boolean => filter.kinds.size > 0 || filter.statuses.size > 0 || filter.sinceMs !== undefined;

/**
 * What a customer stopped on: the kinds of its classified errors and its members' connection
 * statuses (a halted customer's halt counts as its error).
 *
 * @example
 * stoppedOn(item) // { kinds: ['unavailable'], statuses: [] }
 */
export function stoppedOn(item: StoredItem): { kinds: string[]; statuses: string[] } {
  const kinds = new Set<string>();
  const statuses = new Set<string>();
  if (item.state === 'halted') {
    const halt = item.snapshot === null ? null : summarise(item.snapshot).halt;
    if (halt) kinds.add(halt.kind);
  } else {
    const described = describeItem(item.state, storedOutcome(item));
    for (const entry of described.errors) kinds.add(entry.error.kind);
    for (const member of described.members) {
      const status = (member as { connectionStatus?: unknown } | null)?.connectionStatus;
      if (typeof status === 'string') statuses.add(status);
    }
  }
  return { kinds: [...kinds], statuses: [...statuses] };
}

/**
 * Whether `retry` should re-open `item` under `filter`.
 *
 * @example
 * matchesRetryFilter(item, retryFilterOf(['unavailable'], [], undefined), Date.now())
 */
export function matchesRetryFilter(item: StoredItem, filter: RetryFilter, now: number): boolean {
  if (filter.sinceMs !== undefined && item.updatedAt < now - filter.sinceMs) return false;
  if (filter.kinds.size === 0 && filter.statuses.size === 0) return true;
  const stopped = stoppedOn(item);
  if (filter.kinds.size > 0 && !stopped.kinds.some((kind) => filter.kinds.has(kind as ApiErrorKind))) return false;
  if (filter.statuses.size > 0 && !stopped.statuses.some((status) => filter.statuses.has(status))) return false;
  return true;
}
