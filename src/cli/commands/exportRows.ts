/**
 * The rows `export` writes: one per connection of each customer, read from the stored outcome
 * (or, for a customer not final yet, from its input), and made safe for a spreadsheet.
 */
import { endUserEventKey, storedOutcome } from '../../durable/index.js';
import type { EndUserEventKind } from '../../durable/index.js';
import type { StoredItem } from '../../durable/index.js';

export const EXPORT_COLUMNS = [
  'customer_id', 'user_guid', 'member_id', 'member_guid', 'institution_code', 'outcome', 'connection_status', 'reason', 'error_kind', 'connect',
  'invited', 'opened',
] as const;
export type ExportRow = Record<(typeof EXPORT_COLUMNS)[number], string>;

type Loose = Record<string, unknown>;
const str = (value: unknown): string => (typeof value === 'string' ? value : '');
const obj = (value: unknown): Loose => (typeof value === 'object' && value !== null ? (value as Loose) : {});

/**
 * A cell a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, or a tab or carriage return
 * first) gets a leading `'`, as OWASP's "CSV Injection" page advises.
 *
 * @example
 * neutralise('=HYPERLINK("x")') // "'=HYPERLINK(\"x\")"
 */
export function neutralise(cell: string): string {
  return /^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell;
}

/** `yes` for each link event a connection had. */
const linkEvents = (kinds: ReadonlySet<EndUserEventKind> | undefined) => ({
  invited: kinds?.has('invited') ? 'yes' : '',
  opened: kinds?.has('opened') ? 'yes' : '',
});

/**
 * The export rows of one stored customer.
 *
 * @example
 * for (const row of rowsOf(item)) console.log(row.member_id, row.outcome);
 *
 * `events` (from the store's `endUserEventsOf`) fills `invited` and `opened` (`yes` or empty) of
 * the connections an end user completes.
 */
export function rowsOf(item: StoredItem, events: ReadonlyMap<string, ReadonlySet<EndUserEventKind>> = new Map()): ExportRow[] {
  const outcome = obj(storedOutcome(item));
  const input = obj(item.input);
  const members = Array.isArray(outcome.members) ? outcome.members : Array.isArray(input.members) ? input.members : [];
  const customerError = str(obj(outcome.error).kind);
  // A row set apart says why in its reason: which column, and what was wrong with it.
  const unreadable = customerError === 'unreadable_row' ? `${str(obj(outcome.error).column)}: ${str(obj(outcome.error).cause)}` : '';
  const base = { customer_id: item.id, user_guid: str(outcome.userGuid) };
  if (members.length === 0) {
    return [{ ...base, member_id: '', member_guid: '', institution_code: '', outcome: item.state, connection_status: '', reason: unreadable, error_kind: customerError, connect: '', invited: '', opened: '' }];
  }
  return members.map((raw) => {
    const m = obj(raw);
    const memberOutcome = str(m.outcome);
    return {
      ...base,
      member_id: str(m.externalId),
      member_guid: str(m.guid),
      institution_code: str(m.institutionCode),
      // A customer still running (or never reached) shows its own state on each connection.
      outcome: memberOutcome === '' || memberOutcome === 'pending' ? item.state : memberOutcome,
      connection_status: str(m.connectionStatus),
      reason: str(m.reason) || unreadable,
      error_kind: str(obj(m.error).kind) || customerError,
      // How it connects (credentials, oauth, widget; auto until the machine chose); results of credentials connections omit it.
      connect: str(m.connect) || 'credentials',
      ...linkEvents(events.get(endUserEventKey(item.id, str(m.externalId)))),
    };
  });
}
