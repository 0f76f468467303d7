/**
 * A CSV input: one connection per row, the rows of one `user_id` next to each other. Records are cut
 * by `csvRecords` (so a quoted cell may span lines and the row limit holds) and parsed by csv-parse.
 */
import { cellsOf, columnsOf, rowOf, unknownColumns, type Column, type CsvRow } from './csvColumns.js';
import { csvRecords, type CsvRecord } from './csvRecords.js';
import { MAX_ROW_BYTES } from './limits.js';
import { createMemberOwners } from './memberOwners.js';
import type { CustomerInput, InputProblem, InputRecord } from './types.js';
import { validateCustomer } from './validate.js';

const isBlank = (bytes: Buffer) => bytes.every((byte) => byte === 0x20 || byte === 0x09 || byte === 0x0d);

/** Records parsed in one csv-parse call: enough to pay for the call, few enough to stay small. */
const BATCH_RECORDS = 256;

/** The rows of a CSV file, with its bad records and the header's warnings, in file order. */
async function* csvRows(path: string): AsyncGenerator<CsvRow | InputRecord> {
  let columns: Column[] | null = null;
  let batch: CsvRecord[] = [];
  // The rows of the batch, in order; a record the cutter already refused waits in it as a problem.
  function* flush(): Generator<CsvRow | InputRecord> {
    const readable = batch.filter((r) => !r.tooLong && !r.unterminated);
    const cells = columns === null ? [] : cellsOf(readable, false, columns.map((c) => c.name));
    let next = 0;
    for (const record of batch) {
      const { line } = record;
      if (record.unterminated) {
        yield { line, problem: { line, field: '(line)', reason: `has a quoted cell that is never closed (lines ${line}-${record.lastLine} were read as that cell)` } };
      } else if (record.tooLong) {
        yield { line, problem: { line, field: '(line)', reason: `is longer than ${MAX_ROW_BYTES} bytes (the row limit)` } };
      } else {
        const read = cells[next++] ?? [];
        const row = Array.isArray(read) && columns !== null ? rowOf(columns, read, line) : read;
        yield 'userId' in row ? row : { line, problem: row as InputProblem };
      }
    }
    batch = [];
  }
  for await (const record of csvRecords(path, MAX_ROW_BYTES)) {
    if (!record.tooLong && !record.unterminated && isBlank(record.bytes)) continue;
    if (columns !== null) {
      batch.push(record);
      if (batch.length >= BATCH_RECORDS) yield* flush();
      continue;
    }
    const { line } = record;
    // The header: a refused one makes every row unreadable, so the file ends here.
    const cells = record.tooLong || record.unterminated ? { line, field: '(header)', reason: 'cannot be read (a quoted name is never closed, or it is past the row limit)' } : cellsOf([record], true, [])[0];
    const read = Array.isArray(cells) ? columnsOf(cells, line) : { ...(cells as InputProblem), field: '(header)' };
    if (!Array.isArray(read)) {
      yield { line, problem: read };
      return;
    }
    columns = read;
    for (const warning of unknownColumns(columns, line)) yield { line, warning };
  }
  yield* flush();
}

/** The first metadata key of `row` whose value differs from the customer's, or null. */
function metadataConflict(customer: CustomerInput, row: CsvRow): string | null {
  for (const [key, value] of Object.entries(row.metadata)) {
    if (customer.metadata?.[key] !== value) return key;
  }
  return null;
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
    if (!('userId' in row)) {
      yield row;
      continue;
    }
    const { line } = row;
    const credentials = Object.keys(row.credentials).length > 0 ? row.credentials : undefined;
    const connection = row.memberId ? [{ id: row.memberId, institution_code: row.institutionCode, credentials, connect: row.connect || undefined }] : [];
    const metadata = Object.keys(row.metadata).length > 0 ? row.metadata : undefined;
    const checked = validateCustomer({ id: row.userId, email: row.email || undefined, metadata, members: connection }, line);
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
      const conflict = metadataConflict(current.customer, row);
      if (conflict !== null) {
        const reason = `differs from line ${current.line}, where customer "${customer.id}" begins (a customer has one metadata: repeat it or leave the cell empty)`;
        yield { line, problem: { line, field: `metadata.${conflict}`, reason } };
      } else if (member && current.customer.members.some((m) => m.id === member.id)) {
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

/**
 * Streams the customers of a CSV file, with a problem for each unusable row and a warning for each
 * column nothing reads.
 *
 * @example
 * for await (const record of readCsv('customers.csv')) if ('customer' in record) console.log(record.customer.id);
 */
export function readCsv(path: string): AsyncGenerator<InputRecord> {
  return rowsToCustomers(csvRows(path));
}
