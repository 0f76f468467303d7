/** Flags that take a duration (`--outage-budget`, `--mfa-wait`). */
import type { UsageProblem } from './command.js';

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/;
const DURATION_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/**
 * A duration such as `15m`, `90s`, `500ms` or `2h` (a bare number is seconds), in ms.
 *
 * @example
 * durationFlag('outage-budget', '15m') // 900000
 */
export function durationFlag(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const match = DURATION.exec(value.trim());
  const ms = match ? Math.round(Number(match[1]) * (DURATION_MS[match[2] ?? 's'] ?? 1_000)) : Number.NaN;
  if (!Number.isFinite(ms) || ms > 7 * 24 * 3_600_000) throw { usage: `--${flag} must be a duration such as 15m, 90s or 0 (at most 7 days), not '${value}'` } satisfies UsageProblem;
  return ms;
}
