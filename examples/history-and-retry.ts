/**
 * What happened to one customer, and re-running only the ones a filter names, with the real command
 * line against a local sandbox: ben's MX user exists already (the job recovers it from the 409) and
 * his bank refuses his password (DENIED); `retry --status DENIED --dry-run` lists him and changes
 * nothing, `retry --status DENIED` with a corrected password connects him, and `history` shows each
 * step with its MX requests: the duplicate, the DENIED, the retry, the update and CONNECTED.
 *
 * Run: npx tsx examples/history-and-retry.ts
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox } from '../src/sandbox/index.js';
import { commandLine } from './support/cli.js';

const sandbox = await startSandbox({ aggregationMs: 200, auth: 'basic' });
const dir = mkdtempSync(join(tmpdir(), 'mx-history-'));
const env = { PATH: process.env.PATH ?? '', MX_BASE_URL: sandbox.url, MX_CLIENT_ID: 'sandbox-client', MX_API_KEY: 'sandbox-key' };
const mx = commandLine(dir, env);

// ben's user was created at MX before this job (by an earlier script, say): the job's create gets 409.
await fetch(`${sandbox.url}/users`, {
  method: 'POST',
  headers: {
    authorization: `Basic ${Buffer.from('sandbox-client:sandbox-key').toString('base64')}`,
    accept: 'application/json', 'accept-version': 'v20250224', 'content-type': 'application/json',
  },
  body: JSON.stringify({ user: { id: 'ben' } }),
});
const write = (name: string, passwords: Record<string, string>) =>
  writeFileSync(join(dir, name), Object.entries(passwords).map(([id, password]) =>
    JSON.stringify({ id, members: [{ id: `${id}-mxbank`, institution_code: 'mxbank', credentials: { username: 'mxuser', password } }] })).join('\n') + '\n');
write('may.jsonl', { ana: 'password', ben: 'INVALID' });
write('corrected.jsonl', { ben: 'fixed-password' });

console.log('mx-lifecycle onboard may.jsonl');
const first = await mx('onboard', 'may.jsonl', '--poll-interval-ms', '200', '--json');
console.log(`  exit ${first.code}`);

console.log('mx-lifecycle retry --job may --status DENIED --dry-run');
const dry = await mx('retry', '--job', 'may', '--status', 'DENIED', '--dry-run');
process.stdout.write(dry.stdout.replace(/^/gm, '  '));

console.log('mx-lifecycle retry --job may --status DENIED corrected.jsonl');
const retry = await mx('retry', '--job', 'may', '--status', 'DENIED', 'corrected.jsonl', '--poll-interval-ms', '200', '--json');
console.log(`  exit ${retry.code}`);

console.log('mx-lifecycle history --job may --customer ben');
const history = await mx('history', '--job', 'may', '--customer', 'ben');
// The times differ from run to run: shown without them.
process.stdout.write(history.stdout.replace(/^\d{4}-\d\d-\d\d [\d:.]+ {2}/gm, '  '));

await sandbox.close();
rmSync(dir, { recursive: true, force: true });
const ok = first.code === 1 && /^ben {2}needsAction {2}DENIED$/m.test(dry.stdout) && retry.code === 0
  && /recoveringDuplicate .*POST \/users 409/.test(history.stdout) && /operator retry/.test(history.stdout);
console.log(ok ? 'OK: the DENIED customer was listed, re-run alone and connected, and his history tells it' : 'NOT OK');
process.exitCode = ok ? 0 : 1;
