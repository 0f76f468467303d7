/**
 * Shows progress where it will be read: a live bar redrawn in place on a terminal, and on
 * anything else (CI logs, a pipe, a file) one JSON line every few seconds that a log collector can
 * parse. Both go to stderr, so stdout holds only the final summary.
 */
import type { ProgressFigures, ProgressTracker } from './progress.js';

export interface ProgressViewOptions {
  /** Where to draw; `isTTY` picks the bar or JSON lines. */
  stream: NodeJS.WriteStream | (NodeJS.WritableStream & { isTTY?: boolean; columns?: number });
  job: string;
  /** How often a JSON line is written when not on a terminal (default 5000 ms). */
  jsonEveryMs?: number;
}

export interface ProgressView {
  /** Draws the last figures (the bar's last frame, or a final JSON line) and stops. */
  stop(): void;
}

/** A terminal is redrawn 5 times a second: smooth enough, and cheap. */
const TTY_EVERY_MS = 200;
const BAR_WIDTH = 20;

function clock(seconds: number | null): string {
  if (seconds === null) return '--:--';
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${rest}` : `${m}:${rest}`;
}

/**
 * The bar's text for one set of figures.
 *
 * @example
 * progressLine({ total: 10, done: 5, needsAction: 1, failed: 0, cancelled: 0, inFlight: 2, pending: 2,
 *   requestsPerSecond: 12.5, rateLimited: 0, tokenRefreshes: 0, elapsedSeconds: 3, etaSeconds: 4 })
 * // '[████████████░░░░░░░░]  6/10  done 5 · needs action 1 · failed 0 · in flight 2 · 12.5 req/s · 429s 0 · ETA 0:04'
 */
export function progressLine(f: ProgressFigures, compact = false): string {
  const finished = f.done + f.needsAction + f.failed + f.cancelled;
  const width = compact ? BAR_WIDTH / 2 : BAR_WIDTH;
  const filled = f.total === 0 ? width : Math.min(width, Math.round((finished / f.total) * width));
  const bar = `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}]`;
  const count = `${String(finished).padStart(String(f.total).length)}/${f.total}`;
  const rate = f.requestsPerSecond.toFixed(1);
  const o = f.outage;
  const endUsers = f.waitingOnEndUsers ? (compact ? ` endusers ${f.waitingOnEndUsers}` : ` · waiting on end users ${f.waitingOnEndUsers}`) : '';
  const p = f.pause;
  if (compact) {
    const outage = o ? ` outage ${clock(o.waitedSeconds)}/${clock(o.budgetSeconds)}` : '';
    const paused = p ? ` ${p.state} ${clock(p.pausedSeconds)}` : '';
    return `${bar} ${count} done ${f.done} action ${f.needsAction} failed ${f.failed} flight ${f.inFlight} ${rate}/s 429s ${f.rateLimited} ETA ${clock(f.etaSeconds)}${endUsers}${outage}${paused}`;
  }
  const outage = o ? ` · MX unreachable: waiting ${clock(o.waitedSeconds)} of ${clock(o.budgetSeconds)}, next try in ${clock(o.nextTryInSeconds)}` : '';
  const paused = p
    ? ` · ${p.state === 'paused' ? 'paused' : 'pausing (requests in flight finish)'} for ${clock(p.pausedSeconds)}: mx-lifecycle resume lets it go on`
    : '';
  return `${bar} ${count}  done ${f.done} · needs action ${f.needsAction} · failed ${f.failed} · in flight ${f.inFlight} · ${rate} req/s · 429s ${f.rateLimited} · ETA ${clock(f.etaSeconds)}${endUsers}${outage}${paused}`;
}

/**
 * Starts drawing the tracker's figures.
 *
 * @example
 * const view = showProgress(tracker, { stream: process.stderr, job: 'march-cohort' });
 * await runtime.run('march-cohort');
 * view.stop();
 */
export function showProgress(tracker: ProgressTracker, options: ProgressViewOptions): ProgressView {
  const { stream, job } = options;
  const tty = stream.isTTY === true;
  const draw = (last: boolean): void => {
    const figures = tracker.figures();
    if (tty) {
      const columns = 'columns' in stream && typeof stream.columns === 'number' && stream.columns > 20 ? stream.columns : 120;
      // A narrow terminal gets the short labels before anything is cut, so the ETA stays in view.
      const full = progressLine(figures);
      const line = full.length < columns ? full : progressLine(figures, true);
      stream.write(`\r\x1b[2K${line.length >= columns ? `${line.slice(0, columns - 2)}…` : line}${last ? '\n' : ''}`);
    } else {
      stream.write(`${JSON.stringify({ type: 'progress', job, at: new Date().toISOString(), ...figures, ...(last ? { final: true } : {}) })}\n`);
    }
  };
  if (tty) draw(false);
  const timer = setInterval(() => draw(false), tty ? TTY_EVERY_MS : (options.jsonEveryMs ?? 5_000));
  timer.unref();
  let stopped = false;
  return {
    stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      draw(true);
    },
  };
}
