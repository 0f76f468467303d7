/**
 * The minimum aggregation interval counts from the last successful aggregation: MX "cannot run a
 * new aggregation within three hours of a successful aggregation", and answers such a request
 * 202 with no new job ("A standard aggregation has been attempted within the default minimum time
 * between standard aggs", https://docs.mx.com/api-reference/platform-api/overview/errors). A
 * FAILED or DENIED aggregation starts no window: the member may be aggregated again at once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { platformCaller, sleep } from './helpers.js';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ aggregationMs: 20, minAggregationIntervalMs: 3_600_000 });
});
afterAll(() => sandbox.close());

let serial = 0;
const call = platformCaller(() => sandbox);

async function settled(user: string, member: string): Promise<Record<string, unknown>> {
  // Liveness only: a 20-ms aggregation settles long before this deadline, however loaded the machine.
  for (const end = Date.now() + 20_000; Date.now() < end; await sleep(20)) {
    const status = (await call('GET', `/users/${user}/members/${member}/status`)).json.member;
    if (!status.is_being_aggregated) return status;
  }
  throw new Error('the member never settled');
}

describe('an aggregate request within the interval', () => {
  const rows: Array<[string, string, string, boolean]> = [
    ['after a successful aggregation: 202, no new job', 'password', 'CONNECTED', false],
    ['after a FAILED one: a new job', 'server_error', 'FAILED', true],
    ['after a DENIED one: a new job', 'denied', 'DENIED', true],
  ];
  it.each(rows)('%s', async (_, password, settledAs, startsJob) => {
    const user = (await call('POST', '/users', { user: { id: `u-${serial++}` } })).json.user.guid as string;
    const credentials = [{ guid: 'CRD-username', value: 'mxuser' }, { guid: 'CRD-password', value: password }];
    const member = (await call('POST', `/users/${user}/members`, { member: { institution_code: 'mxbank', credentials } })).json.member.guid as string;
    expect((await settled(user, member)).connection_status).toBe(settledAs);
    const aggregate = await call('POST', `/users/${user}/members/${member}/aggregate`);
    expect([aggregate.status, aggregate.json.member.is_being_aggregated]).toEqual([202, startsJob]);
  });
});
