/**
 * Seeded fault injection. Every request that reaches the API's handlers draws exactly three
 * numbers, whether it gets a fault or not, so the same seed and the same sequence of requests give
 * the same faults in every run.
 */
import type { FaultKind } from './options.js';
import { mulberry32 } from './prng.js';

/** What a request can suffer, given what it is. */
export interface FaultTarget {
  /** A DELETE of a user or a member. */
  isDelete: boolean;
  /** A create or delete of a user or a member: the requests whose effect can be lost. */
  isWrite: boolean;
}

export interface Fault {
  kind: FaultKind;
  /** For `lost`: whether the client gets a reset connection rather than a 502. */
  reset: boolean;
}

export class FaultInjector {
  private next: () => number;

  constructor(
    private readonly probability: number,
    private readonly kinds: readonly FaultKind[],
    private readonly seed: number,
  ) {
    this.next = mulberry32(foldSeed(seed));
  }

  /** Starts the sequence over, as a fresh sandbox with the same seed would. */
  reset(): void {
    this.next = mulberry32(foldSeed(this.seed));
  }

  /**
   * The fault for the next request, or undefined.
   *
   * @example
   * const faults = new FaultInjector(0.1, ['bad_gateway', 'reset'], 42);
   * faults.draw({ isDelete: false, isWrite: false }); // the same answer for the first request of every run
   */
  draw(target: FaultTarget): Fault | undefined {
    const hit = this.next();
    const pick = this.next();
    const variant = this.next();
    if (this.probability <= 0 || hit >= this.probability) return undefined;
    const usable = this.kinds.filter((k) => (k === 'delete_failed' ? target.isDelete : k === 'lost' ? target.isWrite : true));
    const kind = usable[Math.floor(pick * usable.length)];
    return kind === undefined ? undefined : { kind, reset: variant < 0.5 };
  }
}

/** Seeds beyond 32 bits still differ after folding. */
function foldSeed(seed: number): number {
  return (Math.trunc(seed) ^ Math.trunc(seed / 2 ** 32)) >>> 0;
}
