/**
 * The last step before a request is written: requests that the queue let through wait here, in
 * order, and each leaves only when the send window (in this process, or shared in Redis) says one
 * more fits now. One timer serves the whole line, so a thousand waiting requests cost one wake-up
 * per send, not a thousand.
 */
import type { Disposable } from '../_internals/index.js';
import type { SendWindow } from './sendWindow.js';
import type { SharedGrant, SharedSendWindow } from './sharedSendWindow.js';

export interface SendGateOptions {
  /** The monotonic clock (ms) pauses are measured on. */
  clock: () => number;
  /** The current rate (requests per second), `null` while unlimited. */
  perSecond: () => number | null;
  /** When this process's pause ends, on `clock`. */
  pausedUntil: () => number;
  /** Exactly one of the two decides: the local window, or the one shared in Redis. */
  local: SendWindow | null;
  shared: SharedSendWindow | null;
}

/**
 * Called in the turn the request's bytes are handed to the connection. When that is later than
 * the decision (the HTTP client writes after the turn's own work, and after a new connection
 * opens), the window records the later time. A caller that cannot tell need not call it.
 */
export type Written = () => void;

/** Below this (ms) a write counts as on time: the window's margin covers it. */
export const LATE_WRITE_MS = 1;

export interface SendGate {
  /**
   * Resolves when the request may be written, which should then start in the same turn (and call
   * the `Written` it resolves to when it really leaves). `first`
   * puts it at the head of the line (a request refused with a 429 goes first after the pause).
   */
  take(first?: boolean): Promise<Written>;
  /** Every send decided, with its time (the local clock, or Redis's for a shared window, in ms). */
  onSend(listener: (atMs: number) => void): Disposable;
  /** Someone paused, or a pause grew: look again when it ends. */
  recheck(): void;
  /** Requests waiting to be written. */
  waiting(): number;
  /** Rejects every waiting request with `reason`. */
  stop(reason: unknown): void;
}

interface Waiter {
  resolve(written: Written): void;
  reject(reason: unknown): void;
}

/**
 * Builds the gate of one limiter.
 *
 * @example
 * ```ts
 * const gate = createSendGate({ clock, perSecond: () => 20, pausedUntil: () => 0, local: createSendWindow(1_020), shared: null });
 * await gate.take();
 * send(); // in the same turn
 * ```
 */
export function createSendGate(options: SendGateOptions): SendGate {
  const { clock, perSecond, pausedUntil, local, shared } = options;
  const line: Waiter[] = [];
  const listeners = new Set<(atMs: number) => void>();
  let timer: NodeJS.Timeout | null = null;
  let asking = false;
  let stopped = false;

  const sent = (atMs: number, written: Written): void => {
    for (const listener of listeners) listener(atMs);
    line.shift()?.resolve(written);
  };

  const arm = (waitMs: number): void => {
    if (timer) clearTimeout(timer);
    // Timers fire in whole milliseconds; a shorter wait would spin. The window's catch-up makes
    // the rounding up good again on the next sends.
    timer = setTimeout(() => {
      timer = null;
      pump();
    }, Math.max(1, Math.ceil(waitMs)));
  };

  const pumpLocal = (window: SendWindow): void => {
    // stop() empties the line.
    while (line.length > 0) {
      const now = clock();
      const rate = perSecond();
      const waitMs = Math.max(pausedUntil() - now, window.waitMs(now, rate));
      if (waitMs > 0) {
        arm(waitMs);
        return;
      }
      window.record(now, rate);
      sent(now, () => {
        const at = clock();
        if (at - now >= LATE_WRITE_MS) window.moved(now, at);
      });
    }
  };

  /** One question to Redis at a time, for the whole line: what it grants goes to the line's head. */
  const pumpShared = async (window: SharedSendWindow): Promise<void> => {
    if (asking) return;
    asking = true;
    try {
      while (line.length > 0) {
        const pauseMs = pausedUntil() - clock();
        if (pauseMs > 0) {
          arm(pauseMs);
          return;
        }
        let answer: SharedGrant;
        // Redis decided between the question and the answer: lateness counts from the question.
        const askedAt = clock();
        try {
          answer = await window.take(perSecond(), line.length);
        } catch (error) {
          // Redis is unreachable: the request fails as the network error it is, the next one asks again.
          line.shift()?.reject(error);
          continue;
        }
        const { atMs, ids } = answer;
        for (const id of ids) {
          sent(atMs, () => {
            const lateMs = clock() - askedAt;
            if (lateMs >= LATE_WRITE_MS) window.moved(id, atMs, lateMs).catch(() => undefined);
          });
        }
        if (ids.length === 0 || line.length > 0) {
          if (answer.waitMs > 0) {
            arm(answer.waitMs);
            return;
          }
        }
      }
    } finally {
      asking = false;
    }
  };

  function pump(): void {
    if (timer) return;
    if (local) pumpLocal(local);
    else if (shared) void pumpShared(shared);
  }

  return {
    take(first = false) {
      if (stopped) return Promise.reject(new Error('the send gate is stopped'));
      return new Promise<Written>((resolve, reject) => {
        if (first) line.unshift({ resolve, reject });
        else line.push({ resolve, reject });
        pump();
      });
    },
    onSend(listener) {
      listeners.add(listener);
      return { dispose: () => void listeners.delete(listener) };
    },
    recheck() {
      if (timer) clearTimeout(timer);
      timer = null;
      pump();
    },
    waiting: () => line.length,
    stop(reason) {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = null;
      for (const waiter of line.splice(0)) waiter.reject(reason);
    },
  };
}
