/**
 * The packed package as a consumer's compiler sees it. `packBuilt` runs `npm pack` on a copy of the
 * package's `files` with a built `dist`; `compileAgainstTarball` installs that tarball into a fresh
 * project (unpacked into node_modules/mx-lifecycle, as npm does) beside exactly the packages
 * `npm install mx-lifecycle` would bring, the production closure of package-lock.json, linked from
 * this checkout (no registry is needed), and compiles a small consumer of every export-map entry
 * with `strict` and `skipLibCheck: false`.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { onTestFinished } from 'vitest';

interface Manifest {
  files: string[];
  exports: Record<string, unknown>;
}

const manifest = (root: string): Manifest => JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Manifest;

/** A temporary folder that is removed when the current test ends. */
function scratch(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * Packs the package of `root` with `dist` as its build; returns the tarball's path.
 * @example
 * const tarball = packBuilt(repo, join(buildDir, 'dist')); // …/mx-lifecycle-0.1.0.tgz
 */
export function packBuilt(root: string, dist: string): string {
  const stage = scratch('mx-pack-');
  cpSync(join(root, 'package.json'), join(stage, 'package.json'));
  for (const entry of manifest(root).files) cpSync(entry === 'dist' ? dist : join(root, entry), join(stage, entry), { recursive: true });
  const packed = spawnSync('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', stage], { cwd: stage, encoding: 'utf8' });
  if (packed.status !== 0) throw new Error(`npm pack failed: ${packed.stderr}`);
  return join(stage, packed.stdout.trim().split('\n').at(-1) ?? '');
}

/** The packages `npm install mx-lifecycle` brings: the lockfile's top-level entries not marked dev. */
function productionPackages(root: string): string[] {
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { dev?: boolean; devOptional?: boolean; optional?: boolean }>;
  };
  return Object.entries(lock.packages)
    .filter(([path, meta]) => /^node_modules\/(@[^/]+\/)?[^/@][^/]*$/.test(path) && !meta.dev && !meta.devOptional)
    .map(([path]) => path.slice('node_modules/'.length));
}

/**
 * Compiles `files` (name to TypeScript source) in a fresh consumer project that installed the
 * tarball, with `strict` and `skipLibCheck: false`. The consumer brings its own TypeScript and
 * @types/node, as a Node project does.
 * @example
 * compileAgainstTarball(repo, tarball, { 'index.ts': "import { classify } from 'mx-lifecycle';" }) // { status: 0, output: '' }
 */
export function compileAgainstTarball(root: string, tarball: string, files: Record<string, string>): { status: number | null; output: string } {
  const consumer = scratch('mx-consumer-');
  const modules = join(consumer, 'node_modules');
  const own = join(modules, 'mx-lifecycle');
  mkdirSync(own, { recursive: true });
  const untar = spawnSync('tar', ['-xzf', tarball, '-C', own, '--strip-components=1'], { encoding: 'utf8' });
  if (untar.status !== 0) throw new Error(`tar failed: ${untar.stderr}`);
  for (const name of new Set([...productionPackages(root), 'typescript', '@types/node'])) {
    mkdirSync(dirname(join(modules, name)), { recursive: true });
    // A package of the closure that this platform did not install (an optional one) is skipped.
    try {
      symlinkSync(join(root, 'node_modules', name), join(modules, name), 'dir');
    } catch {
      continue;
    }
  }
  writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(consumer, name), text);
  writeFileSync(join(consumer, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { strict: true, skipLibCheck: false, noEmit: true, module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', types: ['node'] },
    files: Object.keys(files),
  }));
  const tsc = spawnSync(process.execPath, [join(modules, 'typescript/bin/tsc'), '-p', consumer, '--pretty', 'false'], { cwd: consumer, encoding: 'utf8' });
  return { status: tsc.status, output: `${tsc.stdout}${tsc.stderr}`.trim() };
}

/**
 * The package names of the exports map, as a consumer imports them.
 * @example
 * entrySpecifiers(repo) // ['mx-lifecycle', 'mx-lifecycle/machines', …]
 */
export function entrySpecifiers(root: string): string[] {
  return Object.keys(manifest(root).exports)
    .filter((key) => key !== './package.json')
    .map((key) => `mx-lifecycle${key.slice(1)}`);
}
