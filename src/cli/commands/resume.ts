/**
 * `mx-lifecycle resume --job NAME`: lets a job paused by `mx-lifecycle pause` go on (./pause.ts).
 */
import type { Command } from './command.js';
import { pauseCommand } from './pause.js';

export const command: Command = pauseCommand('resume');
