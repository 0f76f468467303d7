/**
 * CSV read by csv-parse: quoted cells keep their bytes, may span lines (RFC 4180, 2.6), metadata
 * columns become the customer's metadata, and the row limits of src/input/limits.ts still make one
 * bad row of a broken record, never the end of the file.
 */
import { describe, expect, it } from 'vitest';
import type { InputRecord } from '../../src/input/index.js';
import { MAX_ROW_BYTES } from '../../src/input/limits.js';
import { collect, inputFiles } from './inputFiles.js';

const file = inputFiles('mx-csv-');
const customers = (records: InputRecord[]) => records.flatMap((r) => ('customer' in r ? [r.customer] : []));
const problems = (records: InputRecord[]) => records.flatMap((r) => ('problem' in r ? [[r.problem.line, r.problem.field, r.problem.reason]] : []));
const warnings = (records: InputRecord[]) => records.flatMap((r) => ('warning' in r ? [r.warning] : []));
const HEADER = 'user_id,email,member_id,institution_code,username,password';

describe('CSV cells', () => {
  it('keeps a quoted cell byte for byte: spaces, commas, quotes and line breaks', async () => {
    const path = file('quoted.csv', [
      HEADER,
      'q1,,q1-a,mxbank,mxuser,"denied "',
      'q1,,q1-b,mxbank,mxuser," pass,""word"""',
      'q2,,q2-a,mxbank,mxuser,"two\r\nlines\nhere"',
      'q3,,q3-a,mxbank,mxuser,password',
      'q4,,MBR-bad,mxbank,mxuser,password',
    ].join('\r\n'));
    const records = await collect(path);
    expect(customers(records).map((c) => [c.id, c.members.map((m) => m.credentials?.password)])).toEqual([
      ['q1', ['denied ', ' pass,"word"']],
      ['q2', ['two\r\nlines\nhere']],
      ['q3', ['password']],
    ]);
    // The multi-line record starts on line 4 and ends on line 6, so the bad row after it is line 8.
    expect(records.find((r) => 'customer' in r && r.customer.id === 'q2')?.line).toBe(4);
    expect(problems(records)).toEqual([[8, 'members[0].id', 'must not start with "MBR-" (reserved by MX)']]);
  });

  it('keeps an unquoted cell as written too, and trims only the header names', async () => {
    const records = await collect(file('spaces.csv', ` user_id , member_id,institution_code , password\nsp1,sp1-a,mxbank,secret \n`));
    expect(customers(records)[0]?.members[0]?.credentials).toEqual({ password: 'secret ' });
  });

  it('reads a header after a UTF-8 byte-order mark', async () => {
    const records = await collect(file('bom.csv', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`${HEADER}\nb1,,b1-a,mxbank,mxuser,password\n`)])));
    expect(customers(records).map((c) => c.id)).toEqual(['b1']);
    expect(warnings(records)).toEqual([]);
  });

  it('makes a bad row of a row whose cells do not match the header, or whose quotes are broken', async () => {
    const records = await collect(file('shape.csv', [
      HEADER,
      'c1,,c1-a,mxbank,mxuser,pass,word',
      'c2,,c2-a,mxbank,mxuser',
      'c3,,c3-a,mxbank,mxuser,pa"ss',
      'c4,,c4-a,mxbank,mxuser,"pass"word',
      'c5,,c5-a,mxbank,mxuser,password',
    ].join('\n')));
    expect(customers(records).map((c) => c.id)).toEqual(['c5']);
    expect(problems(records)).toEqual([
      [2, '(line)', 'has 7 cells where the header names 6 columns (quote a cell that holds a comma)'],
      [3, '(line)', 'has 5 cells where the header names 6 columns (quote a cell that holds a comma)'],
      [4, '(line)', 'has a quote inside an unquoted cell (quote the whole cell and double the quote: "a""b")'],
      [5, '(line)', 'has text after the closing quote of a cell'],
    ]);
  });

  it('says which lines a quoted cell that is never closed swallowed', async () => {
    const records = await collect(file('open.csv', [HEADER, 'o1,,o1-a,mxbank,mxuser,password', 'o2,,o2-a,mxbank,mxuser,"open', 'o3,,o3-a,mxbank,mxuser,password', ''].join('\n')));
    expect(customers(records).map((c) => c.id)).toEqual(['o1']);
    expect(problems(records)).toEqual([[3, '(line)', 'has a quoted cell that is never closed (lines 3-5 were read as that cell)']]);
  });
});

