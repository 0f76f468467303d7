import { createMemberOwners } from './memberOwners.js';
import type { CustomerInput, InputRecord } from './types.js';
import { validateCustomer } from './validate.js';

/** One data row of a CSV input, by lower-cased header name. */
export interface CsvRow {
  line: number;
  values: Record<string, string>;
}

/**
 * Splits one CSV line into cells (RFC 4180 quoting, `""` for a quote inside a quoted cell).
 * Returns `null` when a quoted cell is not closed on the line.
 */
export function parseCsvLine(text: string): string[] | null {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i];
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        cell += '"';
        i += 1;
      } else if (char === '"') {
        quoted = false;
      } else {
        cell += char;
      }
    } else if (char === '"' && cell.trim() === '') {
      quoted = true;
      cell = '';
    } else if (char === ',') {
      cells.push(cell);
      cell = '';
    } else {
      cell += char;
    }
  }
  if (quoted) return null;
  cells.push(cell);
  return cells;
}

const KNOWN = new Set(['user_id', 'email', 'member_id', 'institution_code', 'connect']);

/** Values of the credential columns: `username`, `password`, and any column the header adds. */
function credentialsOf(values: Record<string, string>): Record<string, string> | undefined {
  const credentials: Record<string, string> = {};
  for (const [name, value] of Object.entries(values)) {
    if (!KNOWN.has(name) && value !== '') credentials[name] = value;
  }
  return Object.keys(credentials).length > 0 ? credentials : undefined;
}

/**
 * Groups adjacent CSV rows of one `user_id` into one customer (one connection per row). Each row is
 * validated on its own, so a bad row is reported with its line and skipped while the rest of its
 * customer goes on.
 */
export async function* rowsToCustomers(rows: AsyncIterable<CsvRow | InputRecord>): AsyncGenerator<InputRecord> {
  const seen = new Set<string>();
  const owners = createMemberOwners();
  let current: { line: number; customer: CustomerInput } | null = null;

  for await (const row of rows) {
    if (!('values' in row)) {
      yield row;
      continue;
    }
    const { line, values } = row;
    const userId = values.user_id ?? '';
    const connection = values.member_id
      ? [{ id: values.member_id, institution_code: values.institution_code, credentials: credentialsOf(values), connect: values.connect || undefined }]
      : [];
    const checked = validateCustomer({ id: userId, email: values.email || undefined, members: connection }, line);
    if ('problem' in checked) {
      yield { line, problem: checked.problem };
      continue;
    }
    const { customer } = checked;
    const shared = owners.claim(customer, line, () => 'member_id');
    if (shared) {
      yield { line, problem: shared };
      continue;
    }
    owners.keep(customer, line);
    if (current !== null && current.customer.id === customer.id) {
      const member = customer.members[0];
      if (member && current.customer.members.some((m) => m.id === member.id)) {
        yield { line, problem: { line, field: 'member_id', reason: `"${member.id}" appears twice for this customer` } };
      } else if (member) {
        current.customer.members.push(member);
      }
      continue;
    }
    if (current !== null) yield { line: current.line, customer: current.customer };
    current = null;
    if (seen.has(customer.id)) {
      yield { line, problem: { line, field: 'user_id', reason: `rows of customer "${customer.id}" must be adjacent; it appeared earlier` } };
      continue;
    }
    seen.add(customer.id);
    current = { line, customer };
  }
  if (current !== null) yield { line: current.line, customer: current.customer };
}
