/**
 * How far V8 lets the heap grow past what survived its last full collection. On a machine with
 * more than 2 GB for the heap, V8 lets it grow to up to four times that; a long job makes objects
 * that live for seconds (the customers in progress, their requests, the dashboard's views of them),
 * V8 promotes them and collects them later, and the process holds four times its live set. A
 * 200,000-customer `onboard --dashboard` held a live set of about 140 MB in a 562-MB heap (RSS
 * peak 681 MB). With the factor at 2 (V8's own on a small machine) its RSS peaked at 459 MB and
 * still grew 11 % from the first minute to the fourth; at 1.5, 392 MB and 6 %, with as many
 * customers finished in the same time (docs/performance.md, "Memory").
 *
 * The CLI sets it as it starts, unless Node was started with `--heap-growing-percent` of its own.
 * A library user decides for their own process: the library sets nothing.
 */
import v8 from 'node:v8';

/** The heap may grow to (1 + this ÷ 100) × what survived the last full collection. */
export const HEAP_GROWING_PERCENT = 50;

const GIVEN = /^--heap[-_]growing[-_]percent(=|$)/;

/**
 * Sets the factor unless `execArgv` already gives one; says whether it did.
 *
 * @example
 * ```ts
 * limitHeapGrowth(); // true: the heap grows to at most 1.5 times its live set
 * ```
 */
export function limitHeapGrowth(
  execArgv: readonly string[] = process.execArgv,
  setFlags: (flags: string) => void = (flags) => v8.setFlagsFromString(flags),
): boolean {
  if (execArgv.some((arg) => GIVEN.test(arg))) return false;
  setFlags(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  return true;
}
