/**
 * Check an input, onboard it, and fix the customers whose bank refused their password, with the
 * real command line against a local sandbox: `check` is the dry run, `retry --needs-action` with
 * corrected passwords connects the DENIED members through MX's update member, one member each.
 *
 * Run: npx tsx examples/check-and-retry.ts
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox } from '../src/sandbox/index.js';
import { commandLine } from './support/cli.js';

const sandbox = await startSandbox({ aggregationMs: 200, auth: 'basic' });
const dir = mkdtempSync(join(tmpdir(), 'mx-retry-'));
const env = { PATH: process.env.PATH ?? '', MX_BASE_URL: sandbox.url, MX_CLIENT_ID: 'sandbox-client', MX_API_KEY: 'sandbox-key' };

/** `mx-lifecycle ...args` as a child process, as a person would type it. */
const mx = commandLine(dir, env);

const write = (name: string, passwords: Record<string, string>) =>
  writeFileSync(join(dir, name), Object.entries(passwords).map(([id, password]) =>
    JSON.stringify({ id, members: [{ id: `${id}-mxbank`, institution_code: 'mxbank', credentials: { username: 'mxuser', password } }] })).join('\n') + '\n');
// The sandbox's mxbank refuses INVALID (DENIED), as MX's test bank does; any other password connects.
write('april.jsonl', { ana: 'password', ben: 'INVALID', cho: 'INVALID' });
write('corrected.jsonl', { ben: 'fixed-password', cho: 'fixed-password' });

console.log('mx-lifecycle check april.jsonl --rate 10');
const check = await mx('check', 'april.jsonl', '--rate', '10');
process.stdout.write(`  ${check.stdout}`);

console.log('mx-lifecycle onboard april.jsonl');
const first = await mx('onboard', 'april.jsonl', '--poll-interval-ms', '200', '--json');
const before = (JSON.parse(first.stdout) as { counts: Record<string, number> }).counts;
console.log(`  exit ${first.code}: ${before.done} done, ${before.needsAction} need action`);

console.log('mx-lifecycle retry --job april --needs-action corrected.jsonl');
const retry = await mx('retry', '--job', 'april', '--needs-action', 'corrected.jsonl', '--poll-interval-ms', '200', '--json');
const after = (JSON.parse(retry.stdout) as { counts: Record<string, number> }).counts;
console.log(`  exit ${retry.code}: ${after.done} done, ${after.needsAction} need action`);

const members = sandbox.state().members;
const perConnection = ['ana-mxbank', 'ben-mxbank', 'cho-mxbank'].map((id) => members.filter((m) => m.id === id));
console.log(`members at MX: ${members.length}, ${perConnection.map((m) => `${m[0]?.id}: ${m.length} ${m[0]?.connection_status}`).join(', ')}`);
await sandbox.close();
rmSync(dir, { recursive: true, force: true });

const ok = check.code === 0 && before.needsAction === 2 && retry.code === 0 && after.done === 3 && members.length === 3
  && perConnection.every((m) => m.length === 1 && m[0]?.connection_status === 'CONNECTED');
console.log(ok ? 'OK: checked, onboarded, and the DENIED members connected on retry, one member each' : 'NOT OK');
process.exitCode = ok ? 0 : 1;
