/**
 * Pausing a running job from another terminal, with the real command line against a local sandbox
 * that answers slowly: the worker finishes the requests it has in flight, says it is paused, and
 * sends nothing more (the sandbox's own request count stands still); `resume` lets it go on, and
 * every customer ends at MX exactly once.
 *
 * Run: npx tsx examples/pause-and-resume.ts
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox } from '../src/sandbox/index.js';
import { commandLine } from './support/cli.js';

// Each request takes 100 ms and each aggregation 10 s: the job is still busy when the pause comes.
const sandbox = await startSandbox({ aggregationMs: 10_000, latencyMs: 100, auth: 'basic' });
const dir = mkdtempSync(join(tmpdir(), 'mx-pause-'));
const env = { PATH: process.env.PATH ?? '', MX_BASE_URL: sandbox.url, MX_CLIENT_ID: 'sandbox-client', MX_API_KEY: 'sandbox-key' };
let workerSaid = '';
const mx = commandLine(dir, env);
const worker = commandLine(dir, env, (text) => (workerSaid += text));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const requests = () => sandbox.state().stats.requests;

const customers = Array.from({ length: 6 }, (_, i) => ({
  id: `cust-${i + 1}`,
  members: [{ id: `cust-${i + 1}-mxbank`, institution_code: 'mxbank', credentials: { username: 'mxuser', password: 'password' } }],
}));
writeFileSync(join(dir, 'march.jsonl'), `${customers.map((c) => JSON.stringify(c)).join('\n')}\n`);

console.log('terminal 1: mx-lifecycle onboard march.jsonl --rate 4 --json');
const onboard = worker('onboard', 'march.jsonl', '--rate', '4', '--poll-interval-ms', '1000', '--json');
const run = { ended: false };
void onboard.then(() => (run.ended = true));
while (sandbox.state().users.length === 0) await sleep(50);

console.log('terminal 2: mx-lifecycle pause --job march');
process.stdout.write(`  ${(await mx('pause', '--job', 'march')).stdout}`);
const pausedLine = () => workerSaid.split('\n').find((line) => line.includes('is paused'));
while (!pausedLine() && !run.ended) await sleep(50);
console.log(`terminal 1 says: ${pausedLine()}`);
const atPause = requests();
await sleep(3_000);
const later = requests();
console.log(`requests the sandbox saw: ${atPause} when the worker said paused, ${later} three seconds later`);

console.log('terminal 2: mx-lifecycle resume --job march');
process.stdout.write(`  ${(await mx('resume', '--job', 'march')).stdout}`);
const finished = await onboard;
const { counts } = JSON.parse(finished.stdout) as { counts: Record<string, number> };
const { users, members } = sandbox.state();
console.log(`terminal 1: the job ended (exit ${finished.code}): ${counts.done} done; MX holds ${users.length} users and ${members.length} members`);
await sandbox.close();
rmSync(dir, { recursive: true, force: true });

const ok = later === atPause && finished.code === 0 && counts.done === 6 && users.length === 6 && members.length === 6;
if (!ok) console.log(workerSaid.split('\n').filter((line) => !line.startsWith('{"type":"progress"')).join('\n'));
console.log(ok ? 'OK: nothing was sent while paused, and after the resume every customer was onboarded once' : 'NOT OK');
process.exitCode = ok ? 0 : 1;
