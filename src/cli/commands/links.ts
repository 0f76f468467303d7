/**
 * `mx-lifecycle links --job NAME`: the stable link of every connection that waits for its end
 * user, for the fintech's mailer. Each link is the fintech's own (signed with MX_LINK_SECRET, good
 * for `--ttl`), served by the job's `--links-port`; MX's URLs are minted only when a link is
 * clicked, so this file holds none of them. Writing a connection's link counts it as invited.
 */
import { createWriteStream, fchmodSync, openSync } from 'node:fs';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { stringify } from 'csv-stringify/sync';
import { listEndUserConnections } from '../../durable/index.js';
import { createLinkKeys, createLinkWriter, DEFAULT_LINK_TTL_MS, LINK_SECRET_ENV, publicUrlProblem } from '../../links/index.js';
import { flagHelp } from '../flags/flagTable.js';
import type { Command } from './command.js';
import { durationFlag } from '../flags/duration.js';
import { usageProblem } from '../flags/jobFlags.js';
import { openJob } from '../job/jobStore.js';
import { EXIT_OK, EXIT_USAGE, guarded } from '../ui/output.js';

const COLUMNS = ['customer', 'connection', 'state', 'link'] as const;

const USAGE = `usage: mx-lifecycle links --job NAME --public-url URL [--store URL] [--format csv|jsonl] [--output FILE] [--ttl DURATION]

Writes the stable link of every connection of the job that waits for its end user (an OAuth
authorisation, a Connect widget, or a re-link): customer, connection, state, link. A link is
signed with ${LINK_SECRET_ENV} (at least 32 bytes) and served by the job's --links-port; each
click mints a fresh MX URL for that one connection. The file holds no MX URL.

${flagHelp('links')}

exit codes: 0 written; 1 no such job; 64 bad usage or no usable ${LINK_SECRET_ENV}`;

/** A file only its owner can read, also when it existed before with wider permissions. */
function ownerOnly(path: string): Writable {
  const fd = openSync(path, 'w', 0o600);
  fchmodSync(fd, 0o600);
  return createWriteStream('', { fd });
}

async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv, strict: true, allowPositionals: true,
    options: {
      job: { type: 'string' }, store: { type: 'string' }, format: { type: 'string' }, output: { type: 'string' },
      'public-url': { type: 'string' }, ttl: { type: 'string' },
    },
  });
  if (positionals.length > 0) throw usageProblem(`unexpected argument '${positionals[0] ?? ''}' (name the job with --job)`);
  const format = values.format ?? 'csv';
  if (format !== 'csv' && format !== 'jsonl') throw usageProblem(`--format must be csv or jsonl, not '${format}'`);
  const publicUrl = values['public-url'];
  if (publicUrl === undefined) throw usageProblem('--public-url URL is needed: where your reverse proxy serves the job\'s --links-port');
  const urlProblem = publicUrlProblem(publicUrl);
  if (urlProblem !== null) throw usageProblem(`--public-url ${urlProblem}`);
  const ttlMs = durationFlag('ttl', values.ttl) ?? DEFAULT_LINK_TTL_MS;
  const keys = createLinkKeys(process.env[LINK_SECRET_ENV]);
  if ('code' in keys) {
    process.stderr.write(`mx-lifecycle links: ${keys.message}\n`);
    return EXIT_USAGE;
  }
  const opened = await openJob('links', values.job, values.store);
  if (typeof opened === 'number') return opened;
  const { store, job } = opened;
  const linkFor = createLinkWriter(keys, publicUrl, ttlMs);
  const out: Writable = values.output === undefined ? process.stdout : ownerOnly(values.output);
  const write = async (text: string) => {
    if (!out.write(text)) await once(out, 'drain');
  };
  let written = 0;
  try {
    if (format === 'csv') await write(stringify([[...COLUMNS]]));
    for await (const connection of listEndUserConnections(store, job.id)) {
      if (!connection.waiting) continue;
      const ref = { jobId: job.id, customerId: connection.customerId, connectionId: connection.connectionId };
      const row = { customer: ref.customerId, connection: ref.connectionId, state: connection.state, link: linkFor(ref) };
      await write(format === 'csv' ? stringify([COLUMNS.map((c) => row[c])]) : `${JSON.stringify(row)}\n`);
      await store.recordEndUserEvent(job.id, ref.customerId, ref.connectionId, 'invited');
      written += 1;
    }
  } finally {
    if (out !== process.stdout) {
      out.end();
      await once(out, 'finish');
    }
    await store.close();
  }
  process.stderr.write(`mx-lifecycle links: job ${job.id}: ${written} link${written === 1 ? '' : 's'} written${values.output === undefined ? '' : ` to ${values.output}`}\n`);
  return EXIT_OK;
}

export const command: Command = {
  summary: 'write the stable link of every connection waiting for its end user, for your mailer',
  usage: USAGE,
  run: guarded('links', run),
};
