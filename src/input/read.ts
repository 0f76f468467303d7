import { open, stat } from 'node:fs/promises';
import { readCsv } from './csv.js';
import { fieldWithReplacement, jsonDepthOf, MAX_ROW_BYTES, MAX_ROW_DEPTH } from './limits.js';
import { inputLines, type InputLine } from './lines.js';
import { createMemberOwners } from './memberOwners.js';
import type { InputProblem, InputRecord } from './types.js';
import { validateCustomer } from './validate.js';

/** A problem with the input file as a whole (missing, unreadable, empty, not text). */
export interface InputFileError {
  kind: 'input_file';
  path: string;
  message: string;
}

export type InputFormat = 'jsonl' | 'csv';

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
  const empty = fail(`${path} is empty: give one customer per line (JSONL) or a CSV with a header row`);
  if (size === 0) return empty;
  try {
    const handle = await open(path, 'r');
    try {
      const head = Buffer.alloc(Math.min(size, 8192));
      await handle.read(head, 0, head.length, 0);
      if (head.includes(0)) return fail(`${path} looks like a binary file; expected JSON Lines or CSV text`);
      if (!(await holdsText(handle, head, size))) return empty;
    } finally {
      await handle.close();
    }
  } catch (error) {
    return fail(`${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  return null;
}

const BLANK = new Set([0x20, 0x09, 0x0a, 0x0d, 0x0b, 0x0c]);
const isBlank = (bytes: Uint8Array) => bytes.every((byte) => BLANK.has(byte));

/** Whether the file holds anything but blank lines: a file of only blank lines is as empty as an empty one. */
async function holdsText(handle: Awaited<ReturnType<typeof open>>, head: Buffer, size: number): Promise<boolean> {
  if (!isBlank(head)) return true;
  const chunk = Buffer.alloc(64 * 1024);
  for (let position = head.length; position < size; ) {
    const { bytesRead } = await handle.read(chunk, 0, chunk.length, position);
    if (bytesRead === 0) break;
    if (!isBlank(chunk.subarray(0, bytesRead))) return true;
    position += bytesRead;
  }
  return false;
}

const lines = (path: string) => inputLines(path, MAX_ROW_BYTES);

function lineProblem({ line, text, tooLong }: InputLine): InputProblem | null {
  if (tooLong) return { line, field: '(line)', reason: `is longer than ${MAX_ROW_BYTES} bytes (the row limit)` };
  if (text.includes('\u0000')) return { line, field: '(line)', reason: 'holds binary data' };
  return null;
}

const NOT_UTF8 = 'is not valid UTF-8 (re-save the file as UTF-8)';

async function* readJsonl(path: string): AsyncGenerator<InputRecord> {
  const seen = new Set<string>();
  const owners = createMemberOwners();
  for await (const read of lines(path)) {
    const { line, text } = read;
    if (!read.tooLong && text.trim() === '') continue;
    const tooBad = lineProblem(read);
    if (tooBad) {
      yield { line, problem: tooBad };
      continue;
    }
    if (jsonDepthOf(text) > MAX_ROW_DEPTH) {
      yield { line, problem: { line, field: '(line)', reason: `nests objects and arrays deeper than ${MAX_ROW_DEPTH} levels (the row limit)` } };
      continue;
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      yield { line, problem: { line, field: '(line)', reason: read.invalidUtf8 ? NOT_UTF8 : 'is not valid JSON' } };
      continue;
    }
    if (read.invalidUtf8) {
      yield { line, problem: { line, field: fieldWithReplacement(raw), reason: NOT_UTF8 } };
      continue;
    }
    const checked = validateCustomer(raw, line);
    if ('problem' in checked) {
      yield { line, problem: checked.problem };
      continue;
    }
    const shared = owners.claim(checked.customer, line, (index) => `members[${index}].id`);
    if (shared) {
      yield { line, problem: shared };
    } else if (seen.has(checked.customer.id)) {
      yield { line, problem: { line, field: 'id', reason: `customer "${checked.customer.id}" appears on an earlier line` } };
    } else {
      seen.add(checked.customer.id);
      owners.keep(checked.customer, line);
      yield { line, customer: checked.customer };
    }
  }
}

/**
 * Streams a job's input file, one record per customer or per unusable row, in file order. The file
 * is never read whole: memory stays flat for any size. A CSV file also gives a `warning` for each
 * column nothing reads.
 *
 * @example
 * for await (const record of readInput('customers.jsonl')) {
 *   if ('problem' in record) console.warn(`line ${record.line}: ${record.problem.field} ${record.problem.reason}`);
 *   else if ('customer' in record) console.log(record.customer.id);
 * }
 */
export function readInput(path: string, format: InputFormat = formatOf(path)): AsyncGenerator<InputRecord> {
  return format === 'csv' ? readCsv(path) : readJsonl(path);
}
