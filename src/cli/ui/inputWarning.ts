import type { InputProblem } from '../../input/index.js';

/**
 * The line a command prints for a warning of its input (a CSV column nothing reads). `check` and
 * the job commands print it alike, so a dry run shows what the run will say.
 *
 * @example
 * io.err(inputWarningLine('onboard', 'customers.csv', { line: 1, field: 'column "segment"', reason: 'is not a column …' }));
 */
export function inputWarningLine(command: string, input: string, warning: InputProblem): string {
  return `mx-lifecycle ${command}: ${input} line ${warning.line}: warning: ${warning.field} ${warning.reason}\n`;
}
