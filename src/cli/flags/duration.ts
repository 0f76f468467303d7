/** Flags that take a duration (`--outage-budget`, `--mfa-wait`). */
import type { UsageProblem } from '../commands/command.js';

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/;
const DURATION_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const WEEK_MS = 7 * 86_400_000;

/**
 * A duration such as `15m`, `90s`, `500ms` or `2h` (a bare number is seconds), in ms.
 *
 * @example
 * durationFlag('outage-budget', '15m') // 900000
 */
export function durationFlag(flag: string, value: string | undefined, maxMs = WEEK_MS): number | undefined {
  if (value === undefined) return undefined;
  const match = DURATION.exec(value.trim());
  const ms = match ? Math.round(Number(match[1]) * (DURATION_MS[match[2] ?? 's'] ?? 1_000)) : Number.NaN;
  if (!Number.isFinite(ms) || ms > maxMs) {
    throw { usage: `--${flag} must be a duration such as 15m, 90s or 0 (at most ${formatDuration(maxMs)}), not '${value}'` } satisfies UsageProblem;
  }
  return ms;
}

/**
 * A duration in ms as the flags spell it, in its largest whole unit.
 *
 * @example
 * formatDuration(14 * 86_400_000) // '14d'
 */
export function formatDuration(ms: number): string {
  for (const unit of ['d', 'h', 'm', 's'] as const) {
    const size = DURATION_MS[unit] ?? 1;
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}
