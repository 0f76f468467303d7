import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const INDEX = fileURLToPath(new URL('../../src/index.ts', import.meta.url));

/** Which CommonJS packages a fresh process has loaded after importing the library, and nothing else. */
function loadedBy(entry: string): Promise<string[]> {
  const probe = `
    import { createRequire } from 'node:module';
    await import(${JSON.stringify(entry)});
    const names = Object.keys(createRequire(import.meta.url).cache)
      .map((path) => /node_modules\\/((?:@[^/]+\\/)?[^/]+)\\//.exec(path)?.[1])
      .filter(Boolean);
    console.log(JSON.stringify([...new Set(names)]));`;
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', probe], { timeout: 30_000 }, (error, stdout) =>
      error ? reject(error) : resolve(JSON.parse(stdout.trim()) as string[]),
    );
  });
}

it('does not load ioredis or pg until a shared limit or a PostgreSQL store is asked for', async () => {
  // Together they took 120 ms of every start (a CLI run, a restart after a crash) that used neither.
  const loaded = await loadedBy(INDEX);
  expect(loaded).toContain('bottleneck');
  expect(loaded).not.toContain('ioredis');
  expect(loaded).not.toContain('pg');
});
