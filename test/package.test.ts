/**
 * The package as a user installs it: `npm run build` emits JavaScript and declarations, the exports
 * map resolves `mx-lifecycle` and `mx-lifecycle/machines`, the `bin` runs, and the packed tarball's
 * declarations compile in a strict TypeScript project (see ./support/packedTypes.ts).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileAgainstTarball, packBuilt } from './support/packedTypes.js';

const root = resolve(import.meta.dirname, '..');
const out = mkdtempSync(join(tmpdir(), 'mx-package-'));

beforeAll(() => {
  // Built into a folder of its own, as `npm pack` would ship it, so a parallel build cannot interfere.
  execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json'), '--outDir', join(out, 'dist')], {
    cwd: root,
    stdio: 'pipe',
  });
  copyFileSync(join(root, 'package.json'), join(out, 'package.json'));
  symlinkSync(join(root, 'node_modules'), join(out, 'node_modules'), 'dir');
}, 300_000);
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('the built package', () => {
  it('emits JavaScript and declarations where the exports map points', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      exports: Record<string, { types?: string; import?: string } | string>;
      bin: Record<string, string>;
    };
    for (const target of Object.values(pkg.exports)) {
      if (typeof target === 'string') continue;
      expect(existsSync(join(out, target.import ?? ''))).toBe(true);
      expect(existsSync(join(out, target.types ?? ''))).toBe(true);
    }
    expect(existsSync(join(out, pkg.bin['mx-lifecycle'] ?? ''))).toBe(true);
  });

  it('resolves mx-lifecycle and mx-lifecycle/machines by name, with what the manual documents', () => {
    const script = `
      const lib = await import('mx-lifecycle');
      const machines = await import('mx-lifecycle/machines');
      const sandbox = await import('mx-lifecycle/sandbox');
      console.log(JSON.stringify({ lib: Object.keys(lib).sort(), machines: Object.keys(machines).sort(), sandbox: Object.keys(sandbox).sort() }));`;
    const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: out, encoding: 'utf8' });
    const { lib, machines, sandbox } = JSON.parse(output) as { lib: string[]; machines: string[]; sandbox: string[] };
    for (const name of ['classify', 'createMxClient', 'createRuntime', 'createSqliteStore', 'createPostgresStore', 'openStore', 'readInput']) {
      expect(lib).toContain(name);
    }
    // The sandbox is a rehearsal tool with an entry of its own; the library's entry does not carry it.
    expect(sandbox).toEqual(expect.arrayContaining(['startSandbox', 'defaultSandboxOptions', 'DEFAULT_CLIENT', 'MXBANK_PASSWORDS']));
    expect(lib.filter((name) => sandbox.includes(name))).toEqual([]);
    // Test and README helpers, and the transport's token machine, stay off the public entries.
    for (const name of ['TRANSITION_TABLE', 'renderTransitionTable', 'tokenMachine']) expect([...lib, ...machines]).not.toContain(name);
    for (const name of ['onboardingMachine', 'offboardingMachine', 'userMachine', 'memberMachine', 'provideEffects']) {
      expect(machines).toContain(name);
    }
    // Every runtime export is named in the manual (the README and docs/), but for plumbing the
    // manual leaves out on purpose (names on their way off the entries).
    const manual = ['README.md', ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => join('docs', f))]
      .map((file) => readFileSync(join(root, file), 'utf8'))
      .join('\n');
    const plumbing = new Set(['memberActorId', 'missingActor', 'resolveLifecycleOptions']);
    const missing = [...lib, ...machines, ...sandbox].filter((name) => !plumbing.has(name) && !manual.includes(`\`${name}\``));
    expect(missing).toEqual([]);
  });

  it('runs the mx-lifecycle bin from the build', () => {
    const help = spawnSync(process.execPath, [join(out, 'dist/src/cli/main.js'), '--help'], { encoding: 'utf8' });
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('usage: mx-lifecycle <command>');
    for (const command of ['onboard', 'offboard', 'status', 'demo', 'sandbox']) expect(help.stdout).toContain(command);
  });

  // A consumer with `strict` and `skipLibCheck: false` reads every declaration file of the package:
  // one that imports a module whose types are only a devDependency of mx-lifecycle fails with
  // TS7016 there, in a project that did nothing wrong.
  it('compiles an import of every entry in a strict project that installed the packed tarball', () => {
    const tarball = packBuilt(root, join(out, 'dist'));
    const { status, output } = compileAgainstTarball(root, tarball);
    expect(output).toBe('');
    expect(status).toBe(0);
  }, 300_000);
});
