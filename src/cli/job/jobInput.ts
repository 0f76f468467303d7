/**
 * Which input file a job was made from, as its last report recorded it: two files with the same
 * base name (`small.csv`, then `small.jsonl`) make the same job name, and without this check the
 * second silently joined the first's job and overwrote its report.
 */
import { open } from 'node:fs/promises';
import { resolve } from 'node:path';

/** The report's header comes first; its `input` is within the first few hundred bytes. */
const HEAD_BYTES = 64 * 1024;

/** The `input` a report at `path` records, or null when there is no report or no input in it. */
async function reportedInput(path: string): Promise<string | null> {
  let text: string;
  try {
    const handle = await open(path, 'r');
    try {
      const head = Buffer.alloc(HEAD_BYTES);
      const { bytesRead } = await handle.read(head, 0, HEAD_BYTES, 0);
      text = head.subarray(0, bytesRead).toString('utf8');
    } finally {
      await handle.close();
    }
  } catch {
    return null;
  }
  const match = /"input":\s*("(?:[^"\\]|\\.)*")/.exec(text);
  if (!match?.[1]) return null;
  try {
    const input = JSON.parse(match[1]) as unknown;
    return typeof input === 'string' && input !== '' ? input : null;
  } catch {
    return null;
  }
}

/**
 * The one line refusing `input` for a job another input file made, or null when it is the same file
 * (or nothing is known of the first).
 *
 * @example
 * await otherInputProblem('small', '.mx-lifecycle/small.report.json', 'small.jsonl')
 * // 'job small was made from small.csv, not small.jsonl: pass --job NAME to run small.jsonl as its own job'
 */
export async function otherInputProblem(job: string, report: string, input: string): Promise<string | null> {
  const first = await reportedInput(report);
  if (first === null || resolve(first) === resolve(input)) return null;
  return `job ${job} was made from ${first}, not ${input}: pass --job NAME to run ${input} as its own job (or --job ${job} to add its customers to this one)`;
}
