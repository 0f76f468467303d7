/**
 * `mx-lifecycle check INPUT`: a dry run. Reads the whole input (bad rows reported as onboard
 * reports them), reads each institution's credential fields from MX (the first read also proves the
 * key, base URL and API version), checks each connection's credentials against them, and prints
 * what a run would do. Only reads are sent; no store is opened.
 */
import { parseArgs } from 'node:util';
import type { CredentialFieldRef } from '../../../machines/_internals/index.js';
import type { ApiError } from '../../errors/index.js';
import { credentialValuesFor } from '../../durable/index.js';
import { checkInputFile, readInput, type CustomerInput } from '../../input/index.js';
import { flagHelp } from '../flags/flagTable.js';
import type { Command } from './command.js';
import { haltMessage } from '../ui/describe.js';
import { inputWarningLine } from '../ui/inputWarning.js';
import { CONNECTION_OPTIONS, connectionFromFlags, usageProblem } from '../flags/jobFlags.js';
import { createOutput, EXIT_ATTENTION, EXIT_HALTED, EXIT_OK, EXIT_USAGE, guarded, type Output } from '../ui/output.js';
import { counted } from '../ui/counted.js';
import { defined } from '../../_internals/index.js';

const USAGE = `usage: mx-lifecycle check INPUT [--rate R] [connection flags]

A dry run of onboard INPUT: reads every row (bad rows reported as onboard reports them), checks the
key, base URL and API version with one read of a user that does not exist, checks that each institution exists and that each
connection's credentials name the institution's fields, and prints the customers, connections,
requests and the time they take at --rate. It only reads from MX and writes no store.

${flagHelp('check')}

exit codes: 0 clean; 1 bad rows; 2 systemic (the key, URL or API version: the message says what to fix);
            64 bad usage or unusable INPUT`;

/**
 * Requests a connection costs at least: the create and one status read (the one a webhook wakes,
 * or the first poll). Its institution's credential fields are read once per institution and run.
 */
const PER_CONNECTION = 2;
const BAD_ROWS_SHOWN = 20;
/** A user guid MX never issues, read to check the connection without touching a real record. */
const PROBE_USER = 'USR-00000000-0000-0000-0000-000000000000';

interface Tally {
  customers: number;
  connections: number;
  bad: number;
}

