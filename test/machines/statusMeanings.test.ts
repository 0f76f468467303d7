/**
 * Each MX connection status with its documented meaning (issue 24, item 5): wait and aggregate
 * again later, end-user action with the status's own advice, or terminal. Sources: docs.mx.com
 * member connection statuses (linked from docs.mx.com/resources/webhooks/member) and the Connection
 * Status webhook's end-user-actionable list (docs.mx.com/resources/webhooks/connection-status);
 * DESIGN facts 9, 17 and 18 summarise them.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createActor } from 'xstate';
import { memberMachine, STATUS_MEANINGS, statusCategory, type StatusCategory } from '../../machines/index.js';
import type { ConnectionStatus } from '../../src/api/types.js';
import { fields, member, ok, scripted, status, type Call } from './harness.js';

const rows: [ConnectionStatus, StatusCategory, string][] = [
  ['DEGRADED', 'retryLater', 'temporary, e.g. website maintenance: aggregate again later'],
  ['DISCONNECTED', 'retryLater', 'temporary: aggregate again later'],
  ['DISABLED', 'retryLater', 'aggregation momentarily paused'],
  ['DELAYED', 'retryLater', 'check back the next day'],
  ['CHALLENGED', 'challenged', 'answer MFA'],
  ['DENIED', 'endCustomer', 'end-user actionable (Connection Status webhook)'],
  ['EXPIRED', 'endCustomer', 'end-user actionable'],
  ['IMPAIRED', 'endCustomer', 'end-user actionable'],
  ['IMPEDED', 'endCustomer', 'end-user actionable'],
  ['LOCKED', 'endCustomer', 'end-user actionable'],
  ['PREVENTED', 'endCustomer', 'end-user actionable (three failed attempts)'],
  ['REJECTED', 'endCustomer', 'end-user actionable'],
  ['IMPORTED', 'endCustomer', 'credentials must be entered before aggregation'],
  ['DISCONTINUED', 'terminal', 'MX dropped the institution'],
  ['CLOSED', 'terminal', 'the account is closed'],
  ['FAILED', 'aggregationFailed', 'aggregation failed'],
  ['CONNECTED', 'connected', 'done'],
  ['RECONNECTED', 'connected', 'done'],
  ['CREATED', 'inProgress', 'keep polling'],
];

describe('status meanings', () => {
  it.each(rows)('%s is %s (%s), with advice of its own', (s, category) => {
    expect(statusCategory(s)).toBe(category);
    expect(STATUS_MEANINGS[s].advice.length).toBeGreaterThan(0);
  });
  it('gives no two end-user or terminal statuses the same advice', () => {
    const advice = Object.values(STATUS_MEANINGS).filter((m) => m.category === 'endCustomer' || m.category === 'terminal').map((m) => m.advice);
    expect(new Set(advice).size).toBe(advice.length);
  });
});

describe('the member machine follows them', () => {
  const T0 = 1_700_000_000_000;
  beforeEach(() => vi.useFakeTimers({ now: T0 }));
  afterEach(() => vi.useRealTimers());

  const run = async (statuses: ConnectionStatus[], options = {}) => {
    const calls: Call[] = [];
    const script = {
      listCredentialFields: [ok(fields)], createMember: [ok(member())],
      aggregateMember: statuses.map(() => ok(member())),
      readMemberStatus: statuses.map((s) => ok(status(s))),
    };
    const actor = createActor(memberMachine.provide({ actors: scripted(script, calls) } as never), {
      input: { userGuid: 'USR-1', externalId: 'cust-1-bank', institutionCode: 'mxbank', options },
    }).start();
    // Generous: a day per DELAYED wait, more than every backoff here.
    for (let i = 0; i < 10 && actor.getSnapshot().status === 'active'; i++) await vi.advanceTimersByTimeAsync(2 * 24 * 60 * 60_000);
    return { output: actor.getSnapshot().output, aggregations: calls.filter((c) => c.actor === 'aggregateMember').length, calls };
  };

  it.each(['DEGRADED', 'DISCONNECTED', 'DISABLED', 'DELAYED'] as const)('%s: waits, aggregates again, and connects', async (s) => {
    const { output, aggregations } = await run([s, 'CONNECTED']);
    expect(output).toMatchObject({ outcome: 'connected' });
    expect(aggregations).toBe(1);
  });

  it('a temporary status that stays: bounded by maxStatusRetries, then needsAction with the reason', async () => {
    const { output, aggregations } = await run(['DEGRADED', 'DEGRADED', 'DEGRADED'], { maxStatusRetries: 2, statusRetryDelayMs: 60_000 });
    expect(output).toMatchObject({ outcome: 'needsAction', reason: 'statusRetriesExhausted', connectionStatus: 'DEGRADED' });
    expect(aggregations).toBe(2);
  });

  it.each(['DENIED', 'LOCKED', 'IMPORTED', 'DISCONTINUED', 'CLOSED'] as const)('%s: needsAction at once, never aggregated again', async (s) => {
    const { output, aggregations } = await run([s]);
    expect(output).toMatchObject({ outcome: 'needsAction', reason: 'connectionStatus', connectionStatus: s });
    expect(aggregations).toBe(0);
  });
});
