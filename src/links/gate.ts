/**
 * What keeps a flood of clicks from becoming a flood of requests to MX: at most
 * `maxMintsInFlight` mints at once over the whole server, and at most `mintsPerMinute` per
 * connection. The per-connection table is bounded, so a flood of distinct valid tokens cannot
 * grow memory without limit (the oldest entries are dropped first).
 */
import type { LinkRef } from './token.js';

export interface LinkGateOptions {
  /**
   * Clicks a minute one connection may turn into MX requests; more get a "wait a minute" page.
   * @default 6
   */
  mintsPerMinute: number;
  /**
   * Requests being answered at once over the whole server (each may read the store and mint);
   * more get a "try again in a moment" page.
   * @default 16
   */
  maxMintsInFlight: number;
  /**
   * Connections whose recent clicks are remembered.
   * @default 10000
   */
  maxTracked: number;
}

export const defaultLinkGateOptions: Readonly<LinkGateOptions> = Object.freeze({ mintsPerMinute: 6, maxMintsInFlight: 16, maxTracked: 10_000 });

const WINDOW_MS = 60_000;

interface Entry {
  /** Start times of this connection's admitted clicks in the last minute. */
  starts: number[];
  /** When its opening was last recorded. */
  openedAt: number;
}

export interface LinkGate {
  /** Takes one of the server's slots for a request ('ok': call `release` after), or 'busy'. */
  enter(): 'ok' | 'busy';
  release(): void;
  /** Whether `ref` may mint once more this minute; counts the mint when it may. */
  mint(ref: LinkRef): 'ok' | 'tooMany';
  /** Whether this click should be recorded as an opening (once a minute per connection at most). */
  firstOpen(ref: LinkRef): boolean;
  /** Connections remembered (for tests of the bound). */
  size(): number;
}

/**
 * A gate with `options` over `defaultLinkGateOptions`.
 *
 * @example
 * ```ts
 * const gate = createLinkGate({ mintsPerMinute: 3 });
 * if (gate.enter() === 'ok') try { if (gate.mint(ref) === 'ok') await mint(); } finally { gate.release(); }
 * ```
 */
export function createLinkGate(options: Partial<LinkGateOptions> = {}, now: () => number = Date.now): LinkGate {
  const { mintsPerMinute, maxMintsInFlight, maxTracked } = {
    mintsPerMinute: options.mintsPerMinute ?? defaultLinkGateOptions.mintsPerMinute,
    maxMintsInFlight: options.maxMintsInFlight ?? defaultLinkGateOptions.maxMintsInFlight,
    maxTracked: options.maxTracked ?? defaultLinkGateOptions.maxTracked,
  };
  const entries = new Map<string, Entry>();
  let inFlight = 0;
  const keyOf = (ref: LinkRef) => JSON.stringify([ref.jobId, ref.customerId, ref.connectionId]);
  const entryOf = (ref: LinkRef): Entry => {
    const key = keyOf(ref);
    let entry = entries.get(key);
    if (entry === undefined) {
      if (entries.size >= maxTracked) entries.delete(entries.keys().next().value as string);
      entry = { starts: [], openedAt: Number.NEGATIVE_INFINITY };
      entries.set(key, entry);
    }
    return entry;
  };
  return {
    enter() {
      if (inFlight >= maxMintsInFlight) return 'busy';
      inFlight += 1;
      return 'ok';
    },
    mint(ref) {
      const at = now();
      const entry = entryOf(ref);
      while (entry.starts.length > 0 && (entry.starts[0] as number) <= at - WINDOW_MS) entry.starts.shift();
      if (entry.starts.length >= mintsPerMinute) return 'tooMany';
      entry.starts.push(at);
      return 'ok';
    },
    release() {
      inFlight = Math.max(0, inFlight - 1);
    },
    firstOpen(ref) {
      const entry = entryOf(ref);
      const at = now();
      if (at - entry.openedAt < WINDOW_MS) return false;
      entry.openedAt = at;
      return true;
    },
    size: () => entries.size,
  };
}
