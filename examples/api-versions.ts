/**
 * The two MX Platform API versions. Every request carries `Accept-Version`; v20250224 (the
 * default) reads a user or a member by its external id in one request, v20111101 searches lists.
 * Both recover a member that "already exists" to the same guid.
 *
 * Run: npx tsx examples/api-versions.ts
 */
import { createMxClient, type ApiVersion } from '../src/index.js';
import { startSandbox } from '../src/sandbox/index.js';

const sandbox = await startSandbox({ auth: 'basic', aggregationMs: 100 });
const credentials = [
  { guid: 'CRD-username', value: 'mxuser' },
  { guid: 'CRD-password', value: 'password' },
];
const guids = new Set<string>();
let failed = false;

for (const apiVersion of ['v20250224', 'v20111101'] as ApiVersion[]) {
  const client = createMxClient({ baseUrl: sandbox.url, clientId: 'sandbox-client', apiKey: 'sandbox-key', apiVersion });
  const paths: string[] = [];
  const user = await client.findUserByExternalId('ada').andThen((found) => (found ? client.readUser(found.guid) : client.createUser({ id: 'ada' })));
  if (user.isErr()) {
    console.log(`FAILED: ${apiVersion}: ${user.error.kind}`);
    process.exit(1);
  }
  const created = await client.createMember({ userGuid: user.value.guid, id: 'ada-mxbank', institutionCode: 'mxbank', credentials });
  console.log(`${apiVersion}: create member -> ${created.isOk() ? 'created' : created.error.kind}`);
  client.events.on('request', (e) => paths.push(`${e.method} ${e.path}`));
  const found = await client.findMemberByExternalId(user.value.guid, 'ada-mxbank');
  await client.close();
  if (found.isErr() || found.value === null) {
    failed = true;
    continue;
  }
  guids.add(found.value.guid);
  console.log(`${apiVersion}: found ${found.value.guid} in ${paths.length} request(s): ${paths.join(', ')}`);
}

const members = sandbox.state().members.filter((m) => m.id === 'ada-mxbank').length;
await sandbox.close();
console.log(`members with id "ada-mxbank" at MX: ${members}`);
if (failed || guids.size !== 1 || members !== 1) {
  console.log('FAILED: the two versions did not find the same single member');
  process.exit(1);
}
console.log('OK: both versions find the same single member; v20250224 reads it by its external id');
