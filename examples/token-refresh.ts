/**
 * Tokens that expire while work goes on. With auth `token` the client fetches a Bearer token and
 * fetches the next one before the current one expires, one fetch for all calls in flight, so no
 * call waits on an expired token. Here tokens live 2 s (MX's live 300 s) and calls run for 8 s.
 *
 * Run: npx tsx examples/token-refresh.ts
 */
import { createMxClient } from '../src/index.js';
import { startSandbox } from '../src/sandbox/index.js';

const sandbox = await startSandbox({ auth: 'token', tokenTtlSeconds: 2 });
const client = createMxClient({ baseUrl: sandbox.url, clientId: 'sandbox-client', apiKey: 'sandbox-key', auth: 'token' });

// The event says when and why a token arrived; the token itself is never in it, by design.
const started = Date.now();
let refreshes = 0;
client.events.on('token_refreshed', (e) => {
  refreshes++;
  const at = ((Date.now() - started) / 1000).toFixed(1);
  console.log(`  ${at} s: token #${e.generation} (${e.reason}), valid for ${e.lifetimeMs / 1000} s`);
});

// Ordinary work: five calls side by side, then the next five, for 8 s. Each one is a Result:
// count the errors instead of catching exceptions.
console.log('Calling the API for 8 s with 2-s tokens...');
let calls = 0;
let failures = 0;
while (Date.now() - started < 8_000) {
  const results = await Promise.all(Array.from({ length: 5 }, () => client.listInstitutionCredentials('mxbank')));
  calls += results.length;
  for (const result of results) {
    if (result.isErr()) {
      failures++;
      console.log(`  call failed: ${result.error.kind}: ${result.error.message}`);
    }
  }
  await new Promise((resolve) => setTimeout(resolve, 100));
}

const { stats } = sandbox.state();
console.log(`${calls} calls, ${failures} failed; ${refreshes} tokens fetched (the sandbox issued ${stats.tokensIssued}).`);
await client.close();
await sandbox.close();

// Four or more tokens in 8 s means the client refreshed on its own, and no call saw an expired one.
const ok = failures === 0 && refreshes >= 4;
console.log(ok ? 'OK: tokens were refreshed before they expired and no call failed.' : 'FAILED: see above.');
process.exit(ok ? 0 : 1);
