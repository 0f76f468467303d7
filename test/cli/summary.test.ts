import { describe, expect, it } from 'vitest';
import { counted } from '../../src/cli/ui/counted.js';
import { summaryText, type RunSummary } from '../../src/cli/ui/summary.js';

const summary = (counts: Partial<RunSummary['counts']>): RunSummary => ({
  command: 'onboard', job: 'one', kind: 'onboard', result: 'finished', durationMs: 1_200,
  counts: { pending: 0, active: 0, done: 0, needsAction: 0, failed: 0, cancelled: 0, halted: 0, ...counts },
  badRows: 0, halt: null, report: 'r.json', store: 'sqlite:s', statusCommand: 'mx-lifecycle status --job one',
  needsAction: [], failed: [], expectedOutcomes: false,
});

describe('the summary', () => {
  it('says "1 customer", not "1 customers"', () => {
    expect(summaryText(summary({ done: 1 }))).toContain('\n  1 customer: 1 done, 0 need action, 0 failed');
    expect(summaryText(summary({ done: 2 }))).toContain('\n  2 customers: 2 done');
    expect(summaryText(summary({}))).toContain('\n  0 customers: 0 done');
  });

  it('counts any noun the same way', () => {
    expect([counted(0, 'connection'), counted(1, 'connection'), counted(12, 'connection')]).toEqual(['0 connections', '1 connection', '12 connections']);
  });
});
