/**
 * The input's bad rows as a run meets them: the first ones printed on stderr at once, the rest
 * counted, and up to the report's limit kept for the report.
 */
import type { InputProblem } from '../../input/index.js';
import type { Output } from './output.js';
import { MAX_BAD_ROWS } from '../job/runReport.js';

/** Bad rows printed on stderr as they are found; the rest are counted and listed in the report. */
const BAD_ROWS_SHOWN = 20;

/**
 * @example
 * const badRows = createBadRows(io, 'onboard', 'customers.jsonl');
 * badRows.add(problem);
 * badRows.finish();
 */
export function createBadRows(io: Output, command: string, input: string) {
  const rows: InputProblem[] = [];
  let total = 0;
  return {
    add(problem: InputProblem) {
      total += 1;
      if (rows.length < MAX_BAD_ROWS) rows.push(problem);
      if (total <= BAD_ROWS_SHOWN) io.err(`mx-lifecycle ${command}: ${input} line ${problem.line}: ${problem.field} ${problem.reason} (row skipped)\n`);
    },
    finish() {
      if (total > BAD_ROWS_SHOWN) io.err(`mx-lifecycle ${command}: … and ${total - BAD_ROWS_SHOWN} more bad rows, all listed in the report\n`);
    },
    get total() {
      return total;
    },
    rows,
  };
}

/** The bad rows of one run, as `createBadRows` keeps them. */
export type BadRows = ReturnType<typeof createBadRows>;
