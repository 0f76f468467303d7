/**
 * The second step of a job run: read INPUT and submit its customers (bad rows reported and
 * skipped). The input is read and submitted on every run: submit ignores customers the job already
 * has, and the member credentials it holds in memory are what this run's creates need (they are
 * never stored), so running the same command again resumes the job.
 */
import type { Runtime } from '../../durable/index.js';
import { readInput, type CustomerInput, type InputProblem } from '../../input/index.js';
import { createBadRows, type BadRows } from '../ui/badRows.js';
import { counted } from '../ui/counted.js';
import { inputWarningLine } from '../ui/inputWarning.js';
import { EXIT_ATTENTION, EXIT_OK, type Output } from '../ui/output.js';
import type { LaunchJobOptions } from './launchOptions.js';
import type { OpenJob } from './openStep.js';

/** What the later steps need of the submission. */
export interface Submitted {
  badRows: BadRows;
  startedAt: number;
}

async function* customersOf(input: string, onProblem: (problem: InputProblem) => void, onWarning: (warning: InputProblem) => void, only?: ReadonlySet<string>): AsyncGenerator<CustomerInput> {
  for await (const record of readInput(input)) {
    if ('problem' in record) onProblem(record.problem);
    else if ('warning' in record) onWarning(record.warning);
    else if (only === undefined || only.has(record.customer.id)) yield record.customer;
  }
}

function finishedEarlier(job: string, c: Record<string, number>, createdAt: number): string {
  const total = Object.values(c).reduce((a, b) => a + b, 0);
  return `job ${job} already finished (started ${new Date(createdAt).toISOString()}): ${counted(total, 'customer')}, ${c.done ?? 0} done, ` +
    `${c.needsAction ?? 0} need action, ${c.failed ?? 0} failed, ${c.cancelled ?? 0} cancelled; nothing was run or checked now.\n` +
    `  to onboard these customers again, pick a new --job NAME; mx-lifecycle status --job ${job} shows who needs action\n`;
}

/**
 * Submits INPUT's customers to the job; an exit code instead when the job had finished before
 * and this run adds no one (nothing of this run would be checked).
 *
 * @example
 * const submitted = await submitInput(options, job, runtime, io); if (typeof submitted === 'number') return submitted;
 */
export async function submitInput(options: LaunchJobOptions, job: OpenJob, runtime: Runtime, io: Output): Promise<Submitted | number> {
  const { command, settings } = options;
  const { store, existing } = job;
  const startedAt = Date.now();
  const badRows = createBadRows(io, command, settings.input);
  const customers = settings.input === '' ? [] : customersOf(settings.input, (problem) => badRows.add(problem), (warning) => io.err(inputWarningLine(command, settings.input, warning)), options.onlyCustomers);
  const { added } = await runtime.submit(settings.job, customers, settings.kind);
  badRows.finish();
  if (settings.historyLimit !== undefined) await store.setHistoryLimit(settings.job, settings.historyLimit);
  // Counted after the submit, not before it: a worker that joins a job another worker is still
  // filling found the job before its rows, and said "already finished" with exit 0 (issue 22).
  const after = existing && added === 0 ? await store.counts(settings.job) : null;
  if (after && after.pending + after.active + after.halted === 0) {
    // Nothing of this run would be checked: say the job is over rather than count its old results as this run's.
    const code = after.done === Object.values(after).reduce((a, b) => a + b, 0) ? EXIT_OK : EXIT_ATTENTION;
    io.out(settings.json
      ? `${JSON.stringify({ command, job: settings.job, result: 'alreadyFinished', exitCode: code, counts: after })}\n`
      : finishedEarlier(settings.job, after, existing?.createdAt ?? startedAt));
    return code;
  }
  await job.observer?.attach(runtime);
  return { badRows, startedAt };
}
