/**
 * What each column of a CSV header means, and one record's cells read by those meanings. Cells are
 * parsed by csv-parse and kept byte for byte: a quoted `"denied "` is the password `denied `, never
 * `denied` (a trimmed credential is a changed credential). Only the header's names are trimmed.
 */
import { parse } from 'csv-parse/sync';
import type { InputProblem } from './types.js';

export type Column =
  | { kind: 'user_id' | 'email' | 'member_id' | 'institution_code' | 'connect'; name: string }
  | { kind: 'credential'; name: string; key: string }
  | { kind: 'metadata'; name: string; key: string }
  | { kind: 'unknown'; name: string };

/** One data row, its cells placed by column meaning. Empty cells are left out. */
export interface CsvRow {
  line: number;
  userId: string;
  email: string;
  memberId: string;
  institutionCode: string;
  /** How the connection connects (`credentials`, `oauth`, `widget`); empty when the row does not say. */
  connect: string;
  credentials: Record<string, string>;
  metadata: Record<string, string>;
}

/** The columns a CSV may have, as the header problem and the unknown-column warning name them. */
export const CSV_COLUMNS = 'user_id, email, member_id, institution_code, connect, username, password, credentials.NAME, metadata.KEY';
const FIXED = new Set(['user_id', 'email', 'member_id', 'institution_code', 'connect']);
const NOT_UTF8 = 'is not valid UTF-8 (re-save the file as UTF-8)';

function columnOf(raw: string): Column {
  const name = raw.trim();
  const lower = name.toLowerCase();
  if (FIXED.has(lower)) return { kind: lower as 'user_id', name: lower };
  if (lower === 'username' || lower === 'password') return { kind: 'credential', name: lower, key: lower };
  const dot = name.indexOf('.');
  const prefix = lower.slice(0, dot);
  const key = name.slice(dot + 1).trim();
  if (dot > 0 && key !== '' && prefix === 'metadata') return { kind: 'metadata', name: `metadata.${key}`, key };
  if (dot > 0 && key !== '' && prefix === 'credentials') return { kind: 'credential', name: `credentials.${key}`, key };
  return { kind: 'unknown', name };
}

const decoder = new TextDecoder('utf-8', { fatal: true });
const NEWLINE = Buffer.from('\n');

/** Why csv-parse refused a record, in the words of someone fixing the file. */
function reasonOf(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  if (code === 'INVALID_OPENING_QUOTE') return 'has a quote inside an unquoted cell (quote the whole cell and double the quote: "a""b")';
  if (code === 'CSV_INVALID_CLOSING_QUOTE') return 'has text after the closing quote of a cell';
  return `cannot be read as CSV (${typeof code === 'string' ? code : 'error'})`;
}

const OPTIONS = { encoding: null, relax_column_count: true, skip_empty_lines: false, record_delimiter: '\n' } as const;

/** The strict UTF-8 text of each cell of one record, or the bad-row problem naming the column. */
function textsOf(raw: readonly (Buffer | string)[], line: number, names: readonly string[]): string[] | InputProblem {
  const cells: string[] = [];
  for (const [index, cell] of raw.entries()) {
    const bad = { line, field: names[index] || `column ${index + 1}`, reason: NOT_UTF8 };
    try {
      // A string comes back only after a byte-order mark, decoded leniently: U+FFFD marks its bad bytes.
      cells.push(typeof cell === 'string' ? cell : decoder.decode(cell));
    } catch {
      return bad;
    }
    if (typeof cell === 'string' && cell.includes('\uFFFD')) return bad;
  }
  return cells;
}

/**
 * The cells of records (their bytes, without line endings), each decoded as strict UTF-8, or per
 * record the problem that makes it a bad row. `first` lets a byte-order mark open the file.
 *
 * Records are parsed together when they can be (one csv-parse call for a batch is many times
 * faster than one per record); a batch with a broken record is parsed again record by record, so
 * that only the broken one is a bad row.
 *
 * @example
 * cellsOf([{ line: 2, bytes: Buffer.from('u1,"pass,word "') }], false, ['user_id', 'password']) // [['u1', 'pass,word ']]
 */
export function cellsOf(records: readonly { line: number; bytes: Buffer }[], first: boolean, names: readonly string[]): (string[] | InputProblem)[] {
  if (records.length > 1) {
    try {
      const parsed = parse(Buffer.concat(records.flatMap((r) => [r.bytes, NEWLINE])), OPTIONS) as (Buffer | string)[][];
      if (parsed.length === records.length) return parsed.map((raw, index) => textsOf(raw, records[index]?.line ?? 0, names));
    } catch {
      // One of them is broken: find which, below.
    }
  }
  return records.map(({ line, bytes }) => {
    try {
      const parsed = parse(bytes, { ...OPTIONS, bom: first }) as (Buffer | string)[][];
      return textsOf(parsed[0] ?? [], line, names);
    } catch (error) {
      return { line, field: '(line)', reason: reasonOf(error) };
    }
  });
}

/** The header's columns, or the problem that makes every row unreadable (no user_id, a name twice). */
export function columnsOf(cells: readonly string[], line: number): Column[] | InputProblem {
  const columns = cells.map(columnOf);
  if (!columns.some((c) => c.kind === 'user_id')) {
    return { line, field: '(header)', reason: `must name the columns, user_id first: ${CSV_COLUMNS}` };
  }
  const seen = new Set<string>();
  for (const column of columns) {
    if (column.kind === 'unknown') continue;
    const name = column.kind === 'credential' ? `credential ${column.key.toLowerCase()}` : column.name.toLowerCase();
    if (seen.has(name)) return { line, field: '(header)', reason: `names the column ${column.name} twice` };
    seen.add(name);
  }
  return columns;
}

/**
 * The warnings of a header: one per column that is read by nothing. The reader gives them to every
 * command alike, so `check` and `onboard` say the same thing about the same file.
 */
export function unknownColumns(columns: readonly Column[], line: number): InputProblem[] {
  return columns.flatMap((column, index) =>
    column.kind === 'unknown'
      ? [{ line, field: column.name === '' ? `column ${index + 1}` : `column "${column.name}"`, reason: `is not a column mx-lifecycle reads (${CSV_COLUMNS}); its cells are ignored` }]
      : [],
  );
}

/**
 * One data row from its cells. A row with more or fewer cells than the header has columns is a bad
 * row: an unquoted comma inside a password would otherwise shift every later cell.
 */
export function rowOf(columns: readonly Column[], cells: readonly string[], line: number): CsvRow | InputProblem {
  if (cells.length !== columns.length) {
    return { line, field: '(line)', reason: `has ${cells.length} cells where the header names ${columns.length} columns (quote a cell that holds a comma)` };
  }
  const row: CsvRow = { line, userId: '', email: '', memberId: '', institutionCode: '', connect: '', credentials: {}, metadata: {} };
  for (const [index, column] of columns.entries()) {
    const value = cells[index] ?? '';
    if (value.includes('\u0000')) return { line, field: column.name || '(line)', reason: 'holds binary data' };
    if (value === '') continue;
    if (column.kind === 'user_id') row.userId = value;
    else if (column.kind === 'email') row.email = value;
    else if (column.kind === 'member_id') row.memberId = value;
    else if (column.kind === 'institution_code') row.institutionCode = value;
    else if (column.kind === 'connect') row.connect = value;
    else if (column.kind === 'credential') row.credentials[column.key] = value;
    else if (column.kind === 'metadata') row.metadata[column.key] = value;
  }
  return row;
}
