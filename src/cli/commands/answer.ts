/**
 * `mx-lifecycle answer --job NAME`: answers the MFA challenges of members that a running job
 * (`onboard --mfa-wait`) keeps waiting. The challenges are read fresh from MX, the answers go
 * straight from this process to MX's resume, and nothing of them is stored or printed: the
 * running job sees the member move on at its next status read and follows the aggregation.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { ChallengeAnswer, MxChallenge } from '../../api/index.js';
import { isWaitingForAnswer } from '../../../machines/index.js';
import type { SnapshotStore } from '../../durable/index.js';
import { askAtTerminal } from '../ui/answerPrompt.js';
import { flagHelp } from '../flags/flagTable.js';
import type { Command } from './command.js';
import { CONNECTION_OPTIONS, connectionFromFlags, usageProblem } from '../flags/jobFlags.js';
import { checkCustomers, openJob } from '../job/jobStore.js';
import { createOutput, EXIT_ATTENTION, EXIT_OK, guarded } from '../ui/output.js';

const USAGE = `usage: mx-lifecycle answer --job NAME [--store URL] [--customer ID --member ID] [--answers FILE] [connection flags]

Answers the MFA challenges of a job's members that wait for answers (onboard --mfa-wait keeps them
waiting). On a terminal it shows each open challenge (an OPTIONS challenge as a numbered list, an
IMAGE challenge saved to a private file whose path it prints) and reads the answer without echo.
With --answers FILE it takes a JSON object: { "<member id>": ["answer", …] } (in the order of the
challenges) or { "<member id>": { "<challenge guid, field name or label>": "answer" } }; an
OPTIONS answer is the option's label, value or number. Answers go straight to MX and are never
stored, logged or printed.

${flagHelp('answer')}

exit codes: 0 something was answered; 1 nothing was waiting, or no such job; 64 bad usage
            (also an answers file that is not JSON or names no waiting member)`;

interface Waiting {
  customerId: string;
  memberId: string;
  userGuid: string;
  memberGuid: string;
}

type Given = Record<string, string[] | Record<string, string>>;

function readAnswers(path: string): Given {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : 'is not JSON';
    throw usageProblem(`--answers ${path} ${reason}`);
  }
  const ok = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
    && Object.values(parsed).every((v) => (Array.isArray(v) ? v.every((a) => typeof a === 'string')
      : typeof v === 'object' && v !== null && Object.values(v).every((a) => typeof a === 'string')));
  if (!ok) throw usageProblem(`--answers ${path} must be a JSON object of member id → list of answers, or → object of answers by challenge`);
  return parsed as Given;
}

async function waitingMembers(store: SnapshotStore, jobId: string, customer?: string, member?: string): Promise<Waiting[]> {
  const items = customer ? [await store.getItem(jobId, customer)] : await store.listItems(jobId, { states: ['active'] });
  const out: Waiting[] = [];
  for (const item of items) {
    const children = (item?.snapshot as { children?: Record<string, { snapshot?: { value?: unknown; context?: Record<string, unknown> } }> } | null)?.children ?? {};
    for (const child of Object.values(children)) {
      const context = child.snapshot?.context ?? {};
      const memberId = typeof context.externalId === 'string' ? context.externalId : '';
      if (!item || !isWaitingForAnswer(child.snapshot?.value) || (member && memberId !== member)) continue;
      out.push({ customerId: item.id, memberId, userGuid: String(context.userGuid ?? ''), memberGuid: String(context.memberGuid ?? '') });
    }
  }
  return out;
}

/** Maps a member's given answers onto MX's open challenges. */
function answersFrom(given: string[] | Record<string, string>, challenges: readonly MxChallenge[]): ChallengeAnswer[] {
  const valueFor = (challenge: MxChallenge, answer: string): string => {
    const options = challenge.options ?? [];
    const index = /^\d+$/.test(answer) ? options[Number(answer) - 1] : undefined;
    return options.find((o) => o.label === answer || o.value === answer)?.value ?? index?.value ?? answer;
  };
  return challenges.flatMap((challenge, i) => {
    const answer = Array.isArray(given) ? given[i] : (given[challenge.guid] ?? given[challenge.field_name ?? ''] ?? given[challenge.label ?? '']);
    return answer === undefined ? [] : [{ guid: challenge.guid, value: valueFor(challenge, answer) }];
  });
}

async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv, strict: true, allowPositionals: true,
    options: { job: { type: 'string' }, store: { type: 'string' }, customer: { type: 'string' }, member: { type: 'string' }, answers: { type: 'string' }, ...CONNECTION_OPTIONS },
  });
  if (positionals.length > 0) throw usageProblem(`unexpected argument '${positionals[0] ?? ''}' (name the job with --job)`);
  const connection = connectionFromFlags(values, process.env);
  const given = values.answers === undefined ? null : readAnswers(values.answers);
  if (given === null && !process.stdin.isTTY) throw usageProblem('stdin is not a terminal: pass the answers with --answers FILE');
  const opened = await openJob('answer', values.job, values.store);
  if (typeof opened === 'number') return opened;
  const { store, job } = opened;
  const io = createOutput([connection.apiKey, ...Object.values(given ?? {}).flatMap((v) => (Array.isArray(v) ? v : Object.values(v)))]);
  let waiting: Waiting[];
  try {
    if (values.customer) await checkCustomers(store, job.id, [values.customer]);
    waiting = await waitingMembers(store, job.id, values.customer, values.member);
  } finally {
    await store.close();
  }
  if (given) {
    waiting = waiting.filter((w) => Object.hasOwn(given, w.memberId));
    if (waiting.length === 0) throw usageProblem(`--answers ${values.answers ?? ''} names no member of job ${job.id} that waits for answers; nothing was sent`);
  }
  if (waiting.length === 0) {
    io.err(`mx-lifecycle answer: no member of job ${job.id} waits for MFA answers\n`);
    return EXIT_ATTENTION;
  }
  const { clientOf } = await import('../job/clientOf.js');
  const client = clientOf(connection);
  let answered = 0;
  try {
    for (const w of waiting) {
      const open = await client.listMemberChallenges(w.userGuid, w.memberGuid);
      if (open.isErr() || open.value.length === 0) {
        io.err(`mx-lifecycle answer: ${w.customerId} ${w.memberId}: ${open.isErr() ? `could not read its challenges (${open.error.kind})` : 'no challenge is open any more'}\n`);
        continue;
      }
      const answers = given ? answersFrom(given[w.memberId] ?? [], open.value) : await askAtTerminal(w.memberId, open.value);
      const resumed = await client.resumeAggregation(w.userGuid, w.memberGuid, answers);
      if (resumed.isErr()) {
        io.err(`mx-lifecycle answer: ${w.customerId} ${w.memberId}: MX refused the answers (${resumed.error.kind} ${resumed.error.status})\n`);
        continue;
      }
      answered += 1;
      io.out(`answered ${w.customerId} ${w.memberId} (${answers.length} of ${open.value.length} challenge${open.value.length === 1 ? '' : 's'}); the running job follows its aggregation\n`);
    }
  } finally {
    await client.close();
  }
  return answered > 0 ? EXIT_OK : EXIT_ATTENTION;
}

export const command: Command = {
  summary: 'answer the MFA challenges of a job that waits for them (onboard --mfa-wait)',
  usage: USAGE,
  run: guarded('answer', run),
};
