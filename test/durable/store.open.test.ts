/**
 * `--store` takes one string; openStore turns it into a backend, and its errors never repeat a
 * password that the string may carry.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isStoreError, openStore } from '../../src/durable/store/index.js';

const root = mkdtempSync(join(tmpdir(), 'mx-store-open-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const refusal = (url: string): Error => {
  try {
    openStore(url);
  } catch (error) {
    expect(isStoreError(error)).toBe(true);
    return error as Error;
  }
  throw new Error(`openStore accepted ${url}`);
};

describe('openStore', () => {
  it.each([
    ['sqlite:PATH', (dir: string) => `sqlite:${join(dir, 'a', 'jobs.store')}`, 'a/jobs.store'],
    ['sqlite:///absolute', (dir: string) => `sqlite://${join(dir, 'b.sqlite')}`, 'b.sqlite'],
    ['sqlite:relative', (dir: string) => `sqlite:${relative(process.cwd(), join(dir, 'rel', 'c.db'))}`, 'rel/c.db'],
    ['a plain .sqlite path', (dir: string) => join(dir, 'd.sqlite'), 'd.sqlite'],
    ['a plain .sqlite3 path', (dir: string) => join(dir, 'e.sqlite3'), 'e.sqlite3'],
    ['a plain .db path', (dir: string) => join(dir, 'f', 'g.DB'), 'f/g.DB'],
  ])('opens SQLite for %s, creating the file where it says', async (_label, urlIn, file) => {
    const store = openStore(urlIn(root));
    expect(store.kind).toBe('sqlite');
    await store.ensureJob('job', 'onboard');
    expect(existsSync(join(root, file))).toBe(true);
    await store.close();
  });

  it('opens a memory store for memory:', async () => {
    const store = openStore('memory:');
    expect(store.kind).toBe('memory');
    await store.ensureJob('job', 'onboard');
    expect(await store.addItems('job', [{ id: 'a', input: 1 }])).toBe(1);
    await store.close();
  });

  it('recognises postgres:// and postgresql:// without connecting', async () => {
    for (const url of ['postgres://u@127.0.0.1:1/db', 'postgresql://u@127.0.0.1:1/db?schema=mine']) {
      const store = openStore(url);
      expect(store.kind).toBe('postgres');
      await store.close();
    }
  });

  it('refuses anything else with the accepted forms, never echoing a password', () => {
    const mysql = refusal('mysql://root:hunter2@db.internal/jobs');
    expect(mysql).toMatchObject({ code: 'MX_STORE_BAD_URL' });
    expect(mysql.message).toContain('"mysql:…"');
    expect(mysql.message).toContain('sqlite:PATH');
    expect(mysql.message).toContain('postgres://');
    expect(mysql.message).not.toContain('hunter2');

    expect(refusal('./jobs').message).toContain('"./jobs"');
    expect(refusal('sqlite:').message).toContain('needs a file path');
    const broken = refusal('postgres://user:hunter2@[bad-host/db');
    expect(broken.message).not.toContain('hunter2');
    expect(() => openStore('postgres://u@h/db?schema=bad-name')).toThrow(/plain PostgreSQL identifier/);
  });
});
