/**
 * The one table of every command-line option: each flag's name, value, type, default and help
 * text (jobFlagTable.ts, commandFlagTable.ts, sandboxFlagTable.ts), and which flags each command takes, in the order
 * its `--help` lists them. Every command's `--help` prints its flags from here (`flagHelp`), and
 * the README test checks the README against it.
 */
import { COMMAND_FLAG_SPECS } from './commandFlagTable.js';
import { renderFlags, type FlagSpec } from './flagSpec.js';
import { JOB_FLAG_SPECS } from './jobFlagTable.js';
import { SANDBOX_FLAG_SPECS } from './sandboxFlagTable.js';

export { helpTextOf, renderFlags, type FlagSpec } from './flagSpec.js';

/** Every row of the table. */
export const FLAG_TABLE: readonly FlagSpec[] = [...JOB_FLAG_SPECS, ...COMMAND_FLAG_SPECS, ...SANDBOX_FLAG_SPECS];

const CONNECTION = ['--base-url', '--client-id', '--api-key', '--auth', '--api-version', '--dialect'] as const;
const WATCH = ['--dashboard', '--dashboard-host', '--log-format', '--log-level'] as const;
const PACE = ['--poll-interval-ms', '--max-attempts', '--timeout-ms', '--outage-budget'] as const;
const WEBHOOKS = ['--webhook-port', '--webhook-host', '--webhook-path', '--webhook-auth', '--webhook-bearer'] as const;
const JOB = [
  '--job', ...CONNECTION, '--store', '--redis', '--concurrency', '--max-concurrency', '--rate', '--report', '--inspect', '--json', ...WATCH,
  ...PACE, '--mfa-wait', '--end-user-wait', '--end-user-poll', '--links-port', '--links-host', '--public-url', '--lease-ms', '--history-limit', ...WEBHOOKS,
] as const;

/** The flags of each command, in the order its `--help` lists them. */
export const COMMAND_FLAGS: Readonly<Record<string, readonly string[]>> = {
  onboard: JOB,
  offboard: JOB,
  check: ['--rate', ...CONNECTION, '--timeout-ms'],
  status: ['--job', '--store', '--json'],
  answer: ['--job', '--store', '--customer', '--member', '--answers', ...CONNECTION, '--timeout-ms'],
  history: ['--job', '--customer', '--store', '--json'],
  refresh: [
    '--customer', '--min-aggregation-interval', '--job', ...CONNECTION, '--store', '--redis', '--concurrency', '--max-concurrency', '--rate', '--report', '--json',
    ...PACE, '--lease-ms', '--history-limit',
  ],
  retry: ['--failed', '--needs-action', '--customer', '--kind', '--status', '--since', '--dry-run', ...JOB],
  cancel: ['--job', '--store', '--customer'],
  pause: ['--job', '--store'],
  resume: ['--job', '--store'],
  links: ['--job', '--public-url', '--store', '--format', '--output', '--ttl'],
  export: ['--job', '--store', '--format', '--only', '--output'],
  demo: ['--inspect', '--json', ...WATCH],
  dashboard: ['--job', '--store', '--dashboard', '--dashboard-host'],
  sandbox: SANDBOX_FLAG_SPECS.map((spec) => spec.name),
};

/**
 * The row of `name` as `command` shows it: the command's own wording, or the shared one.
 *
 * @example
 * flagSpec('status', '--json').help // 'one JSON object on stdout'
 */
export function flagSpec(command: string, name: string): FlagSpec {
  const own = FLAG_TABLE.find((spec) => spec.name === name && spec.commands?.includes(command) === true);
  const shared = FLAG_TABLE.find((spec) => spec.name === name && spec.commands === undefined);
  const spec = own ?? shared;
  if (!spec) throw new Error(`the flag table has no ${name} for ${command}`);
  return spec;
}

/**
 * The flag lines of a command's `--help`, printed from the table.
 *
 * @example
 * flagHelp('pause') // '  --job NAME   the job\n  --store URL  sqlite:PATH or postgres://… (default …)'
 */
export function flagHelp(command: string): string {
  return renderFlags((COMMAND_FLAGS[command] ?? []).map((name) => flagSpec(command, name)));
}
