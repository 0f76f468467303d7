/**
 * A known rate sets how many requests may be in flight: one second's worth, so a slow API does not
 * hold the client below its key's limit.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMxClient } from '../../src/api/index.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ auth: 'basic', latencyMs: 400 });
});
afterAll(async () => {
  await sandbox.close();
});

async function peakInFlight(rate: { perSecond?: number; maxConcurrent?: number }, calls: number): Promise<number> {
  const client = createMxClient({ baseUrl: sandbox.url, clientId: 'sandbox-client', apiKey: 'sandbox-key', rate });
  let inFlight = 0;
  let peak = 0;
  client.events.on('request', () => {
    inFlight += 1;
    peak = Math.max(peak, inFlight);
  });
  client.events.on('response', () => {
    inFlight -= 1;
  });
  await Promise.all(Array.from({ length: calls }, (_, i) => client.findUserByExternalId(`nobody-${i}`)));
  await client.close();
  return peak;
}

describe('requests in flight', () => {
  it('allow one second of a known rate in flight against a slow API, not a fixed 10', async () => {
    const peak = await peakInFlight({ perSecond: 60 }, 60);
    expect(peak).toBeGreaterThan(15);
    expect(peak).toBeLessThanOrEqual(60);
  });

  it('stay at 10 when the rate is unknown, and at what the caller says when it says', async () => {
    expect(await peakInFlight({}, 30)).toBeLessThanOrEqual(10);
    expect(await peakInFlight({ perSecond: 60, maxConcurrent: 4 }, 12)).toBeLessThanOrEqual(4);
  });
});
