/**
 * The baseline every process-level figure is compared with: a plain loop of the same HTTP calls the
 * onboarding job makes (create the user, list the institution's credential fields, create the
 * member, read its status until it is connected), `p-limit` for concurrency, a retry that honours
 * Retry-After, and nothing else: no state machine, no store, no classification.
 *
 * Arguments: INPUT BASE_URL [--customers N] [--requests N]. Prints one JSON line on stdout.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import pLimit from 'p-limit';
import { Agent, fetch } from 'undici';

interface Customer {
  id: string;
  members: Array<{ id: string; institution_code: string; credentials?: Record<string, string> }>;
}

const [input, baseUrl, ...rest] = process.argv.slice(2);
if (!input || !baseUrl) throw new Error('usage: bare INPUT BASE_URL [--customers N] [--requests N]');
const flag = (name: string, fallback: number): number => {
  const at = rest.indexOf(`--${name}`);
  return at === -1 ? fallback : Number(rest[at + 1]);
};
const customerLimit = pLimit(flag('customers', 32));
const requestLimit = pLimit(flag('requests', flag('customers', 32)));

const agent = new Agent({ keepAliveTimeout: 10_000, keepAliveMaxTimeout: 60_000 });
// The version MX Platform serves by default, with the Accept it expects (as the client sends).
const headers = {
  Accept: 'application/json',
  'Accept-Version': 'v20250224',
  'Content-Type': 'application/json',
  Authorization: `Basic ${Buffer.from('sandbox-client:sandbox-key').toString('base64')}`,
};
let requests = 0;
let rateLimited = 0;
let failures = 0;

/** One call, retried after Retry-After seconds (1 s when absent) for as long as it gets 429. */
async function call(method: string, path: string, body?: unknown): Promise<any> {
  for (;;) {
    const response = await requestLimit(async () => {
      requests += 1;
      const res = await fetch(`${baseUrl}${path}`, {
        method,
        headers,
        dispatcher: agent,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: res.status, retryAfter: res.headers.get('retry-after'), text: await res.text() };
    });
    if (response.status === 429) {
      rateLimited += 1;
      await new Promise((resolve) => setTimeout(resolve, Number(response.retryAfter ?? 1) * 1_000));
      continue;
    }
    if (response.status >= 300) {
      // The first failure says why on stderr, so a bench that stops can be read.
      if (failures === 0) process.stderr.write(`${method} ${path}: ${response.status} ${response.text.slice(0, 200)}\n`);
      throw new Error(`${method} ${path}: ${response.status}`);
    }
    return response.text === '' ? null : JSON.parse(response.text);
  }
}

async function onboard(customer: Customer): Promise<void> {
  const { user } = await call('POST', '/users', { user: { id: customer.id } });
  for (const member of customer.members) {
    const { credentials: fields } = await call('GET', `/institutions/${member.institution_code}/credentials?records_per_page=1000`);
    const given = member.credentials ?? {};
    const credentials = (fields as Array<{ guid: string; field_name: string }>).map((field) => ({
      guid: field.guid,
      value: field.field_name === 'LOGIN' ? given.username : given.password,
    }));
    const created = await call('POST', `/users/${user.guid}/members`, {
      member: { id: member.id, institution_code: member.institution_code, credentials },
    });
    let status = created.member.connection_status as string;
    for (;;) {
      const read = await call('GET', `/users/${user.guid}/members/${created.member.guid}/status`);
      status = read.member.connection_status;
      if (status === 'CONNECTED') break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

const started = performance.now();
const jobs: Array<Promise<void>> = [];
let customers = 0;
for await (const line of createInterface({ input: createReadStream(input, 'utf8'), crlfDelay: Infinity })) {
  if (line.trim() === '') continue;
  customers += 1;
  // Like the runtime, read ahead only as far as there is room to run: the input is never held whole.
  while (customerLimit.pendingCount > 1_000) await new Promise((resolve) => setImmediate(resolve));
  const customer = JSON.parse(line) as Customer;
  jobs.push(customerLimit(() => onboard(customer).catch(() => void (failures += 1))));
}
await Promise.all(jobs);
const makespanMs = performance.now() - started;
await agent.close();
process.stdout.write(`${JSON.stringify({ customers, failures, requests, rateLimited, makespanMs })}\n`);
