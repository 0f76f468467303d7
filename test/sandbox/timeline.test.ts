/**
 * What a member's timeline shows at a given moment, read through the store at fixed times (no
 * clock, no sleeps): `aggregated_at` as MX defines it, `is_authenticated` while CHALLENGED, and
 * PREVENTED after three DENIED in a row.
 *
 * - aggregated_at: "the most recent aggregation process was started"
 *   (https://docs.mx.com/resources/webhooks/member); the API shows it once a job settled, equal to
 *   the settle time so it matches successfully_aggregated_at, and null while the first job runs
 *   and while CHALLENGED.
 * - is_authenticated false while CHALLENGED: MX's MFA guide's example
 *   (https://docs.mx.com/other/specialized-document-aggregation/dealing-with-mfa).
 * - PREVENTED: "The end user's entered credentials have failed to connect three times in a row"
 *   (https://docs.mx.com/api-reference/nexus/reference/01-members-overview, MX's connection statuses).
 */
import { describe, expect, it } from 'vitest';
import { startAggregation, type Timing } from '../../src/sandbox/aggregation.js';
import { addMemberRecord } from '../../src/sandbox/handlers/members.js';
import { INSTITUTIONS, type Outcome } from '../../src/sandbox/mxbank.js';
import { SandboxStore } from '../../src/sandbox/store.js';

const TIMING: Timing = { aggregationMs: 100, challengeWindowMs: 1_000, slowMs: 500 };
const T0 = Date.UTC(2026, 0, 1);
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function memberWith(outcome: Outcome) {
  const store = new SandboxStore(TIMING);
  const member = addMemberRecord(store, {
    clientId: 'c', userGuid: 'USR-1', id: null, institution: INSTITUTIONS.get('mxbank')!, outcome, metadata: null, now: T0, fingerprint: null,
  });
  startAggregation(member.timeline, T0, TIMING, 'CRD-1');
  return { store, member };
}

describe('aggregated_at and is_authenticated over one aggregation', () => {
  const rows: Array<[string, Outcome, number, { status: string; aggregated: number | null; success: number | null; authenticated: boolean }]> = [
    ['the first aggregation running', 'connected', T0 + 50, { status: 'CREATED', aggregated: null, success: null, authenticated: false }],
    ['settled CONNECTED', 'connected', T0 + 150, { status: 'CONNECTED', aggregated: T0 + 100, success: T0 + 100, authenticated: true }],
    ['settled DENIED', 'denied', T0 + 150, { status: 'DENIED', aggregated: T0 + 100, success: null, authenticated: false }],
    ['CHALLENGED', 'challenge', T0 + 150, { status: 'CHALLENGED', aggregated: null, success: null, authenticated: false }],
    ['a challenge that expired', 'challenge', T0 + 1_200, { status: 'EXPIRED', aggregated: T0 + 1_100, success: null, authenticated: false }],
  ];
  it.each(rows)('%s', (_, outcome, at, want) => {
    const { store, member } = memberWith(outcome);
    const status = store.memberStatusJson(member, at);
    expect([status.connection_status, status.aggregated_at, status.successfully_aggregated_at, status.is_authenticated])
      .toEqual([want.status, iso(want.aggregated), iso(want.success), want.authenticated]);
    expect(store.memberJson(member, at).aggregated_at).toBe(iso(want.aggregated));
  });

  it('CHALLENGED on a later aggregation of a connected member: aggregated_at null, is_authenticated false', () => {
    const { store, member } = memberWith('connected');
    startAggregation(member.timeline, T0 + 1_000, TIMING, 'CRD-2', 'aggregate', 'challenge');
    const status = store.memberStatusJson(member, T0 + 1_150);
    expect([status.connection_status, status.aggregated_at, status.successfully_aggregated_at, status.is_authenticated])
      .toEqual(['CHALLENGED', null, iso(T0 + 100), false]);
  });
});

describe('PREVENTED after credentials failed to connect three times in a row', () => {
  // Each row: the outcomes of consecutive aggregations, and the status each one settles in.
  const rows: Array<[string, Outcome[], string[]]> = [
    ['three DENIED', ['denied', 'denied', 'denied'], ['DENIED', 'DENIED', 'PREVENTED']],
    ['a fourth stays PREVENTED', ['denied', 'denied', 'denied', 'denied'], ['DENIED', 'DENIED', 'PREVENTED', 'PREVENTED']],
    ['a connection in between starts the count again', ['denied', 'denied', 'connected', 'denied', 'denied'], ['DENIED', 'DENIED', 'CONNECTED', 'DENIED', 'DENIED']],
    ['right credentials after PREVENTED connect', ['denied', 'denied', 'denied', 'connected'], ['DENIED', 'DENIED', 'PREVENTED', 'CONNECTED']],
    ['other failures do not count', ['denied', 'failed', 'denied', 'denied'], ['DENIED', 'FAILED', 'DENIED', 'DENIED']],
  ];
  it.each(rows)('%s', (_, outcomes, want) => {
    const { store, member } = memberWith(outcomes[0]!);
    const seen: unknown[] = [];
    outcomes.forEach((outcome, i) => {
      const startedAt = T0 + i * 1_000;
      if (i > 0) startAggregation(member.timeline, startedAt, TIMING, `CRD-${i}`, 'aggregate', outcome);
      seen.push(store.memberJson(member, startedAt + 500).connection_status);
    });
    expect(seen).toEqual(want);
  });
});
