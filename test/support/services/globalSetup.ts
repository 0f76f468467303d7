/**
 * vitest global setup: before any test file runs, make sure a PostgreSQL and a Redis answer (see
 * choose.ts), and hand their URLs to the tests, both through `provide` (read them with `inject`, or
 * with the constants of ./urls.ts) and as MX_LIFECYCLE_TEST_PG/REDIS in the environment the test
 * workers and the processes they start inherit.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { TestProject } from 'vitest/node';
import type { Choice, Started } from './choose.js';

declare module 'vitest' {
  export interface ProvidedContext {
    pgUrl: string;
    redisUrl: string;
    /** The processes and folders this run started (test/services.test.ts checks they are gone after). */
    startedServices: Started[];
  }
}

const SUPERVISOR = fileURLToPath(new URL('./supervisor.ts', import.meta.url));
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
/** initdb and a cold start on a loaded 2-core machine take seconds; this is a liveness bound only. */
const READY_MS = 180_000;

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // Its own process group: a Ctrl-C in the terminal reaches the runner, and the supervisor learns of
  // it from its stdin closing, then stops the servers in order instead of being cut off mid-way.
  const supervisor = spawn(process.execPath, ['--import', TSX, SUPERVISOR], {
    detached: true, stdio: ['pipe', 'pipe', 'inherit'], env: process.env,
  });
  const exited = new Promise<number | null>((resolve) => supervisor.once('close', (code) => resolve(code)));
  const choice = await new Promise<Choice>((resolve) => {
    let out = '';
    const timer = setTimeout(() => resolve({ error: `npm test: the test services were not ready within ${READY_MS / 1000} s` }), READY_MS);
    supervisor.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split('\n')[0];
      if (out.includes('\n') && line !== undefined) {
        clearTimeout(timer);
        resolve(JSON.parse(line) as Choice);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      resolve({ error: `npm test: the test services' supervisor exited (${code}) before it said where they are` });
    });
  });
  const teardown = async (): Promise<void> => {
    supervisor.stdin.end();
    await exited;
  };
  if ('error' in choice) {
    await teardown();
    // One line and a non-zero exit, before any test: a thrown error would print a stack trace.
    process.stderr.write(`${choice.error}\n`);
    process.exit(1);
  }
  for (const note of choice.notes) process.stderr.write(`${note}\n`);
  project.provide('pgUrl', choice.pg);
  project.provide('redisUrl', choice.redis);
  project.provide('startedServices', choice.started);
  process.env.MX_LIFECYCLE_TEST_PG = choice.pg;
  process.env.MX_LIFECYCLE_TEST_REDIS = choice.redis;
  return teardown;
}
