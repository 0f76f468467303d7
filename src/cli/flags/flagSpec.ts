/**
 * The shape of one row of the flag table (flagTable.ts), and how a row is printed in `--help`.
 */

/** One option of one or more commands. */
export interface FlagSpec {
  /** The flag as typed, e.g. `--store`. */
  name: string;
  /** What follows the flag in `--help`, e.g. `URL`; absent for a switch. */
  value?: string;
  /** How parseArgs reads it: a value, or a switch. */
  type: 'string' | 'boolean';
  /** The default as `--help` shows it, read from the constant that owns it where there is one. */
  default?: string;
  /** The help text: `{default}` stands for the default, and a newline starts a continuation line. */
  help: string;
  /** The commands this wording is for; absent, every command that takes the flag and has no wording of its own. */
  commands?: readonly string[];
}

/**
 * A flag's help text with its default in place.
 *
 * @example
 * helpTextOf({ name: '--format', value: 'F', type: 'string', default: 'csv', help: 'csv or jsonl (default {default})' })
 * // 'csv or jsonl (default csv)'
 */
export function helpTextOf(spec: FlagSpec): string {
  return spec.default === undefined ? spec.help : spec.help.replaceAll('{default}', spec.default);
}

/**
 * The `--help` lines of some flags, their texts lined up in one column after the longest flag.
 *
 * @example
 * renderFlags([{ name: '--json', type: 'boolean', help: 'one JSON object on stdout' }])
 * // '  --json  one JSON object on stdout'
 */
export function renderFlags(specs: readonly FlagSpec[]): string {
  const labels = specs.map((spec) => (spec.value === undefined ? spec.name : `${spec.name} ${spec.value}`));
  const width = Math.max(...labels.map((label) => label.length)) + 2;
  return specs
    .flatMap((spec, i) => {
      const [first = '', ...more] = helpTextOf(spec).split('\n');
      return [`  ${(labels[i] ?? '').padEnd(width)}${first}`, ...more.map((line) => `${' '.repeat(width + 2)}${line}`)];
    })
    .join('\n');
}
