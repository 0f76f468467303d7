/**
 * The operator's day two, with the real command line against a local sandbox: a job runs with
 * `onboard --mfa-wait`, a second terminal answers its MFA challenge with `answer`, a third cancels
 * a customer stuck in a slow aggregation with `cancel`, and `export` hands the results over as CSV.
 *
 * Run: npx tsx examples/day-two.ts
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startSandbox } from '../src/sandbox/index.js';

const MAIN = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const sandbox = await startSandbox({ aggregationMs: 200, auth: 'basic', slowMs: 120_000 });
const dir = mkdtempSync(join(tmpdir(), 'mx-day-two-'));
const env = { PATH: process.env.PATH ?? '', MX_BASE_URL: sandbox.url, MX_CLIENT_ID: 'sandbox-client', MX_API_KEY: 'sandbox-key' };

/** `mx-lifecycle ...args` as a child process, as a person would type it. */
function mx(...args: string[]): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', TSX, MAIN, ...args], { cwd: dir, env, stdio: ['ignore', 'pipe', 'ignore'] });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.on('close', (code) => resolve({ code, stdout }));
  });
}
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const statusOf = (id: string) => sandbox.state().members.find((m) => m.id === id)?.connection_status;

const login = (password: string) => ({ username: 'mxuser', password });
const customers = [
  { id: 'ana', members: [{ id: 'ana-mxbank', institution_code: 'mxbank', credentials: login('password') }] },
  { id: 'ben', members: [{ id: 'ben-mxbank', institution_code: 'mxbank', credentials: login('challenge') }] },
  { id: 'cho', members: [{ id: 'cho-mxbank', institution_code: 'mxbank', credentials: login('slow') }] },
];
writeFileSync(join(dir, 'march.jsonl'), `${customers.map((c) => JSON.stringify(c)).join('\n')}\n`);

console.log('terminal 1: mx-lifecycle onboard march.jsonl --mfa-wait 5m');
const onboard = mx('onboard', 'march.jsonl', '--mfa-wait', '5m', '--poll-interval-ms', '200', '--json');
while (statusOf('ben-mxbank') !== 'CHALLENGED' || statusOf('cho-mxbank') === undefined) await sleep(100);

console.log('terminal 2: mx-lifecycle answer --job march --answers answers.json');
writeFileSync(join(dir, 'answers.json'), JSON.stringify({ 'ben-mxbank': { city: 'correct' } }));
for (let answered = false; !answered; await sleep(300)) {
  const answer = await mx('answer', '--job', 'march', '--answers', 'answers.json');
  answered = answer.code === 0;
  if (answered) process.stdout.write(`  ${answer.stdout}`);
}
while (statusOf('ben-mxbank') !== 'CONNECTED') await sleep(100);

console.log('terminal 3: mx-lifecycle cancel --job march --customer cho');
process.stdout.write(`  ${(await mx('cancel', '--job', 'march', '--customer', 'cho')).stdout}`);

const finished = await onboard;
const { counts } = JSON.parse(finished.stdout) as { counts: Record<string, number> };
console.log(`terminal 1: the job ended (exit ${finished.code}): ${counts.done} done, ${counts.cancelled} cancelled`);

console.log('mx-lifecycle export --job march');
const csv = (await mx('export', '--job', 'march')).stdout;
console.log(csv.trimEnd().replace(/^/gm, '  '));
await sandbox.close();

const ok = counts.done === 2 && counts.cancelled === 1 && csv.split('\n').filter(Boolean).length === 4;
console.log(ok ? 'OK: answered from a second process, cancelled from a third, exported one row per connection' : 'NOT OK');
process.exitCode = ok ? 0 : 1;
