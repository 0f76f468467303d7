/**
 * Structured logs of a job with pino: one line per halt, per retry (a request sent again, or a
 * step retried after a classified error), per give-up (a machine that failed for good) and per
 * customer that ends, as JSON or as text. pino's redaction removes credentials, keys, tokens and
 * answers by path before a line is written; the destination the caller gives is the last guard.
 */
import { pino, type Logger, type LevelWithSilent } from 'pino';
import type { ObservableMxClient } from '../api/index.js';
import type { Runtime } from '../durable/index.js';
import type { JobWatch } from './jobWatch.js';
import type { LogFormat } from './levels.js';
import { reasonOf } from './snapshotView.js';

export { LOG_LEVELS, type LogFormat } from './levels.js';

export interface JobLoggerOptions {
  /** @default 'text' */
  format: LogFormat;
  /** @default 'info' */
  level: LevelWithSilent;
  /** Where each line goes (with its newline). @default process.stderr */
  write: (line: string) => void;
}

/** Paths pino removes wherever a logged object carries them. */
export const REDACTED_PATHS = [
  'apiKey', '*.apiKey', 'password', '*.password', 'credentials', '*.credentials', '*.*.credentials', 'token', '*.token',
  'accessToken', '*.accessToken', 'authorization', '*.authorization', 'headers', '*.headers', 'answers', '*.answers', '*.*.answers',
];

const TEXT_SKIP = new Set(['level', 'time', 'msg', 'pid', 'hostname']);

/**
 * A line as a person reads it: time, level, message, then `key=value` pairs.
 *
 * @example
 * textLine('{"level":40,"time":0,"msg":"customer failed","customer":"c1"}') // '1970-01-01T00:00:00.000Z WARN customer failed customer=c1\n'
 */
export function textLine(json: string): string {
  const record = JSON.parse(json) as Record<string, unknown>;
  const level = pino.levels.labels[Number(record.level)] ?? String(record.level);
  const fields = Object.entries(record)
    .filter(([key]) => !TEXT_SKIP.has(key))
    .map(([key, value]) => `${key}=${typeof value === 'string' ? (/\s/.test(value) ? JSON.stringify(value) : value) : JSON.stringify(value)}`);
  return `${new Date(Number(record.time)).toISOString()} ${level.toUpperCase()} ${String(record.msg ?? '')}${fields.length ? ` ${fields.join(' ')}` : ''}\n`;
}

/**
 * A pino logger writing JSON or text lines.
 *
 * @example
 * const log = createJobLogger({ format: 'json', level: 'info' });
 * log.info({ customer: 'c1' }, 'customer done');
 */
export function createJobLogger(options: Partial<JobLoggerOptions> = {}): Logger {
  const write = options.write ?? ((line: string) => void process.stderr.write(line));
  const format = options.format ?? 'text';
  return pino(
    { level: options.level ?? 'info', base: undefined, redact: { paths: REDACTED_PATHS, censor: '[REDACTED]' } },
    { write: (line: string) => write(format === 'json' ? line : textLine(line)) },
  );
}

/**
 * Writes the lines of one run: halts, retries, give-ups and final customers. Returns a function
 * that stops.
 *
 * @example
 * const stop = logJobEvents(createJobLogger(), { job: 'march', runtime, client, watch });
 */
export function logJobEvents(log: Logger, source: { job: string; runtime: Pick<Runtime, 'events'>; client: Pick<ObservableMxClient, 'events'>; watch?: JobWatch }): () => void {
  const job = source.job;
  const subscriptions = [
    source.runtime.events.on('job.halted', (e) => log.error({ job, kind: e.error.kind, error: e.error.message }, 'job halted')),
    source.runtime.events.on('item.final', (e) => {
      const reason = reasonOf(e.outcome);
      const fields = { job, customer: e.itemId, state: e.state, ...(reason ? { reason } : {}) };
      if (e.state === 'done') log.info(fields, 'customer done');
      else if (e.state === 'needsAction') log.warn(fields, 'customer needs action');
      else if (e.state === 'failed') log.warn(fields, 'customer failed');
      else log.info(fields, 'customer cancelled');
    }),
    source.client.events.on('retried', (e) => log.info({ job, request: `${e.method} ${e.path}`, reason: e.reason, attempt: e.attempt, delayMs: e.delayMs }, 'request retried')),
  ];
  const off = source.watch?.onTransition((customer, entry) => {
    if (entry.to.includes('waitingToRetry')) {
      log.info({ job, customer, machine: entry.actor, from: entry.from.join(','), kind: entry.errorKind }, 'step retried');
    } else if (entry.actor !== 'root' && entry.to.includes('failed')) {
      log.warn({ job, customer, machine: entry.actor, from: entry.from.join(','), kind: entry.errorKind, error: entry.errorMessage }, 'gave up');
    }
  });
  return () => {
    for (const s of subscriptions) s.dispose();
    off?.();
  };
}
