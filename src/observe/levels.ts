/**
 * The log levels and formats, apart from the logger so that reading the flags does not load pino.
 */
import type { LevelWithSilent } from 'pino';

export type LogFormat = 'text' | 'json';
export const LOG_LEVELS: readonly LevelWithSilent[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
