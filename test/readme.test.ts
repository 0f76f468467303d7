/** The README is the user's manual: these checks keep it true to the code it describes. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderTransitionTable } from './machines/transitions.js';

const readme = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8');

describe('README', () => {
  it('shows the set-up commands', () => {
    expect(readme).toContain('npm ci && npm run demo');
    expect(readme).toContain('npm test');
  });

  it('holds the error transition table exactly as the machines render it', () => {
    expect(readme).toContain(renderTransitionTable());
  });

  it.each(['onboard', 'offboard', 'status', 'demo', 'sandbox', 'dashboard', 'answer', 'retry', 'check', 'cancel', 'export', 'history', 'refresh'])('documents every flag of `%s`', async (name) => {
    const { command } = (await import(`../src/cli/${name}.ts`)) as { command: { usage: string } };
    const flags = [...new Set(command.usage.match(/--[a-z][a-z-]+/g) ?? [])];
    expect(flags.length).toBeGreaterThan(0);
    expect(flags.filter((flag) => !readme.includes(`\`${flag}`))).toEqual([]);
  });

  it('documents every example script', async () => {
    const { readdirSync } = await import('node:fs');
    const scripts = readdirSync(join(import.meta.dirname, '..', 'examples')).filter((f) => f.endsWith('.ts'));
    expect(scripts.filter((file) => !readme.includes(`examples/${file}`))).toEqual([]);
  });
});
