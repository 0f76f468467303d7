/**
 * `mx-lifecycle demo`: the whole tool in under a minute on a fresh clone. It starts the sandbox in
 * this process (5 % faults, a 50/s rate limit, 20-s tokens so refreshes happen, 500-ms
 * aggregations), onboards examples/data/customers.jsonl at 45 requests/s with MFA answered
 * automatically, and leaves a store and a report to look at. Each run is a new job.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { AnswerSource } from '../../durable/index.js';
import { CORRECT_ANSWER, DEFAULT_CLIENT, startSandbox, type Sandbox } from '../../sandbox/index.js';
import { inspectPortOf, usageProblem, withOptionalInspectPort, type Connection, type JobSettings } from '../flags/jobFlags.js';
import { defaultReportOf, defaultStoreOf } from '../job/storeUrl.js';
import { flagHelp } from '../flags/flagTable.js';
import type { Command } from './command.js';
import { OBSERVE_OPTIONS, observeSettingsOf } from '../flags/observeFlags.js';
import { guarded } from '../ui/output.js';
import { packageRoot } from './packageRoot.js';
import { launchJob } from '../job/launchJob.js';
import { untilSignal } from '../job/untilSignal.js';
import { defined } from '../../_internals/index.js';

const USAGE = `usage: mx-lifecycle demo [--inspect [PORT]] [--dashboard [PORT]] [--log-format text|json] [--json]

Starts a sandbox MX API in this process (5% faults, rate limit 50/s, 20-s tokens, 500-ms
aggregations), onboards the 60 customers of examples/data/customers.jsonl at 45 requests/s,
answering MFA challenges automatically, then prints the summary and where the store and the
report are. Each run is a new job (demo-<time>) under ./.mx-lifecycle. With --dashboard the page
keeps serving after the job is over, until Ctrl-C.

${flagHelp('demo')}

exit codes: 0 the job finished (customers that need action or failed are expected outcomes here:
            the sandbox's passwords pick them); 2 the job halted; 70 unexpected error`;

/** The demo's sandbox: MX Platform's statuses and bodies, with faults, a rate limit and short-lived tokens. */
export const DEMO_SANDBOX = {
  faults: 0.05,
  rateLimit: 50,
  tokenTtlSeconds: 20,
  auth: 'token',
  aggregationMs: 500,
  slowMs: 2_000,
  // A held response outlasts the client's 3-s timeout, so the demo shows a timeout and its retry.
  timeoutFaultMs: 10_000,
} as const;

/**
 * How the demo's client talks to the sandbox at `baseUrl`. The sandbox speaks MX Platform's dialect,
 * so the client reads its errors as that dialect, as `onboard` does by default: read with `auto`, a
 * 405 for an answer that came after the challenge expired is a systemic status, and halted the demo
 * about one run in twenty ("the API client is not set up for this").
 *
 * @example
 * const client = clientOf(demoConnection(sandbox.url));
 */
export function demoConnection(baseUrl: string): Connection & Pick<JobSettings, 'rate' | 'redis'> {
  return {
    baseUrl, clientId: DEFAULT_CLIENT.id, apiKey: DEFAULT_CLIENT.key, keyOnCommandLine: false,
    auth: 'token', apiVersion: 'v20250224', dialect: 'platform', redis: undefined, rate: 45, timeoutMs: 3_000,
  };
}

/**
 * Answers every challenge the sandbox asks: the known answer for text, the first choice for options.
 *
 * @example
 * createRuntime({ store, client, answerChallenge: answerDemoChallenge });
 */
export const answerDemoChallenge: AnswerSource = ({ challenges }) =>
  Object.fromEntries(challenges.map((c) => [c.guid, c.type === 'OPTIONS' ? (c.options[0]?.value ?? CORRECT_ANSWER) : CORRECT_ANSWER]));

function demoJobName(now: Date): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `demo-${stamp}-${Math.random().toString(36).slice(2, 6)}`;
}

async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: withOptionalInspectPort(argv), strict: true, allowPositionals: true,
    options: { inspect: { type: 'string' }, json: { type: 'boolean' }, ...OBSERVE_OPTIONS },
  });
  if (positionals.length > 0) throw usageProblem(`unexpected argument '${positionals[0] ?? ''}'`);
  const observe = observeSettingsOf(values);
  const root = packageRoot();
  if (root === null) throw new Error('the demo data (examples/data/customers.jsonl) is not installed with this copy of mx-lifecycle');
  const input = join(root, 'examples', 'data', 'customers.jsonl');
  const job = demoJobName(new Date());
  const store = defaultStoreOf(job);
  let sandbox: Sandbox | undefined;
  try {
    sandbox = await startSandbox({ ...DEMO_SANDBOX, host: '127.0.0.1', port: 0 });
    process.stderr.write(
      `mx-lifecycle demo: sandbox MX API at ${sandbox.url} (5% faults, 50 requests/s limit, tokens expire after 20 s)\n` +
        `mx-lifecycle demo: onboarding examples/data/customers.jsonl as job ${job} at 45 requests/s\n`,
    );
    const settings: JobSettings = {
      kind: 'onboard', input, job, store, report: defaultReportOf(store, job), ...demoConnection(sandbox.url), concurrency: 32,
      inspectPort: inspectPortOf(values.inspect), json: values.json === true, observe,
      // The sandbox aggregates in 500 ms, so polling each second (not MX's 3 s) keeps the demo short.
      lifecycle: { pollIntervalMs: 1_000, baseDelayMs: 250, maxDelayMs: 2_000 },
    };
    const sandboxRef = sandbox;
    let told = false;
    const sayTruth = () => {
      told = true;
      const truth = sandboxRef.state();
      process.stderr.write(
        `mx-lifecycle demo: the sandbox saw ${truth.stats.requests} requests (at most ${truth.stats.maxObservedRate} in one second), ` +
          `${truth.stats.faultsInjected} injected faults, ${truth.stats.rateLimited} 429s and ${truth.stats.tokensIssued} tokens; ` +
          `it holds ${truth.users.length} users and ${truth.members.length} members\n`,
      );
    };
    // With --dashboard the page stays up once the 60 customers are done, so it can be read: Ctrl-C ends it.
    const afterSummary = observe.dashboardPort === undefined ? undefined : async () => {
      sayTruth();
      process.stderr.write('mx-lifecycle demo: the job is over; the dashboard still serves (Ctrl-C stops)\n');
      await untilSignal();
    };
    const code = await launchJob({ command: 'demo', settings, answerChallenge: answerDemoChallenge, expectedOutcomes: true, progressEveryMs: 2_000, ...defined({ afterSummary }) });
    if (!told) sayTruth();
    return code;
  } finally {
    await sandbox?.close();
  }
}

export const command: Command = {
  summary: 'onboard 60 demo customers into an in-process sandbox, with progress and a report',
  usage: USAGE,
  run: guarded('demo', run),
};
