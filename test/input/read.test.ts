import { mkdtempSync, mkdirSync, writeFileSync, createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkInputFile, readInput, type InputRecord } from '../../src/input/index.js';

const dir = mkdtempSync(join(tmpdir(), 'mx-input-'));
const file = (name: string, text: string | Buffer) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const collect = async (path: string) => {
  const out: InputRecord[] = [];
  for await (const record of readInput(path)) out.push(record);
  return out;
};

describe('JSONL input', () => {
  it('reads customers and reports each bad line with its number, field and reason', async () => {
    const path = file('mixed.jsonl', [
      JSON.stringify({ id: 'cust-1', email: 'a@example.com', members: [{ id: 'm-1', institution_code: 'mxbank', credentials: { username: 'mxuser', password: 'password' } }] }),
      '',
      '{not json',
      JSON.stringify({ id: 'USR-abc', members: [] }),
      JSON.stringify({ id: 'cust 2', members: [] }),
      JSON.stringify({ id: 'cust-3', email: 'nope', members: [] }),
      JSON.stringify({ id: 'cust-4', members: [{ id: 'MBR-1', institution_code: 'mxbank' }] }),
      JSON.stringify({ id: 'cust-5', members: [{ id: 'm-5' }] }),
      JSON.stringify({ id: 'cust-1', members: [] }),
      JSON.stringify({ id: 'cust-6', members: [{ id: 'x', institution_code: 'mxbank' }, { id: 'x', institution_code: 'mxbank' }] }),
      JSON.stringify({ id: 'cust-7', members: [] }),
    ].join('\n'));
    const records = await collect(path);
    expect(records.filter((r) => 'customer' in r).map((r) => ('customer' in r ? r.customer.id : ''))).toEqual(['cust-1', 'cust-7']);
    const problems = records.flatMap((r) => ('problem' in r ? [r.problem] : []));
    expect(problems).toEqual([
      { line: 3, field: '(line)', reason: 'is not valid JSON' },
      { line: 4, field: 'id', reason: 'must not start with "USR-" (reserved by MX)' },
      { line: 5, field: 'id', reason: 'may hold only letters, digits, "_" and "-" (at most 128)' },
      { line: 6, field: 'email', reason: 'is not an e-mail address' },
      { line: 7, field: 'members[0].id', reason: 'must not start with "MBR-" (reserved by MX)' },
      { line: 8, field: 'members[0].institution_code', reason: 'is required (an institution code such as "mxbank")' },
      { line: 9, field: 'id', reason: 'customer "cust-1" appears on an earlier line' },
      { line: 10, field: 'members[1].id', reason: '"x" appears twice for this customer' },
    ]);
    const first = records[0];
    expect(first && 'customer' in first && first.customer.members[0]?.credentials).toEqual({ username: 'mxuser', password: 'password' });
  });
});

describe('CSV input', () => {
  it('groups adjacent rows of a customer, one connection a row, and skips only the bad row', async () => {
    const path = file('rows.csv', [
      'user_id,email,member_id,institution_code,username,password',
      'u1,u1@example.com,u1-a,mxbank,mxuser,password',
      'u1,u1@example.com,u1-b,mxbank,mxuser,"pass,word"',
      'u1,u1@example.com,MBR-bad,mxbank,mxuser,password',
      'u2,,u2-a,mxbank,mxuser,challenge',
      'u3,,,,,',
      'u1,,u1-c,mxbank,mxuser,password',
      'u4,,u4-a,"unterminated,x,y',
    ].join('\r\n'));
    const records = await collect(path);
    const customers = records.flatMap((r) => ('customer' in r ? [r.customer] : []));
    expect(customers.map((c) => [c.id, c.members.map((m) => m.id)])).toEqual([
      ['u1', ['u1-a', 'u1-b']],
      ['u2', ['u2-a']],
      ['u3', []],
    ]);
    expect(customers[0]?.members[1]?.credentials).toEqual({ username: 'mxuser', password: 'pass,word' });
    const problems = records.flatMap((r) => ('problem' in r ? [[r.problem.line, r.problem.field]] : []));
    expect(problems).toEqual([
      [4, 'members[0].id'],
      [7, 'user_id'],
      [8, '(line)'],
    ]);
  });

  it('refuses a CSV without a header row naming user_id', async () => {
    const records = await collect(file('noheader.csv', 'u1,a@example.com,m1,mxbank,mxuser,password\n'));
    expect(records).toEqual([{ line: 1, problem: expect.objectContaining({ field: '(header)' }) }]);
  });
});

describe('input files', () => {
  it('says clearly what is wrong with a missing, empty, binary file or a directory', async () => {
    expect(await checkInputFile(join(dir, 'missing.jsonl'))).toMatchObject({ message: expect.stringContaining('does not exist') });
    expect(await checkInputFile(file('empty.jsonl', ''))).toMatchObject({ message: expect.stringContaining('is empty') });
    expect(await checkInputFile(file('binary.jsonl', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 1])))).toMatchObject({
      message: expect.stringContaining('binary'),
    });
    const sub = join(dir, 'sub');
    mkdirSync(sub);
    expect(await checkInputFile(sub)).toMatchObject({ message: expect.stringContaining('directory') });
    expect(await checkInputFile(file('ok.jsonl', '{"id":"a","members":[]}\n'))).toBeNull();
  });

  it('streams a 50 MB file without holding it in memory', async () => {
    const path = join(dir, 'big.jsonl');
    const out = createWriteStream(path);
    const line = (i: number) =>
      `${JSON.stringify({ id: `cust-${i}`, email: `c${i}@example.com`, metadata: { note: 'x'.repeat(120) }, members: [{ id: `cust-${i}-m`, institution_code: 'mxbank', credentials: { username: 'mxuser', password: 'password' } }] })}\n`;
    let written = 0;
    let i = 0;
    while (written < 50 * 1024 * 1024) {
      const text = line(i++);
      written += text.length;
      if (!out.write(text)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
    }
    await new Promise((resolve) => out.end(resolve));
    global.gc?.();
    const before = process.memoryUsage().heapUsed;
    let count = 0;
    let peak = 0;
    for await (const record of readInput(path)) {
      if ('customer' in record) count += 1;
      if (count % 20_000 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed - before);
    }
    expect(count).toBe(i);
    // The ids kept for duplicate detection are the only thing that grows: far below the file's size.
    expect(peak).toBeLessThan(64 * 1024 * 1024);
  });
});
