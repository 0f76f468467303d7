/**
 * The flag table is the one place a flag's help and default are written: every command's rows
 * resolve, no row is dead or ambiguous, and the defaults shown are the owners' constants.
 */
import { describe, expect, it } from 'vitest';
import { defaultLifecycleOptions } from '../../machines/index.js';
import { DEFAULT_LEASE_MS } from '../../src/durable/index.js';
import { DEFAULT_OUTAGE_BUDGET_MS } from '../../src/durable/outage.js';
import { COMMAND_FLAGS, FLAG_TABLE, flagHelp, flagSpec, renderFlags } from '../../src/cli/flags/flagTable.js';
import { CONNECTION_OPTIONS, JOB_OPTIONS } from '../../src/cli/flags/jobFlags.js';
import { WEBHOOK_FLAG_NAMES } from '../../src/cli/flags/webhookFlags.js';

describe('the flag table', () => {
  it('has one row for each flag of each command, and no row no command uses', () => {
    const used = new Set(Object.entries(COMMAND_FLAGS).flatMap(([command, names]) => names.map((name) => flagSpec(command, name))));
    expect(FLAG_TABLE.filter((row) => !used.has(row))).toEqual([]);
    const shared = FLAG_TABLE.filter((row) => row.commands === undefined).map((row) => row.name);
    expect(shared.filter((name, i) => shared.indexOf(name) !== i)).toEqual([]);
    for (const [command, names] of Object.entries(COMMAND_FLAGS)) expect(new Set(names).size, command).toBe(names.length);
  });

  it('lists exactly the flags the job commands parse, with the same value types', () => {
    const parsed = { ...JOB_OPTIONS, ...Object.fromEntries(WEBHOOK_FLAG_NAMES.map((name) => [name, { type: 'string' }])) };
    const listed = COMMAND_FLAGS.onboard ?? [];
    expect(listed.map((name) => name.slice(2)).toSorted()).toEqual(Object.keys(parsed).toSorted());
    for (const name of listed) expect(flagSpec('onboard', name).type, name).toBe(parsed[name.slice(2) as keyof typeof parsed].type);
    for (const name of Object.keys(CONNECTION_OPTIONS)) expect(COMMAND_FLAGS.check, name).toContain(`--${name}`);
  });

  it('shows the defaults of their owners, not copies', () => {
    const onboard = flagHelp('onboard');
    expect(onboard).toContain(`(default ${defaultLifecycleOptions.maxAttempts})`);
    expect(onboard).toContain(`(default ${defaultLifecycleOptions.pollIntervalMs};`);
    expect(onboard).toContain(`(default ${DEFAULT_LEASE_MS})`);
    expect(DEFAULT_OUTAGE_BUDGET_MS).toBe(15 * 60_000);
    expect(onboard).toContain('(default 15m)');
  });

  it('lines the help texts up after the longest flag, continuation lines included', () => {
    const text = renderFlags([
      { name: '--job', value: 'NAME', type: 'string', help: 'the job' },
      { name: '--json', type: 'boolean', default: 'off', help: 'one JSON object\non stdout (default {default})' },
    ]);
    expect(text).toBe('  --job NAME  the job\n  --json      one JSON object\n              on stdout (default off)');
  });
});
