import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { parseCsvLine, rowsToCustomers, type CsvRow } from './csv.js';
import type { InputProblem, InputRecord } from './types.js';
import { validateCustomer } from './validate.js';

/** A problem with the input file as a whole (missing, unreadable, empty, not text). */
export interface InputFileError {
  kind: 'input_file';
  path: string;
  message: string;
}

export type InputFormat = 'jsonl' | 'csv';

const MAX_LINE = 1024 * 1024;

/** Picks the format from the file name: `.csv` is CSV, anything else JSON Lines. */
export function formatOf(path: string): InputFormat {
  return path.toLowerCase().endsWith('.csv') ? 'csv' : 'jsonl';
}

/**
 * Checks that `path` is a readable, non-empty text file before a job starts on it.
 *
 * @example
 * const problem = await checkInputFile('customers.jsonl');
 * if (problem) console.error(problem.message);
 */
export async function checkInputFile(path: string): Promise<InputFileError | null> {
  const fail = (message: string): InputFileError => ({ kind: 'input_file', path, message });
  let size: number;
  try {
    const info = await stat(path);
    if (info.isDirectory()) return fail(`${path} is a directory, not an input file`);
    size = info.size;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return fail(code === 'ENOENT' ? `${path} does not exist` : `${path} cannot be read (${code ?? 'error'})`);
  }
  if (size === 0) return fail(`${path} is empty: give one customer per line (JSONL) or a CSV with a header row`);
  try {
    const handle = await open(path, 'r');
    try {
      const head = Buffer.alloc(Math.min(size, 8192));
      await handle.read(head, 0, head.length, 0);
      if (head.includes(0)) return fail(`${path} looks like a binary file; expected JSON Lines or CSV text`);
    } finally {
      await handle.close();
    }
  } catch (error) {
    return fail(`${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  return null;
}

async function* lines(path: string): AsyncGenerator<{ line: number; text: string }> {
  const reader = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  let line = 0;
  for await (const text of reader) {
    line += 1;
    yield { line, text };
  }
}

function lineProblem(line: number, text: string): InputProblem | null {
  if (text.length > MAX_LINE) return { line, field: '(line)', reason: `is longer than ${MAX_LINE} characters` };
  if (text.includes('\u0000')) return { line, field: '(line)', reason: 'holds binary data' };
  return null;
}

async function* readJsonl(path: string): AsyncGenerator<InputRecord> {
  const seen = new Set<string>();
  for await (const { line, text } of lines(path)) {
    if (text.trim() === '') continue;
    const tooBad = lineProblem(line, text);
    if (tooBad) {
      yield { line, problem: tooBad };
      continue;
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      yield { line, problem: { line, field: '(line)', reason: 'is not valid JSON' } };
      continue;
    }
    const checked = validateCustomer(raw, line);
    if ('problem' in checked) {
      yield { line, problem: checked.problem };
    } else if (seen.has(checked.customer.id)) {
      yield { line, problem: { line, field: 'id', reason: `customer "${checked.customer.id}" appears on an earlier line` } };
    } else {
      seen.add(checked.customer.id);
      yield { line, customer: checked.customer };
    }
  }
}

async function* readCsv(path: string): AsyncGenerator<InputRecord> {
  async function* rows(): AsyncGenerator<CsvRow | InputRecord> {
    let header: string[] | null = null;
    for await (const { line, text } of lines(path)) {
      if (text.trim() === '') continue;
      const tooBad = lineProblem(line, text);
      if (tooBad) {
        yield { line, problem: tooBad };
        continue;
      }
      const cells = parseCsvLine(text);
      if (cells === null) {
        yield { line, problem: { line, field: '(line)', reason: 'has an unterminated quoted field' } };
        continue;
      }
      if (header === null) {
        header = cells.map((cell) => cell.trim().toLowerCase());
        if (!header.includes('user_id')) {
          yield { line, problem: { line, field: '(header)', reason: 'must name the columns, user_id first: user_id,email,member_id,institution_code,username,password' } };
          return;
        }
        continue;
      }
      const values: Record<string, string> = {};
      header.forEach((name, index) => {
        values[name] = (cells[index] ?? '').trim();
      });
      yield { line, values };
    }
  }
  yield* rowsToCustomers(rows());
}

/**
 * Streams a job's input file, one record per customer or per unusable row, in file order. The file
 * is never read whole: memory stays flat for any size.
 *
 * @example
 * for await (const record of readInput('customers.jsonl')) {
 *   if ('problem' in record) console.warn(`line ${record.line}: ${record.problem.field} ${record.problem.reason}`);
 *   else console.log(record.customer.id);
 * }
 */
export function readInput(path: string, format: InputFormat = formatOf(path)): AsyncGenerator<InputRecord> {
  return format === 'csv' ? readCsv(path) : readJsonl(path);
}
