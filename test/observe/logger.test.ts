/**
 * Log lines: pino's redaction removes secrets by path wherever a logged object carries them, the
 * text format is one readable line, and the level filters.
 */
import { describe, expect, it } from 'vitest';
import { createJobLogger, textLine } from '../../src/observe/logger.js';

describe('job logs', () => {
  it('redact credentials, keys, tokens and answers by path, in JSON and in text', () => {
    for (const format of ['json', 'text'] as const) {
      const lines: string[] = [];
      const log = createJobLogger({ format, level: 'info', write: (line) => lines.push(line) });
      log.warn({ customer: 'c1', member: { credentials: { username: 'planted-user', password: 'planted-pass' } }, apiKey: 'planted-key', request: { headers: { authorization: 'Bearer planted-token' } }, answers: ['planted-answer'] }, 'customer failed');
      expect(lines).toHaveLength(1);
      const line = lines[0] ?? '';
      for (const secret of ['planted-user', 'planted-pass', 'planted-key', 'planted-token', 'planted-answer']) expect(line).not.toContain(secret);
      expect(line).toContain('[REDACTED]');
      expect(line).toContain('c1');
    }
  });

  it('write text as time, level, message and fields, and leave out what the level filters', () => {
    const lines: string[] = [];
    const log = createJobLogger({ format: 'text', level: 'warn', write: (line) => lines.push(line) });
    log.info({ customer: 'c1' }, 'customer done');
    log.error({ job: 'march', kind: 'unauthorized' }, 'job halted');
    expect(lines).toEqual([expect.stringMatching(/^\d{4}-\d\d-\d\dT[\d:.]+Z ERROR job halted job=march kind=unauthorized\n$/)]);
    expect(textLine('{"level":30,"time":0,"msg":"step retried","reason":"a b"}')).toBe('1970-01-01T00:00:00.000Z INFO step retried reason="a b"\n');
  });
});