describe('CSV limits', () => {
  it('skips a multi-line quoted cell past the row limit as one bad row and reads on', async () => {
    const big = `"${'x\n'.repeat(MAX_ROW_BYTES / 2 + 10)}"`;
    const records = await collect(file('big.csv', [HEADER, 'l1,,l1-a,mxbank,mxuser,password', `l2,,l2-a,mxbank,mxuser,${big}`, 'l3,,l3-a,mxbank,mxuser,password'].join('\n')));
    expect(customers(records).map((c) => c.id)).toEqual(['l1', 'l3']);
    expect(problems(records)).toEqual([[3, '(line)', `is longer than ${MAX_ROW_BYTES} bytes (the row limit)`]]);
    expect(records.find((r) => 'customer' in r && r.customer.id === 'l3')?.line).toBe(MAX_ROW_BYTES / 2 + 14);
  });

  it('names the column of a cell that is not UTF-8, also inside a multi-line cell', async () => {
    const records = await collect(file('utf8.csv', Buffer.concat([
      Buffer.from(`${HEADER},metadata.segment\nu1,,u1-a,mxbank,mxuser,"pass\n`),
      Buffer.from([0xc3, 0x28]),
      Buffer.from('word",retail\nu2,,u2-a,mxbank,mxuser,password,'),
      Buffer.from([0xff]),
      Buffer.from('\nu3,,u3-a,mxbank,mxuser,password,retail\n'),
    ])));
    expect(customers(records).map((c) => c.id)).toEqual(['u3']);
    expect(problems(records)).toEqual([
      [2, 'password', 'is not valid UTF-8 (re-save the file as UTF-8)'],
      [4, 'metadata.segment', 'is not valid UTF-8 (re-save the file as UTF-8)'],
    ]);
  });
});

describe('CSV columns', () => {
  it('makes metadata.KEY columns the customer\'s metadata and credentials.NAME columns credentials', async () => {
    const records = await collect(file('meta.csv', [
      'user_id,email,member_id,institution_code,username,password,credentials.pin,metadata.segment,metadata.Region',
      'm1,m1@example.com,m1-a,mxbank,mxuser,password,1234,retail,"North, East"',
      'm1,m1@example.com,m1-b,mxbank,mxuser,password,,,',
      'm1,m1@example.com,m1-c,mxbank,mxuser,password,,retail,',
      'm1,m1@example.com,m1-d,mxbank,mxuser,password,,business,',
      'm2,,,,,,,,',
    ].join('\n')));
    expect(customers(records)).toEqual([
      {
        id: 'm1',
        email: 'm1@example.com',
        metadata: { segment: 'retail', Region: 'North, East' },
        members: [
          { id: 'm1-a', institution_code: 'mxbank', credentials: { username: 'mxuser', password: 'password', pin: '1234' } },
          { id: 'm1-b', institution_code: 'mxbank', credentials: { username: 'mxuser', password: 'password' } },
          { id: 'm1-c', institution_code: 'mxbank', credentials: { username: 'mxuser', password: 'password' } },
        ],
      },
      { id: 'm2', members: [] },
    ]);
    expect(problems(records)).toEqual([
      [5, 'metadata.segment', 'differs from line 2, where customer "m1" begins (a customer has one metadata: repeat it or leave the cell empty)'],
    ]);
    expect(warnings(records)).toEqual([]);
  });

  it('warns once about a column nothing reads and ignores its cells, without costing a row', async () => {
    const records = await collect(file('unknown.csv', [`${HEADER},segment,meta.tier`, 'w1,,w1-a,mxbank,mxuser,password,retail,gold'].join('\n')));
    expect(customers(records)).toEqual([{ id: 'w1', members: [{ id: 'w1-a', institution_code: 'mxbank', credentials: { username: 'mxuser', password: 'password' } }] }]);
    expect(problems(records)).toEqual([]);
    expect(warnings(records).map((w) => [w.line, w.field])).toEqual([[1, 'column "segment"'], [1, 'column "meta.tier"']]);
  });

  it('refuses a header that names a column twice', async () => {
    const records = await collect(file('twice.csv', `${HEADER},Password\nt1,,t1-a,mxbank,mxuser,a,b\n`));
    expect(records).toEqual([{ line: 1, problem: { line: 1, field: '(header)', reason: 'names the column password twice' } }]);
  });
});
