/**
 * @opentelemetry/api is an optional peer dependency: an application that never installed it loads
 * the library and runs jobs as before. A child process whose module resolution refuses the package
 * (a resolve hook, as a missing package answers) onboards two customers.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const HOOK = pathToFileURL(fileURLToPath(new URL('./fixtures/withoutOtelApi.mjs', import.meta.url))).href;
const SCRIPT = fileURLToPath(new URL('./fixtures/untracedRun.ts', import.meta.url));

function runWithout(): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', TSX, '--import', HOOK, SCRIPT], { env: { PATH: process.env.PATH ?? '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    // Liveness only: a loaded machine may be slow, a hung child may not keep the suite.
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the child did not end: ${stderr}`));
    }, 45_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('without @opentelemetry/api', () => {
  it('loads the library and onboards as before', async () => {
    const result = await runWithout();
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout.trim()) as { apiImport: string; counts: Record<string, number>; halted: unknown };
    // The package really is out of reach in that process.
    expect(report.apiImport).toBe('ERR_MODULE_NOT_FOUND');
    expect(report.halted).toBeNull();
    expect(report.counts).toMatchObject({ done: 2, failed: 0, pending: 0, active: 0 });
  });
});
