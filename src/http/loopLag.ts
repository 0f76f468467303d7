/**
 * How late this process's event loop has lately been, as the margin a send window adds to its
 * second. On a machine whose CPU is saturated, a request leaves when the limiter decides it, but
 * the API's side (the sandbox on the same machine, or a busy proxy) reads some arrivals up to a
 * stall late and others at once, so a second there can hold sends that were more than a second
 * apart here. Measured with two busy loops beside the client at 200/s, arrivals came up to 129 to
 * 212 ms later than they left, about as late as this process's own timers ran (93 to 201 ms at
 * worst): a loaded machine delays the server's reads as it delays ours. So the window widens by
 * what this process measures, and narrows back once the loop has run on time for `holdMs`.
 *
 * Only lateness the process spent waiting for a CPU counts: a tick late because this process was
 * busy with its own work (a store write, a parse) used CPU time for it, which is taken off. Its
 * own work delays its sends but not the API's reads, so it needs no margin; a machine whose CPUs
 * are all taken delays both.
 *
 * A ticker measures it (every `tickMs`, while someone asked in the last `holdMs`), so an idle
 * limiter costs no wake-ups.
 */

/** The API's second, which the send window must never let hold more than the rate. */
export const SECOND_MS = 1_000;

/**
 * The send window for `lateMs` of recent lateness: a second plus `margin` × the lateness, never
 * less than `baseMs` and never more than a second plus `baseMs`. The base's own margin over a
 * second already covers a little lateness, so the few milliseconds a quiet machine's processes wait
 * for a CPU cost no rate: three workers, the sandbox and Redis on two cores used 95.7 to 96.4 % of a
 * shared 60/s when every millisecond of lateness widened a 1.02-s window, 97.4 % with no margin.
 *
 * @example
 * ```ts
 * widenedWindow(1_020, 1.5, 10); // 1_020: the base covers it
 * widenedWindow(1_020, 1.5, 100); // 1_150
 * ```
 */
export function widenedWindow(baseMs: number, margin: number, lateMs: number): number {
  return Math.max(baseMs, SECOND_MS + Math.min(baseMs, margin * lateMs));
}

export interface LoopLagOptions {
  /** The monotonic clock (ms) lateness is measured on. */
  clock: () => number;
  /** The CPU time (ms) this process has used, user and system. */
  cpuMs: () => number;
  /**
   * How often the ticker looks.
   * @default 10
   */
  tickMs: number;
  /**
   * How long a late tick keeps counting: a send held up by a stall sits in the API's window for a
   * second after it, so the margin lasts a little longer than that.
   * @default 2000
   */
  holdMs: number;
  /**
   * Lateness under this is a timer's ordinary jitter and counts as none, so a quiet process keeps
   * its whole rate.
   * @default 2
   */
  noiseMs: number;
}

export const defaultLoopLagOptions: LoopLagOptions = {
  clock: () => performance.now(),
  cpuMs: () => {
    const { user, system } = process.cpuUsage();
    return (user + system) / 1_000;
  },
  tickMs: 10,
  holdMs: 2_000,
  noiseMs: 2,
};

export interface LoopLag {
  /** The most (ms) the event loop was late within the last `holdMs` before `now`, counting a tick overdue now. */
  lateMs(now: number): number;
  stop(): void;
}

/**
 * Starts measuring when first asked.
 *
 * @example
 * ```ts
 * const lag = createLoopLag();
 * const windowMs = 1_020 + 1.5 * lag.lateMs(performance.now());
 * ```
 */
export function createLoopLag(options: Partial<LoopLagOptions> = {}): LoopLag {
  const { clock, cpuMs, tickMs, holdMs, noiseMs } = { ...defaultLoopLagOptions, ...options };
  /** Late ticks within the hold, lateness falling from the head: the head is the most. */
  const peaks: Array<{ at: number; ms: number }> = [];
  let timer: NodeJS.Timeout | null = null;
  let lastTick = 0;
  let lastCpu = 0;
  let askedAt = Number.NEGATIVE_INFINITY;
  let stopped = false;

  const note = (at: number, ms: number): void => {
    if (ms < noiseMs) return;
    while (peaks.length > 0 && peaks[peaks.length - 1]!.ms <= ms) peaks.pop();
    peaks.push({ at, ms });
  };

  const forget = (now: number): void => {
    while (peaks.length > 0 && peaks[0]!.at < now - holdMs) peaks.shift();
  };

  const tick = (): void => {
    const now = clock();
    const cpu = cpuMs();
    note(now, now - lastTick - tickMs - (cpu - lastCpu));
    lastTick = now;
    lastCpu = cpu;
    if (now - askedAt > holdMs) {
      if (timer) clearInterval(timer);
      timer = null;
    }
  };

  return {
    lateMs(now) {
      askedAt = now;
      if (!timer && !stopped) {
        lastTick = now;
        lastCpu = cpuMs();
        timer = setInterval(tick, tickMs);
        timer.unref();
      }
      forget(now);
      const overdue = timer ? now - lastTick - tickMs - (cpuMs() - lastCpu) : 0;
      return Math.max(peaks[0]?.ms ?? 0, overdue < noiseMs ? 0 : overdue);
    },
    stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      timer = null;
    },
  };
}
