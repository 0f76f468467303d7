/**
 * One bad row never stops a job: rows nested too deep, rows too long, rows that are not UTF-8, and
 * member ids that another customer already uses are each a bad row naming the line and the field,
 * and the rows around them are read as usual.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkInputFile, readInput, type InputRecord } from '../../src/input/index.js';
import { MAX_ROW_BYTES, MAX_ROW_DEPTH } from '../../src/input/limits.js';

const dir = mkdtempSync(join(tmpdir(), 'mx-limits-'));
const file = (name: string, content: string | Buffer) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};
const collect = async (path: string) => {
  const out: InputRecord[] = [];
  for await (const record of readInput(path)) out.push(record);
  return out;
};
const ids = (records: InputRecord[]) => records.flatMap((r) => ('customer' in r ? [r.customer.id] : []));
const problems = (records: InputRecord[]) => records.flatMap((r) => ('problem' in r ? [r.problem] : []));
const customer = (id: string, extra: Record<string, unknown> = {}) => JSON.stringify({ id, members: [], ...extra });

describe('row limits', () => {
  it('reports a row nested 10,000 deep as a bad row on its line and reads its neighbours', async () => {
    const deep = `{"id":"deep","metadata":${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)},"members":[]}`;
    const records = await collect(file('deep.jsonl', [customer('before'), deep, customer('after')].join('\n')));
    expect(ids(records)).toEqual(['before', 'after']);
    expect(problems(records)).toEqual([
      { line: 2, field: '(line)', reason: `nests objects and arrays deeper than ${MAX_ROW_DEPTH} levels (the row limit)` },
    ]);
  });

  it('accepts metadata nested just under the depth limit', async () => {
    const depth = MAX_ROW_DEPTH - 1; // the customer object itself is one level
    const metadata = `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
    const records = await collect(file('edge.jsonl', `{"id":"edge","metadata":${metadata},"members":[]}\n`));
    expect(ids(records)).toEqual(['edge']);
  });

  it('skips a row longer than the byte limit without holding it, and reads on', async () => {
    const long = customer('long', { metadata: { note: 'x'.repeat(MAX_ROW_BYTES) } });
    const records = await collect(file('long.jsonl', [customer('a'), long, customer('b')].join('\n')));
    expect(ids(records)).toEqual(['a', 'b']);
    expect(problems(records)).toEqual([{ line: 2, field: '(line)', reason: `is longer than ${MAX_ROW_BYTES} bytes (the row limit)` }]);
  });
});

describe('invalid UTF-8', () => {
  const bad = Buffer.from([0x70, 0x61, 0x73, 0x73, 0xc3, 0x28, 0x77, 0x6f, 0x72, 0x64]); // pass\xc3\x28word
  const row = (before: string, after: string) => Buffer.concat([Buffer.from(before), bad, Buffer.from(after)]);

  it('is a bad row naming the field, in a credential, an e-mail or metadata (JSONL)', async () => {
    const rows = [
      Buffer.from(customer('ok-1')),
      row('{"id":"c1","members":[{"id":"c1-m","institution_code":"mxbank","credentials":{"username":"mxuser","password":"', '"}}]}'),
      row('{"id":"c2","email":"', '@example.com","members":[]}'),
      row('{"id":"c3","metadata":{"segment":"', '"},"members":[]}'),
      Buffer.from(customer('ok-2')),
    ];
    const path = file('utf8.jsonl', Buffer.concat(rows.flatMap((r) => [r, Buffer.from('\n')])));
    const records = await collect(path);
    expect(ids(records)).toEqual(['ok-1', 'ok-2']);
    expect(problems(records).map((p) => [p.line, p.field, p.reason])).toEqual([
      [2, 'members[0].credentials.password', 'is not valid UTF-8 (re-save the file as UTF-8)'],
      [3, 'email', 'is not valid UTF-8 (re-save the file as UTF-8)'],
      [4, 'metadata.segment', 'is not valid UTF-8 (re-save the file as UTF-8)'],
    ]);
  });

  it('is a bad row naming the column (CSV)', async () => {
    const path = file('utf8.csv', Buffer.concat([
      Buffer.from('user_id,email,member_id,institution_code,username,password\r\n'),
      Buffer.from('u1,,u1-m,mxbank,mxuser,password\r\n'),
      row('u2,,u2-m,mxbank,mxuser,', '\r\n'),
      Buffer.from('u3,,u3-m,mxbank,mxuser,password\r\n'),
    ]));
    const records = await collect(path);
    expect(ids(records)).toEqual(['u1', 'u3']);
    expect(problems(records)).toEqual([{ line: 3, field: 'password', reason: 'is not valid UTF-8 (re-save the file as UTF-8)' }]);
  });

  it('keeps valid multi-byte text as it is', async () => {
    const records = await collect(file('accents.jsonl', customer('ok', { metadata: { name: 'Zoë Ørsted 😀' } })));
    expect(records[0] && 'customer' in records[0] && records[0].customer.metadata).toEqual({ name: 'Zoë Ørsted 😀' });
  });
});

describe('member ids across customers', () => {
  // MX: a member's `id` "must be unique for all members belonging to all users within the client"
  // (docs.mx.com/api-reference/more-apis/mdx/mdx-on-demand/reference/members/member-fields, and the
  // Batch API's Member file contents). A second customer reusing one is a bad row, not a second member.
  const member = (id: string, password: string) => ({ id, institution_code: 'mxbank', credentials: { username: 'mxuser', password } });

  it('reports the second customer that reuses a member id, naming the first (JSONL)', async () => {
    const path = file('shared.jsonl', [
      customer('x-alice', { members: [member('shared-m1', 'password')] }),
      customer('x-bob', { members: [member('own-m', 'password'), member('shared-m1', 'denied')] }),
      customer('x-carol', { members: [member('carol-m', 'password')] }),
    ].join('\n'));
    const records = await collect(path);
    expect(ids(records)).toEqual(['x-alice', 'x-carol']);
    expect(problems(records)).toEqual([{
      line: 2,
      field: 'members[1].id',
      reason: '"shared-m1" is already a member id of customer "x-alice" (line 1); MX member ids are unique across all users of a client',
    }]);
  });

  it('reports the row that reuses a member id of another customer (CSV)', async () => {
    const path = file('shared.csv', [
      'user_id,email,member_id,institution_code,username,password',
      'x-alice,,shared-m1,mxbank,mxuser,password',
      'x-bob,,shared-m1,mxbank,mxuser,denied',
      'x-bob,,bob-m,mxbank,mxuser,password',
    ].join('\n'));
    const records = await collect(path);
    expect(records.flatMap((r) => ('customer' in r ? [[r.customer.id, r.customer.members.map((m) => m.id)]] : []))).toEqual([
      ['x-alice', ['shared-m1']],
      ['x-bob', ['bob-m']],
    ]);
    expect(problems(records)).toEqual([expect.objectContaining({ line: 3, field: 'member_id' })]);
  });
});

describe('a file of only blank lines', () => {
  it('is as empty as an empty file', async () => {
    expect(await checkInputFile(file('blank.jsonl', '\n\n  \r\n\t\n'))).toMatchObject({ message: expect.stringContaining('is empty') });
    expect(await checkInputFile(file('blank-big.jsonl', `${' '.repeat(100_000)}\n`))).toMatchObject({ message: expect.stringContaining('is empty') });
    expect(await checkInputFile(file('late.jsonl', `${'\n'.repeat(100_000)}${customer('late')}\n`))).toBeNull();
  });
});
