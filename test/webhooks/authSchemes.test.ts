/**
 * Authenticating MX's deliveries and the AGGREGATION webhook (issue 24, item 6).
 * docs.mx.com/resources/webhooks, "Security": HTTP basic; mutual certificate authentication; "OAuth 2
 * bearer token (client credentials) authentication … this bearer token is then used to access the
 * provided webhook URL". docs.mx.com/resources/webhooks/aggregation: "These webhooks fire only after
 * a completed aggregation, including background aggregations."
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { MemberRef, WokenMember } from '../../src/durable/wake.js';
import { webhookSettingsOf } from '../../src/cli/flags/webhookFlags.js';
import { createWebhookReceiver, type DeliveryOutcome, type WebhookReceiver } from '../../src/webhooks/index.js';

const AUTH = 'mx:webhook-password-1';
const BEARER = 'mx-issued-token-0123456789abcdef';
const basic = (auth: string) => `Basic ${Buffer.from(auth).toString('base64')}`;

let receiver: WebhookReceiver | undefined;
afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
});

/** A receiver whose deliveries can be awaited one by one (no sleeping on a clock). */
async function start(schemes: { auth: string | null; bearer?: string | null }) {
  const asked: MemberRef[] = [];
  const outcomes: DeliveryOutcome[] = [];
  const waiters: (() => void)[] = [];
  receiver = await createWebhookReceiver({
    target: { wakeMember: (ref: MemberRef): WokenMember | null => (asked.push(ref), { jobId: 'j', customerId: 'cust-1', memberId: 'cust-1-m0' }) },
    port: 0, ...schemes,
    onDelivery: (outcome) => {
      outcomes.push(outcome);
      waiters.shift()?.();
    },
  });
  const post = async (body: unknown, authorization?: string) => {
    const done = new Promise<void>((resolve) => waiters.push(resolve));
    const res = await fetch(receiver!.url, { method: 'POST', headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) }, body: JSON.stringify(body) });
    await done;
    return res.status;
  };
  return { asked, outcomes, post };
}

const aggregation = { action: 'member_data_updated', completed_at: 1_531_947_410, completed_on: '2018-07-18', is_background: false, member_guid: 'MBR-1', transactions_created_count: 3, transactions_updated_count: 2, type: 'AGGREGATION', user_guid: 'USR-1' };

describe('the schemes MX offers', () => {
  const rows = [
    { configured: 'Basic and bearer', schemes: { auth: AUTH, bearer: BEARER }, sent: basic(AUTH), status: 204 },
    { configured: 'Basic and bearer', schemes: { auth: AUTH, bearer: BEARER }, sent: `Bearer ${BEARER}`, status: 204 },
    { configured: 'bearer only', schemes: { auth: null, bearer: BEARER }, sent: `bearer ${BEARER}`, status: 204 },
    { configured: 'bearer only', schemes: { auth: null, bearer: BEARER }, sent: basic(AUTH), status: 401 },
    { configured: 'bearer only', schemes: { auth: null, bearer: BEARER }, sent: `Bearer ${BEARER}x`, status: 401 },
    { configured: 'bearer only', schemes: { auth: null, bearer: BEARER }, sent: undefined, status: 401 },
    { configured: 'Basic only', schemes: { auth: AUTH }, sent: `Bearer ${BEARER}`, status: 401 },
  ];
  it.each(rows)('$configured: $sent gets $status', async ({ schemes, sent, status }) => {
    const { post, asked, outcomes } = await start(schemes);
    expect(await post(aggregation, sent)).toBe(status);
    expect(outcomes).toEqual([status === 204 ? 'woke' : 'unauthorized']);
    expect(asked.length).toBe(status === 204 ? 1 : 0);
  });
});

describe('the AGGREGATION (member data updated) webhook', () => {
  it('wakes the member it names, since it fires only after a completed aggregation', async () => {
    const { post, asked, outcomes } = await start({ auth: AUTH });
    expect(await post(aggregation, basic(AUTH))).toBe(204);
    expect(outcomes).toEqual(['woke']);
    expect(asked[0]).toMatchObject({ memberGuid: 'MBR-1' });
  });
});

describe('--webhook-bearer / MX_WEBHOOK_BEARER', () => {
  const rows = [
    { given: { 'webhook-port': '0', 'webhook-bearer': BEARER }, env: {}, expected: { auth: null, bearer: BEARER } },
    { given: { 'webhook-port': '0' }, env: { MX_WEBHOOK_BEARER: BEARER }, expected: { auth: null, bearer: BEARER } },
    { given: { 'webhook-port': '0' }, env: { MX_WEBHOOK_AUTH: AUTH, MX_WEBHOOK_BEARER: BEARER }, expected: { auth: AUTH, bearer: BEARER } },
  ];
  it.each(rows)('reads $given with $env', ({ given, env, expected }) => {
    expect(webhookSettingsOf(given, env)).toMatchObject(expected);
  });
  it('refuses a short token and names both variables when nothing is given', () => {
    const problem = (values: Record<string, string>) => {
      try {
        webhookSettingsOf(values, {});
      } catch (thrown) {
        return (thrown as { usage: string }).usage;
      }
      return null;
    };
    expect(problem({ 'webhook-port': '0', 'webhook-bearer': 'short' })).toMatch(/--webhook-bearer must be at least 16/);
    expect(problem({ 'webhook-port': '0' })).toMatch(/MX_WEBHOOK_AUTH.*MX_WEBHOOK_BEARER/);
  });
});
