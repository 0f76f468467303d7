/**
 * When the next request of one process may leave, decided from the moments requests really left:
 * a schedule of slots one interval apart (slots that a stalled event loop let pass are made up by
 * the next sends, up to `catchUpMs` of them; a limiter idle for longer starts again from
 * now, not with a burst) and, under it, a log of the latest sends, so that no window of `windowMs`
 * ever holds more than the rate's worth whatever the timers did. The limiter asks it
 * right before a request is written, not when the request is queued: a send decided early and
 * then held up by a busy event loop would leave together with the ones decided after it.
 *
 * A request the HTTP client wrote later than it was decided (after the turn's own work, or once a
 * new connection opened) is moved in the log to when it was really written (`moved`): a send that leaves late crowds the
 * API's second with the sends decided after it.
 *
 * The window may change from one decision to the next (it widens while the event loop runs late,
 * see `loopLag.ts`); each decision reads it anew, and the log keeps enough sends for a wider one.
 *
 * The same rules run in Redis for a limit shared by several processes (`sharedSendWindow.ts`).
 */

export interface SendWindow {
  /**
   * How long (ms) until one more request may leave at `now` at `perSecond`; 0 when it may leave
   * now. `null` is unlimited.
   */
  waitMs(now: number, perSecond: number | null): number;
  /** A request left at `now`. */
  record(now: number, perSecond: number | null): void;
  /**
   * The request recorded at `decidedAt` was really written at `writtenAt`, later: the log keeps
   * the later time, so the sends decided after this know where it falls in the API's second.
   */
  moved(decidedAt: number, writtenAt: number): void;
}

/**
 * How far sends may fall behind the schedule and still be made up: two intervals, or 100 ms if
 * that is more. A busy client's event loop stalls for tens of ms at a time; making up no more than
 * two intervals of a stall lost a third of a 100/s rate when one wake-up in ten was 20-100 ms late.
 * The log under the schedule keeps catching up within the rate.
 */
export const CATCH_UP_MS = 100;
const CATCH_UP_INTERVALS = 2;

/** How far behind the schedule (ms) sends are still made up, at a spacing of `intervalMs`. */
export const catchUpMs = (intervalMs: number): number => Math.max(CATCH_UP_INTERVALS * intervalMs, CATCH_UP_MS);

/**
 * The requests one window allows at `perSecond` (a rate under 1/s still allows one), and the
 * spacing of the virtual schedule: the window spread over the rate, so in steady running the
 * schedule alone keeps the log from binding.
 *
 * @example
 * ```ts
 * windowShape(100, 1_020); // { cap: 100, intervalMs: 10.2 }
 * ```
 */
export function windowShape(perSecond: number, windowMs: number): { cap: number; intervalMs: number } {
  const cap = Math.max(1, Math.floor(perSecond));
  return { cap, intervalMs: windowMs / perSecond };
}

/** A window length (ms), fixed or read at each decision. */
export type WindowLength = number | (() => number);

/** The window's length now. */
export const lengthOf = (window: WindowLength): number => (typeof window === 'number' ? window : window());

/**
 * The in-process send window.
 *
 * @example
 * ```ts
 * const window = createSendWindow(1_020); // or () => 1_020 + margin()
 * const now = performance.now();
 * if (window.waitMs(now, 20) === 0) window.record(now, 20); // and send
 * ```
 */
export function createSendWindow(window: WindowLength): SendWindow {
  /** The next slot of the schedule. */
  let next = Number.NEGATIVE_INFINITY;
  /** The latest sends, oldest first, from `head` on; compacted now and then rather than shifted. */
  let sends: number[] = [];
  let head = 0;

  return {
    waitMs(now, perSecond) {
      if (perSecond === null) return 0;
      const windowMs = lengthOf(window);
      const { cap } = windowShape(perSecond, windowMs);
      const scheduleWait = next - now;
      const held = sends.length - head;
      const logWait = held < cap ? 0 : sends[sends.length - cap]! + windowMs - now;
      return Math.max(0, scheduleWait, logWait);
    },
    moved(decidedAt, writtenAt) {
      let i = sends.length - 1;
      while (i >= head && sends[i] !== decidedAt) i -= 1;
      if (i < head || writtenAt <= decidedAt) return;
      sends[i] = writtenAt;
      // Oldest first still: it moves past the sends decided after it and written before it.
      while (i + 1 < sends.length && sends[i + 1]! < writtenAt) {
        sends[i] = sends[i + 1]!;
        sends[i + 1] = writtenAt;
        i += 1;
      }
    },
    record(now, perSecond) {
      sends.push(now);
      if (perSecond === null) {
        // Nothing to keep while unlimited, but a rate learnt later starts from a clean log.
        sends = [];
        head = 0;
        next = Number.NEGATIVE_INFINITY;
        return;
      }
      const { cap, intervalMs } = windowShape(perSecond, lengthOf(window));
      next = (next < now - catchUpMs(intervalMs) ? now : next) + intervalMs;
      // Only the latest `cap` sends are read; a rate that grows later reads at most this many more.
      const keep = cap * 2;
      if (sends.length - head > keep) head = sends.length - keep;
      if (head > 1_024 && head * 2 > sends.length) {
        sends = sends.slice(head);
        head = 0;
      }
    },
  };
}
