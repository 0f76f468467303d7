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
import { compileAgainstTarball, entrySpecifiers, packBuilt } from './support/packedTypes.js';

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
  // TS7016 there, in a project that did nothing wrong. planted.ts misuses the package on purpose,
  // in the same compile, to show that an error in a consumer is seen and reported.
  it('compiles a consumer of every entry in a strict project that installed the packed tarball', () => {
    const tarball = packBuilt(root, join(out, 'dist'));
    const { status, output } = compileAgainstTarball(root, tarball, { 'consumer.ts': CONSUMER, 'planted.ts': PLANTED });
    const errors = output.split('\n').filter((line) => line.includes('error TS'));
    expect(errors.filter((line) => !line.startsWith('planted.ts('))).toEqual([]);
    expect(errors).toEqual([expect.stringMatching(/^planted\.ts\(3,\d+\): error TS2322: Type 'string' is not assignable to type 'SnapshotStore'/)]);
    expect(status).not.toBe(0);
  }, 120_000);
});

/** A program that uses each entry the way its @module example does, with nothing declared loosely. */
const CONSUMER = `
import { classify, createMemoryStore, createMxClient, createRuntime, isApiError, type ApiError, type RunResult } from 'mx-lifecycle';
import { defaultLifecycleOptions, onboardingMachine, type LifecycleOptions } from 'mx-lifecycle/machines';
import { startSandbox, type SandboxOptions } from 'mx-lifecycle/sandbox';
import { createJobWatch, type JobWatch } from 'mx-lifecycle/observe';
import { createLinkKeys, type LinkKeys } from 'mx-lifecycle/links';

export async function rehearse(options: Partial<SandboxOptions>): Promise<RunResult> {
  const sandbox = await startSandbox(options);
  const client = createMxClient({ baseUrl: sandbox.url, clientId: 'sandbox-client', apiKey: 'sandbox-key', auth: 'token' });
  const lifecycle: Partial<LifecycleOptions> = { pollIntervalMs: defaultLifecycleOptions.pollIntervalMs };
  const watch: JobWatch = createJobWatch(onboardingMachine.id);
  const runtime = createRuntime({ store: createMemoryStore(), client, options: lifecycle, inspect: (event) => watch.inspect(event) });
  await runtime.submit('rehearsal', [{ id: 'ada', members: [{ id: 'ada-1', institution_code: 'mxbank', credentials: { username: 'mxuser', password: 'password' } }] }]);
  const result = await runtime.run('rehearsal');
  await runtime.close();
  await sandbox.close();
  return result;
}

export const failure: ApiError = classify({ status: 429, headers: { 'retry-after': '2' }, body: '' });
export const checked: boolean = isApiError(failure);
export const keys: LinkKeys | null = ((made) => ('code' in made ? null : made))(createLinkKeys('x'.repeat(64)));
export const entries: string[] = ${JSON.stringify(entrySpecifiers(root))};
`;

const PLANTED = `
import { createMxClient, createRuntime } from 'mx-lifecycle';
export const broken = createRuntime({ store: 'jobs.sqlite', client: createMxClient({ baseUrl: 'http://127.0.0.1:1', clientId: 'c', apiKey: 'k' }) });
`;
