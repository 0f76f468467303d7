/**
 * The `connect` field of a connection (JSONL) and the `connect` column (CSV): credentials, oauth or
 * widget; a widget may leave out institution_code (the end user picks the bank in MX's Connect
 * widget); the end user's connections take no credentials.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readInput, type InputRecord } from '../../src/input/index.js';

async function read(name: string, text: string): Promise<InputRecord[]> {
  const path = join(mkdtempSync(join(tmpdir(), 'mx-connect-')), name);
  writeFileSync(path, text);
  const out: InputRecord[] = [];
  for await (const record of readInput(path)) out.push(record);
  return out;
}

describe('connect', () => {
  it('JSONL: reads each mode, lets a widget omit its bank, and refuses the rest with field and reason', async () => {
    const lines = [
      { id: 'c1', members: [{ id: 'm1', institution_code: 'oauthbank', connect: 'oauth' }] },
      { id: 'c2', members: [{ id: 'm2', connect: 'widget' }] },
      { id: 'c3', members: [{ id: 'm3', connect: 'oauth' }] },
      { id: 'c4', members: [{ id: 'm4', institution_code: 'mxbank', connect: 'carrier-pigeon' }] },
      { id: 'c5', members: [{ id: 'm5', institution_code: 'mxbank', connect: 'widget', credentials: { username: 'u', password: 'p' } }] },
    ];
    const records = await read('in.jsonl', lines.map((l) => JSON.stringify(l)).join('\n'));
    expect(records).toEqual([
      { line: 1, customer: { id: 'c1', members: [{ id: 'm1', institution_code: 'oauthbank', connect: 'oauth' }] } },
      { line: 2, customer: { id: 'c2', members: [{ id: 'm2', connect: 'widget' }] } },
      { line: 3, problem: { line: 3, field: 'members[0].institution_code', reason: 'is required (an institution code such as "mxbank")' } },
      { line: 4, problem: { line: 4, field: 'members[0].connect', reason: 'must be one of "credentials", "oauth", "widget"' } },
      { line: 5, problem: { line: 5, field: 'members[0].credentials', reason: 'are not used by "connect": "widget" (the end user connects): leave them out' } },
    ]);
  });

  it('CSV: a connect column, empty for the default; it is not read as a credential', async () => {
    const records = await read('in.csv', [
      'user_id,member_id,institution_code,connect,username,password',
      'c1,m1,mxbank,,mxuser,secret',
      'c2,m2,oauthbank,oauth,,',
      'c3,m3,,widget,,',
    ].join('\n'));
    expect(records.map((r) => ('customer' in r ? r.customer.members : r))).toEqual([
      [{ id: 'm1', institution_code: 'mxbank', credentials: { username: 'mxuser', password: 'secret' } }],
      [{ id: 'm2', institution_code: 'oauthbank', connect: 'oauth' }],
      [{ id: 'm3', connect: 'widget' }],
    ]);
  });
});
