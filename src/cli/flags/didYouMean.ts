/**
 * "Did you mean …" for a mistyped command or flag: the closest known name within two edits.
 */

function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length] ?? Number.POSITIVE_INFINITY;
}

/**
 * The known name closest to `given`, if it is at most two edits away (or `given` is its prefix).
 *
 * @example
 * closest('onbaord', ['onboard', 'offboard']) // 'onboard'
 */
export function closest(given: string, known: readonly string[]): string | null {
  let best: string | null = null;
  let bestDistance = 3;
  for (const name of known) {
    const d = name.startsWith(given) && given.length >= 3 ? 1 : distance(given, name);
    if (d < bestDistance) {
      best = name;
      bestDistance = d;
    }
  }
  return best;
}

/**
 * The flags a command's usage text names, e.g. `--job`, `--store`.
 *
 * @example
 * flagsOf('  --job NAME  the job') // ['--job']
 */
export const flagsOf = (usage: string): string[] => [...new Set(usage.match(/--[a-z][a-z-]*/g) ?? [])];
