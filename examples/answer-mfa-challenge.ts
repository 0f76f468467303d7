/**
 * Answering MFA challenges, in the two ways the runtime offers:
 * - the `answerChallenge` callback answers at once (a stored answer, a rule, a call to your app);
 * - or it returns `null`, and the answers arrive later from outside with `runtime.answer(...)`
 *   (a person in a support tool, a message from the customer's phone).
 * Answers wait in memory until they are sent: they are never written to the store.
 *
 * Run: npx tsx examples/answer-mfa-challenge.ts
 */
import { createMemoryStore, createMxClient, createRuntime, type ChallengeRequest } from '../src/index.js';
import type { OnboardingOutput } from '../machines/index.js';
import { startSandbox } from '../src/sandbox/index.js';

const sandbox = await startSandbox({ auth: 'token', aggregationMs: 200 });
const client = createMxClient({ baseUrl: sandbox.url, clientId: 'sandbox-client', apiKey: 'sandbox-key', auth: 'token' });

// At the sandbox's MX Bank the password picks what happens: `challenge` asks a question (TEXT),
// `options` asks to pick one of several answers (OPTIONS). The right answer is "correct".
const login = (password: string) => ({ username: 'mxuser', password });
const customer = {
  id: 'lin',
  members: [
    { id: 'lin-text', institution_code: 'mxbank', credentials: login('challenge') },
    { id: 'lin-options', institution_code: 'mxbank', credentials: login('options') },
    { id: 'lin-by-a-person', institution_code: 'mxbank', credentials: login('challenge') },
  ],
};

// Style 1: the callback. It gets the member and its challenges, and returns answers by challenge
// guid (field names and labels work too). Style 2: for one member it returns null, and hands the
// challenge to "a person", who answers half a second later through runtime.answer().
function answerChallenge(request: ChallengeRequest) {
  for (const c of request.challenges) console.log(`  ${request.memberExternalId} is asked (${c.type}): ${c.label}`);
  if (request.memberExternalId === 'lin-by-a-person') {
    setTimeout(() => void answerAsAPerson(request), 500);
    return null;
  }
  return Object.fromEntries(
    request.challenges.map((c) => [c.guid, c.type === 'OPTIONS' ? (c.options.find((o) => o.label === 'Blue')?.value ?? '') : 'correct']),
  );
}

async function answerAsAPerson(request: ChallengeRequest) {
  const answers = Object.fromEntries(request.challenges.map((c) => [c.guid, 'correct']));
  const delivered = await runtime.answer('mfa-job', 'lin', request.memberExternalId, answers);
  console.log(`  a person answered for ${request.memberExternalId} (delivered: ${delivered})`);
}

const runtime = createRuntime({ store: createMemoryStore(), client, answerChallenge, options: { pollIntervalMs: 200 } });
let output: OnboardingOutput | null = null;
runtime.events.on('item.final', (e) => (output = e.outcome as OnboardingOutput));

console.log('Onboarding "lin" with three challenged members...');
await runtime.submit('mfa-job', [customer]);
await runtime.run('mfa-job');

const members = (output as OnboardingOutput | null)?.members ?? [];
for (const m of members) console.log(`${m.externalId}: ${m.outcome} (${m.connectionStatus})`);
await runtime.close();
await client.close();
await sandbox.close();

const ok = members.length === 3 && members.every((m) => m.outcome === 'connected');
console.log(ok ? 'OK: every challenge was answered and every member is connected.' : 'FAILED: a member is not connected.');
process.exit(ok ? 0 : 1);
