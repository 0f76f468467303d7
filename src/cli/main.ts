#!/usr/bin/env node
/**
 * The `mx-lifecycle` command line: a map from command name to the module that runs it, loaded
 * only when that command is asked for, so `mx-lifecycle sandbox` does not load the database
 * drivers the other commands need.
 */

import { closest, flagsOf } from './flags/didYouMean.js';
import { debugging, EXIT_SOFTWARE, EXIT_USAGE } from './ui/output.js';
import { packageVersion } from './commands/packageRoot.js';
import { startTracing } from './commands/commandTracing.js';
import { limitHeapGrowth } from './ui/heapGrowth.js';

import type { Command, UsageProblem } from './commands/command.js';

const COMMANDS: Record<string, { summary: string; load: () => Promise<{ command: Command }> }> = {
  onboard: { summary: 'create users and members for the customers of a JSONL or CSV file', load: () => import('./commands/onboard.js') },
  check: { summary: 'dry run: check the rows, the key and the institutions of an input, and estimate the run', load: () => import('./commands/check.js') },
  offboard: { summary: "delete the members and users of a file's customers (idempotent)", load: () => import('./commands/offboard.js') },
  status: { summary: "show a job's counts, its halt, and the customers that need action", load: () => import('./commands/status.js') },
  answer: { summary: 'answer the MFA challenges of a job that waits for them (onboard --mfa-wait)', load: () => import('./commands/answer.js') },
  history: { summary: "print one customer's steps: states, events, MX requests and statuses", load: () => import('./commands/customerHistory.js') },
  refresh: { summary: "aggregate a job's connected members again, skipping those MX would refuse (day N)", load: () => import('./commands/refresh.js') },
  retry: { summary: 'run the failed and needs-action customers of a job again, with corrected credentials from INPUT', load: () => import('./commands/retryCustomers.js') },
  cancel: { summary: 'cancel the customers of a job that are not final yet (a running worker stops them)', load: () => import('./commands/cancel.js') },
  pause: { summary: 'pause a job on every worker: requests in flight finish, no new step until resume', load: () => import('./commands/pause.js') },
  resume: { summary: 'let a paused job go on', load: () => import('./commands/resume.js') },
  links: { summary: 'write the stable link of every connection waiting for its end user, for your mailer', load: () => import('./commands/links.js') },
  export: { summary: 'write one row per connection of a job (CSV or JSON Lines) for a spreadsheet or an app', load: () => import('./commands/export.js') },
  demo: { summary: 'onboard 60 demo customers into an in-process sandbox, with progress and a report', load: () => import('./commands/demo.js') },
  dashboard: { summary: 'serve the live dashboard of a job from its store, without running it', load: () => import('./commands/dashboard.js') },
  sandbox: { summary: 'run a local MX Platform API for rehearsals and tests', load: () => import('./commands/sandbox.js') },
};

function usage(): string {
  const names = Object.keys(COMMANDS);
  const width = Math.max(...names.map((n) => n.length));
  return [
    'usage: mx-lifecycle <command> [options]',
    '',
    'commands:',
    ...names.map((n) => `  ${n.padEnd(width)}  ${COMMANDS[n]?.summary ?? ''}`),
    '',
    'Run `mx-lifecycle <command> --help` for a command\'s options.',
  ].join('\n');
}

function isUsageProblem(e: unknown): e is UsageProblem {
  return typeof e === 'object' && e !== null && typeof (e as UsageProblem).usage === 'string';
}

function isParseArgsError(e: unknown): e is Error {
  const code: unknown = e instanceof Error ? (e as Error & { code?: unknown }).code : undefined;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}

/** One line: the first line of the message, so no stack trace ever reaches the terminal. */
const oneLine = (text: string): string => text.split('\n')[0] ?? '';

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${usage()}\n`);
    return 0;
  }
  if (name === '--version' || name === '-V' || name === 'version') {
    process.stdout.write(`mx-lifecycle ${packageVersion()}\n`);
    return 0;
  }
  if (name === undefined) {
    process.stderr.write(`mx-lifecycle: a command is needed (${Object.keys(COMMANDS).join(', ')}); see mx-lifecycle --help\n`);
    return EXIT_USAGE;
  }
  const entry = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!entry) {
    const guess = closest(name, Object.keys(COMMANDS));
    const hint = guess ? `did you mean '${guess}'? ` : '';
    process.stderr.write(`mx-lifecycle: unknown command '${oneLine(name)}' (${hint}commands: ${Object.keys(COMMANDS).join(', ')}); see mx-lifecycle --help\n`);
    return EXIT_USAGE;
  }
  const { command } = await entry.load();
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`${command.usage}\n`);
    return 0;
  }
  const tracing = await startTracing(name);
  try {
    return await command.run(rest);
  } catch (e) {
    if (isUsageProblem(e) || isParseArgsError(e)) {
      // parseArgs explains at length; its first sentence is the one that names the problem.
      let message = isUsageProblem(e) ? e.usage : (e.message.split('. ')[0] ?? e.message);
      const unknown = /^Unknown option '(--[^']+)'/.exec(message)?.[1];
      const guess = unknown ? closest(unknown.split('=')[0] ?? unknown, flagsOf(command.usage)) : null;
      if (guess) message = `${message}; did you mean '${guess}'?`;
      process.stderr.write(`mx-lifecycle ${name}: ${oneLine(message)} (see mx-lifecycle ${name} --help)\n`);
      return EXIT_USAGE;
    }
    process.stderr.write(`mx-lifecycle ${name}: ${oneLine(e instanceof Error ? e.message : String(e))}\n`);
    if (debugging() && e instanceof Error && e.stack) process.stderr.write(`${e.stack}\n`);
    return EXIT_SOFTWARE;
  } finally {
    await tracing?.shutdown();
  }
}

let settled = false;
// Node ends a process whose event loop is empty with exit 0, even while a command still awaits
// something nothing will ever settle: a scheduler would record a success for a run that never
// finished (issue 22: an unref'd timer did this to every job paused by an outage). Say so, and 70.
process.on('beforeExit', () => {
  if (settled) return;
  settled = true;
  process.stderr.write('mx-lifecycle: the command ended before it finished (nothing was left to wait for); this is a defect: please report it\n');
  process.exitCode = EXIT_SOFTWARE;
});

// A long job's heap at 1.5 times its live set, not four times (see heapGrowth.ts).
limitHeapGrowth();

main(process.argv.slice(2)).then(
  (code) => {
    settled = true;
    process.exitCode = code;
  },
  (e: unknown) => {
    settled = true;
    process.stderr.write(`mx-lifecycle: ${oneLine(e instanceof Error ? e.message : String(e))}\n`);
    process.exitCode = EXIT_SOFTWARE;
  },
);