function duration(seconds: number): string {
  if (seconds < 90) return `${Math.ceil(seconds)} s`;
  if (seconds < 5400) return `${Math.ceil(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

/** Why a connection's credentials do not fit the institution's fields, or null when they do. */
function credentialProblem(given: Record<string, string> | undefined, fields: readonly CredentialFieldRef[], code: string): string | null {
  if (fields.length === 0) return null; // OAuth: the end user signs in, no credentials are sent
  const names = fields.map((f) => f.fieldName ?? f.guid).join(', ');
  if (!given || Object.keys(given).length === 0) return `has no credentials; ${code} asks for ${names}`;
  const matched = credentialValuesFor(given, fields);
  const missing = fields.filter((f) => !matched.some((v) => v.guid === f.guid)).map((f) => f.fieldName ?? f.guid);
  const unused = Object.keys(given).filter((name) => credentialValuesFor({ [name]: '' }, fields).length === 0);
  if (unused.length > 0) return `names ${unused.join(', ')}, which ${code} does not ask for (it asks for ${names})`;
  if (missing.length > 0) return `lacks ${missing.join(', ')} (${code} asks for ${names})`;
  return null;
}

async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, strict: true, allowPositionals: true, options: { ...CONNECTION_OPTIONS, rate: { type: 'string' } } });
  const [input, extra] = positionals;
  if (input === undefined) throw usageProblem('INPUT is missing: give the JSONL or CSV file onboard would read');
  if (extra !== undefined) throw usageProblem(`unexpected argument '${extra}' (only one INPUT file)`);
  const rate = values.rate === undefined ? undefined : Number(values.rate);
  if (rate !== undefined && !(Number.isFinite(rate) && rate > 0)) throw usageProblem(`--rate must be a positive number, not '${values.rate ?? ''}'`);
  const connection = connectionFromFlags(values, process.env);
  const io = createOutput([connection.apiKey]);
  const inputProblem = await checkInputFile(input);
  if (inputProblem) {
    io.err(`mx-lifecycle check: ${inputProblem.message}\n`);
    return EXIT_USAGE;
  }
  const { clientOf } = await import('../job/clientOf.js');
  const client = clientOf({ ...connection, ...defined({ rate }) });
  try {
    return await checkInput(input, client, io, rate, connection.baseUrl);
  } finally {
    await client.close();
  }
}

async function checkInput(input: string, client: ReturnType<Awaited<typeof import('../job/clientOf.js')>['clientOf']>, io: Output, rate: number | undefined, baseUrl: string): Promise<number> {
  // The harmless read: a user no one has. MX's "not found" proves the key, the URL and the version;
  // a refused key, a bare 404 (a wrong URL) or a 406 (a wrong version) is job-scope, as onboard halts on.
  const probe = await client.readUser(PROBE_USER);
  if (probe.isErr() && probe.error.scope === 'job') {
    io.err(`mx-lifecycle check: ${haltMessage(probe.error, baseUrl)}\n`);
    return EXIT_HALTED;
  }
  const tally: Tally = { customers: 0, connections: 0, bad: 0 };
  const bad = (line: number, field: string, reason: string) => {
    tally.bad += 1;
    if (tally.bad <= BAD_ROWS_SHOWN) io.err(`mx-lifecycle check: ${input} line ${line}: ${field} ${reason}\n`);
  };
  const institutions = new Map<string, CredentialFieldRef[] | ApiError>();
  const fieldsOf = async (code: string): Promise<CredentialFieldRef[] | ApiError> => {
    let known = institutions.get(code);
    if (known === undefined) {
      const read = await client.listInstitutionCredentials(code);
      known = read.isOk() ? read.value.map((f) => ({ guid: f.guid, fieldName: f.field_name })) : read.error;
      institutions.set(code, known);
    }
    return known;
  };
  for await (const record of readInput(input)) {
    if ('problem' in record) {
      bad(record.problem.line, record.problem.field, record.problem.reason);
      continue;
    }
    if ('warning' in record) {
      io.err(inputWarningLine('check', input, record.warning));
      continue;
    }
    const customer: CustomerInput = record.customer;
    let rowBad = false;
    for (const [index, member] of customer.members.entries()) {
      // A widget's end user may pick the bank; the end user's connections need no credentials.
      if (member.institution_code === undefined) continue;
      const fields = await fieldsOf(member.institution_code);
      if (!Array.isArray(fields)) {
        if (fields.scope === 'job') {
          io.err(`mx-lifecycle check: ${haltMessage(fields, baseUrl)}\n`);
          return EXIT_HALTED;
        }
        bad(record.line, `members[${index}].institution_code`, `"${member.institution_code}" is not an institution MX knows (${fields.status} ${fields.kind})`);
        rowBad = true;
        continue;
      }
      const problem = member.connect === 'oauth' || member.connect === 'widget' ? null : credentialProblem(member.credentials, fields, member.institution_code);
      if (problem) {
        bad(record.line, `members[${index}].credentials`, problem);
        rowBad = true;
      }
    }
    if (rowBad) continue;
    tally.customers += 1;
    tally.connections += customer.members.length;
  }
  if (tally.bad > BAD_ROWS_SHOWN) io.err(`mx-lifecycle check: … and ${tally.bad - BAD_ROWS_SHOWN} more bad rows\n`);
  const fieldReads = [...institutions.values()].filter((fields) => Array.isArray(fields)).length;
  const requests = tally.customers + PER_CONNECTION * tally.connections + fieldReads;
  const time = rate === undefined ? 'pass --rate R for the time it takes' : `about ${duration(requests / rate)} at ${rate} requests/s`;
  io.out(
    `mx-lifecycle check: ${input}: ${counted(tally.customers, 'customer')}, ${counted(tally.connections, 'connection')}` +
      `${tally.bad > 0 ? `, ${tally.bad} bad row${tally.bad === 1 ? '' : 's'} (a run skips them)` : ''}; ` +
      `at least ${requests} requests (1 per customer, ${PER_CONNECTION} per connection, 1 per institution for its credential fields, ` +
        `more while members aggregate or answer MFA); ${time}\n`,
  );
  return tally.bad > 0 ? EXIT_ATTENTION : EXIT_OK;
}

export const command: Command = {
  summary: 'dry run: check the rows, the key and the institutions of an input, and estimate the run',
  usage: USAGE,
  run: guarded('check', run),
};
