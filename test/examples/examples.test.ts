/**
 * Runs every scripted example the way a reader would (`node --import tsx examples/<name>.ts`) and
 * checks that it exits 0 and says what it demonstrates. Each example starts its own sandbox on a
 * free port, so they may run side by side; two at a time, as the machine has two cores.
 */
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import pLimit from 'p-limit';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const EXAMPLES = fileURLToPath(new URL('../../examples', import.meta.url));
const TIMEOUT_MS = 60_000;

/** What each example must print, besides its own OK line. */
const CASES: Record<string, RegExp[]> = {
  'api-versions.ts': [
    /v20250224: found (MBR-\S+) in 1 request\(s\): GET \/users\/USR-\S+\/members\/ada-mxbank\n/,
    /v20111101: create member -> duplicate/,
    /members with id "ada-mxbank" at MX: 1/,
    /^OK: /m,
  ],
  'onboard-one-customer.ts': [/"outcome": "done"/, /MX now has 1 user and 2 members/, /^OK: /m],
  'recover-duplicate-user.ts': [
    /POST \/users -> \d+ \(duplicate\)/,
    /guid created earlier: +(USR-\S+)\nguid after onboarding: +\1\n/,
    /users with id "grace" at MX: 1/,
    /^OK: /m,
  ],
  'rate-limited-batch.ts': [
    /told the limit[^\n]*:\n {2}100 of 100 customers done[^\n]*\n {2}requests sent: 100, 429s received: 0 /,
    /not told the limit:\n {2}100 of 100 customers done[^\n]*\n {2}requests sent: \d+, 429s received: [1-9]/,
    /^OK: /m,
  ],
  'token-refresh.ts': [/token #1 \(initial\)/, /token #4 \(proactive\)/, /\d+ calls, 0 failed/, /^OK: /m],
  'crash-and-resume.ts': [
    /The first worker ended by SIGKILL/,
    // The second worker starts from what the first one left: at least 10 of the 30 done, not all.
    /\] [12]\d done already, \d+ to resume, \d+ not started/,
    /MX holds 30 users and 30 members for 30 customers/,
    /^OK: /m,
  ],
  'answer-mfa-challenge.ts': [
    /lin-options is asked \(OPTIONS\)/,
    /a person answered for lin-by-a-person \(delivered: true\)/,
    /lin-text: connected \(CONNECTED\)\nlin-options: connected \(CONNECTED\)\nlin-by-a-person: connected \(CONNECTED\)/,
    /^OK: /m,
  ],
  'day-n-refresh.ts': [
    /cohort\.refresh\.\d{8}T\d{6}Z: 0 refreshed, 3 skipped \(first may be refreshed from [^)]+\); aggregate requests sent: 0\n/,
    /cohort\.refresh\.\d{8}T\d{6}Z(-\d+)?: 3 refreshed, 0 skipped; aggregate requests sent: 3\n/,
    /^OK: /m,
  ],
  'offboarding.ts': [
    /Offboarding the three customers:(\n {2}\w+: done; user deleted;[^\n]*){3}\n {2}3 of 3 done; MX holds 0 users and 0 members/,
    /Offboarding them again:(\n {2}\w+: done; user alreadyGone;[^\n]*){3}/,
    /^OK: /m,
  ],
  'connect-by-link.ts': [
    /cho denied, clicked the same link again and authorised/,
    /dee connected MX Bank in the widget and answered its challenge/,
    /eve: needsAction \(endUserAbandoned\)/,
    /members at MX: 4, 4 connected/,
    /^OK: /m,
  ],
  'webhooks.ts': [/cust-2: needsAction after \d/, /Webhooks: 9 sent, [3-9] woke a member/, /Requests to MX: 10 for 3 customers/, /^OK: /m],
  'wait-out-an-outage.ts': [
    /-- MX unreachable --\n {2}paused \(pause 1\): unavailable; next try in 2 s/,
    /12 done, 0 failed, halted: no; MX holds 12 users and 12 members/,
    /halted on unauthorized after \d+\.\d s, without a pause/,
    /^OK: /m,
  ],
  'dashboard-and-metrics.ts': [
    /dashboard: http:\/\/127\.0\.0\.1:\d+ /,
    /mx_lifecycle_items\{state="done"\} 9, mx_lifecycle_items\{state="needsAction"\} 1/,
    /requests counted: (\d+); the sandbox saw \1\n/,
    /^OK: /m,
  ],
  'check-and-retry.ts': [
    /3 customers, 3 connections; at least 10 requests .*about 1 s at 10 requests\/s/,
    /onboard april\.jsonl\n  exit 1: 1 done, 2 need action/,
    /corrected\.jsonl\n  exit 0: 3 done, 0 need action/,
    /members at MX: 3, ana-mxbank: 1 CONNECTED, ben-mxbank: 1 CONNECTED, cho-mxbank: 1 CONNECTED/,
    /^OK: /m,
  ],
  'history-and-retry.ts': [
    /retry --job may --status DENIED --dry-run\n {2}ben {2}needsAction {2}DENIED\n {2}mx-lifecycle retry: job may: would re-open 1 customer/,
    /user {2}recoveringDuplicate {2}<- xstate\.error\.actor\.createUser {2}POST \/users 409/,
    /member ben-mxbank {2}needsAction .*DENIED\n {2}operator retry {2}pending {2}<- retry\n/,
    /PUT \/users\/\{user_guid\}\/members\/\{member_guid\} 200/,
    /^OK: /m,
  ],
  'day-two.ts': [
    /answered ben ben-mxbank \(1 of 1 challenge\)/,
    /1 customer cancelled/,
    /the job ended \(exit 1\): 2 done, 1 cancelled/,
    /cho,USR-\S+,cho-mxbank,MBR-\S+,mxbank,cancelled,DELAYED/,
    /^OK: /m,
  ],
  'tracing.ts': [
    /onboard job\n {2}customer ada\n {4}createUser \(error\.type duplicate\)\n {6}POST \/users -> 409 \(error\.type 409\)\n {4}findUser\n/,
    / {4}createMember\n {6}POST \/users\/\{user_guid\}\/members -> 202\n/,
    /\d+ request spans; secrets in attributes: none/,
    /^OK: /m,
  ],
  'pause-and-resume.ts': [
    /job march paused: its workers finish the requests in flight/,
    /terminal 1 says: mx-lifecycle onboard: job march is paused: no request is sent until mx-lifecycle resume --job march/,
    /requests the sandbox saw: (\d+) when the worker said paused, \1 three seconds later/,
    /job march resumed after \d+ s paused/,
    /the job ended \(exit 0\): 6 done; MX holds 6 users and 6 members/,
    /^OK: /m,
  ],
  'inspector.ts': [/@xstate\.actor: [1-9]/, /@xstate\.event: [1-9]/, /@xstate\.snapshot: [1-9]/, /No password or API key appears/, /^OK: /m],
};

/** Values that must never be printed: the sandbox's API key, the passwords the inspector and tracing examples plant, the webhook password. */
const SECRETS = ['sandbox-key', 'planted-S3cret-pw', 'example-webhook-password', 'example-Trace-pw-91'];

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
}

function runExample(name: string): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', `examples/${name}`], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), TIMEOUT_MS - 5_000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, output });
    });
  });
}

const limit = pLimit(2);

describe('examples', () => {
  it('has a case for every example file, and a file for every case', () => {
    const files = readdirSync(EXAMPLES).filter((file) => file.endsWith('.ts'));
    expect(files.toSorted()).toEqual(Object.keys(CASES).toSorted());
  });

  describe.concurrent('each example runs to exit 0 and prints what it shows', () => {
    for (const [name, expected] of Object.entries(CASES)) {
      it(name, { timeout: TIMEOUT_MS * 2 }, async () => {
        const run = await limit(() => runExample(name));
        expect({ code: run.code, signal: run.signal }, run.output).toEqual({ code: 0, signal: null });
        for (const pattern of expected) expect(run.output).toMatch(pattern);
        for (const secret of SECRETS) expect(run.output).not.toContain(secret);
      });
    }
  });
});
