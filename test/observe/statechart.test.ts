/**
 * The laid-out statecharts keep a box for each line's label (elkjs places them as nodes of their
 * own), so no two labels overlap, none covers a state, and all sit inside the chart.
 */
import { describe, expect, it } from 'vitest';
import { lifecycleCharts } from '../../src/observe/charts.js';
import { shortLabel } from '../../src/observe/statechart.js';

type Box = { x: number; y: number; width: number; height: number };
const overlap = (a: Box, b: Box): boolean => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

describe('statechart layout', () => {
  // A generous bound for liveness only: elkjs lays out the four charts in seconds, longer on a busy machine.
  it('gives every transition a label box apart from every other label and state, inside the chart', { timeout: 180_000 }, async () => {
    for (const chart of await lifecycleCharts()) {
      const boxes = chart.transitions.map((t) => ({ id: t.id, box: t.labelBox }));
      for (const { id, box } of boxes) {
        expect(box, `${chart.machine} ${id}`).not.toBeNull();
        if (!box) continue;
        expect(box.x >= 0 && box.y >= 0 && box.x + box.width <= chart.width && box.y + box.height <= chart.height, `${chart.machine} ${id} outside`).toBe(true);
        for (const state of chart.states.filter((s) => !s.compound)) expect(overlap(box, state), `${chart.machine} ${id} on ${state.path}`).toBe(false);
      }
      for (let i = 0; i < boxes.length; i += 1) {
        for (let j = i + 1; j < boxes.length; j += 1) {
          const [a, b] = [boxes[i]!, boxes[j]!];
          expect(overlap(a.box!, b.box!), `${chart.machine}: ${a.id} and ${b.id}`).toBe(false);
        }
      }
    }
  });

  it('shows the first event on the line and counts the others, which the hover lists', () => {
    expect(shortLabel('createMember ok')).toBe('createMember ok');
    expect(shortLabel('createMember error: duplicate\ncreateMember error: retryable\nmember.deleted')).toBe('createMember error: duplicate (+2)');
  });
});
