/**
 * The bench's baseline (`test/bench/children/bare.ts`, the plain fetch loop every process-level
 * figure is divided by) must speak to the sandbox as its defaults stand: when the sandbox began
 * to require `Accept-Version`, as MX Platform does, the loop failed every customer and the
 * overhead and utilisation scenarios stopped without a figure. Five customers, once.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { TSX } from '../scale/workers.js';

const run = promisify(execFile);
let sandbox: Sandbox | undefined;
const dir = mkdtempSync(join(tmpdir(), 'mx-bare-'));
afterAll(async () => {
  await sandbox?.close();
  rmSync(dir, { recursive: true, force: true });
});

it("the bench's bare loop onboards against the sandbox's defaults", async () => {
  sandbox = await startSandbox({ aggregationMs: 0 });
  const input = join(dir, 'customers.jsonl');
  const lines = Array.from({ length: 5 }, (_, i) =>
    JSON.stringify({ id: `b${i}`, members: [{ id: `b${i}-m0`, institution_code: 'mxbank', credentials: { username: 'mxuser', password: 'password' } }] }),
  );
  writeFileSync(input, `${lines.join('\n')}\n`);
  const { stdout } = await run(process.execPath, ['--import', TSX, join(import.meta.dirname, '../bench/children/bare.ts'), input, sandbox.url], { timeout: 30_000 });
  const result = JSON.parse(stdout.trim()) as { customers: number; failures: number; requests: number };
  expect(result).toMatchObject({ customers: 5, failures: 0 });
  expect(result.requests).toBeGreaterThanOrEqual(20);
});
