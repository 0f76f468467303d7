/**
 * The operator's day two, with the real command line against a local sandbox: a job runs with
 * `onboard --mfa-wait`, a second terminal answers its MFA challenge with `answer`, a third cancels
 * a customer stuck in a slow aggregation with `cancel`, and `export` hands the results over as CSV.
 *
 * Run: npx tsx examples/day-two.ts
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox } from '../src/sandbox/index.js';
import { commandLine } from './support/cli.js';

const sandbox = await startSandbox({ aggregationMs: 200, auth: 'basic', slowMs: 120_000 });
const dir = mkdtempSync(join(tmpdir(), 'mx-day-two-'));
const env = { PATH: process.env.PATH ?? '', MX_BASE_URL: sandbox.url, MX_CLIENT_ID: 'sandbox-client', MX_API_KEY: 'sandbox-key' };

/** `mx-lifecycle ...args` as a child process, as a person would type it. */
const mx = commandLine(dir, env);
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
rmSync(dir, { recursive: true, force: true });

const ok = counts.done === 2 && counts.cancelled === 1 && csv.split('\n').filter(Boolean).length === 4;
console.log(ok ? 'OK: answered from a second process, cancelled from a third, exported one row per connection' : 'NOT OK');
process.exitCode = ok ? 0 : 1;
