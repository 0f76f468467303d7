/**
 * `mx-lifecycle export --job NAME`: one row per connection, as RFC 4180 CSV (csv-stringify, from
 * the same well-kept project as the input's parser) or JSON Lines, for a spreadsheet or for the
 * app that reopens needs-action members in MX's Connect widget (`current_member_guid`).
 */
import { once } from 'node:events';
import { open } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { stringify } from 'csv-stringify/sync';
import type { FinalItemState, ItemState } from '../../durable/index.js';
import { flagHelp } from '../flags/flagTable.js';
import type { Command } from './command.js';
import { explainingEnvironment } from '../job/environment.js';
import { EXPORT_COLUMNS, neutralise, rowsOf, type ExportRow } from './exportRows.js';
import { usageProblem } from '../flags/jobFlags.js';
import { openJob } from '../job/jobStore.js';
import { EXIT_OK, guarded } from '../ui/output.js';

const USAGE = `usage: mx-lifecycle export --job NAME [--store URL] [--format csv|jsonl] [--only STATE] [--output FILE]

Writes one row per connection of the job's customers: customer_id, user_guid, member_id,
member_guid, institution_code, outcome, connection_status, reason, error_kind, connect, invited,
opened (yes when the end user was sent, or opened, the connection's stable link). CSV (RFC 4180,
with a header; a cell starting with =, +, - or @ gets a leading ' so a spreadsheet shows it as
text) or JSON Lines. Holds no credential, key or MFA answer.

${flagHelp('export')}

exit codes: 0 written; 1 no such job; 64 bad usage; 69 the store cannot be reached`;

const ONLY: Record<string, FinalItemState> = { done: 'done', 'needs-action': 'needsAction', failed: 'failed', cancelled: 'cancelled' };
const PAGE = 1000;

async function ownerOnly(path: string): Promise<Writable> {
  const handle = await open(path, 'w', 0o600);
  try {
    await handle.chmod(0o600);
  } catch (error) {
    await handle.close();
    throw error;
  }
  return handle.createWriteStream();
}

async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv, strict: true, allowPositionals: true,
    options: { job: { type: 'string' }, store: { type: 'string' }, format: { type: 'string' }, only: { type: 'string' }, output: { type: 'string' } },
  });
  if (positionals.length > 0) throw usageProblem(`unexpected argument '${positionals[0] ?? ''}' (name the job with --job)`);
  const format = values.format ?? 'csv';
  if (format !== 'csv' && format !== 'jsonl') throw usageProblem(`--format must be csv or jsonl, not '${format}'`);
  const only = values.only === undefined ? undefined : ONLY[values.only];
  if (values.only !== undefined && only === undefined) throw usageProblem(`--only must be one of ${Object.keys(ONLY).join(', ')}, not '${values.only}'`);
  const opened = await openJob('export', values.job, values.store);
  if (typeof opened === 'number') return opened;
  const { store, job } = opened;
  // An existing file keeps its mode when opened, so it is narrowed before the first row reaches it.
  let out: Writable = process.stdout;
  if (values.output !== undefined) {
    try {
      out = await ownerOnly(values.output);
    } catch (error) {
      await store.close();
      throw usageProblem(`--output ${values.output} cannot be written (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  }
  const write = async (text: string) => {
    if (!out.write(text)) await once(out, 'drain');
  };
  const line = (row: ExportRow): string =>
    format === 'csv' ? stringify([EXPORT_COLUMNS.map((c) => neutralise(row[c]))]) : `${JSON.stringify(row)}\n`;
  try {
    if (format === 'csv') await write(stringify([[...EXPORT_COLUMNS]]));
    const states: ItemState[] | undefined = only ? [only] : undefined;
    let afterSeq = 0;
    for (;;) {
      const page = await store.listItems(job.id, { ...(states ? { states } : {}), afterSeq, limit: PAGE });
      if (page.length === 0) break;
      afterSeq = page[page.length - 1]?.seq ?? afterSeq;
      const events = await store.endUserEventsOf(job.id, page.map((item) => item.id));
      for (const item of page) for (const row of rowsOf(item, events)) await write(line(row));
    }
  } finally {
    await store.close();
    if (out !== process.stdout) {
      out.end();
      await once(out, 'finish');
    }
  }
  return EXIT_OK;
}

export const command: Command = {
  summary: 'write one row per connection of a job (CSV or JSON Lines) for a spreadsheet or an app',
  usage: USAGE,
  run: guarded('export', explainingEnvironment('export', run)),
};
