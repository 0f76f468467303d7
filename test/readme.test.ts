/** The README is the user's manual: these checks keep it true to the code it describes. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderTransitionTable } from '../machines/transitions.js';
import { COMMAND_FLAGS, flagHelp } from '../src/cli/flags/flagTable.js';

const readme = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8');

describe('README', () => {
  it('shows the set-up commands', () => {
    expect(readme).toContain('npm ci && npm run demo');
    expect(readme).toContain('npm test');
  });

  it('holds the error transition table exactly as the machines render it', () => {
    expect(readme).toContain(renderTransitionTable());
  });

  it.each(['onboard', 'offboard', 'status', 'demo', 'sandbox', 'dashboard', 'answer', 'retry', 'check', 'cancel', 'export', 'history', 'refresh'])('documents every flag of `%s` in the flag table', (name) => {
    const flags = COMMAND_FLAGS[name] ?? [];
    expect(flags.length).toBeGreaterThan(0);
    expect(flags.filter((flag) => !readme.includes(`\`${flag}`))).toEqual([]);
  });

  it('prints every command\'s --help flags from the flag table', async () => {
    const files: Record<string, string> = { history: 'customerHistory', retry: 'retryCustomers' };
    for (const name of Object.keys(COMMAND_FLAGS)) {
      const { command } = (await import(`../src/cli/commands/${files[name] ?? name}.ts`)) as { command: { usage: string } };
      expect(command.usage).toContain(flagHelp(name));
      expect([...new Set(command.usage.match(/^ {2}--[a-z][a-z-]+/gm) ?? [])].map((flag) => flag.trim())).toEqual(COMMAND_FLAGS[name]);
    }
  });

  it('documents every example script', async () => {
    const { readdirSync } = await import('node:fs');
    const scripts = readdirSync(join(import.meta.dirname, '..', 'examples')).filter((f) => f.endsWith('.ts'));
    expect(scripts.filter((file) => !readme.includes(`examples/${file}`))).toEqual([]);
  });
});
