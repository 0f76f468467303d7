/**
 * The import boundaries of .dependency-cruiser.cjs (front doors, layers, no circle) fail `npm run
 * lint` when broken: each rule is run on a small tree that breaks it once, beside a tree that keeps it.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..');
const scratch = mkdtempSync(join(tmpdir(), 'mx-boundaries-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A tree of the project's shape with `files`; returns depcruise's exit status and report. */
function cruise(name: string, files: Record<string, string>): { status: number | null; report: string } {
  const dir = join(scratch, name);
  const tree: Record<string, string> = {
    'tsconfig.json': JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', strict: true } }),
    'src/errors/index.ts': "export { kind } from './types.js';\n",
    'src/errors/types.ts': "export const kind = 'x';\n",
    'src/http/index.ts': "export { send } from './send.js';\n",
    'src/http/send.ts': "import { kind } from '../errors/index.js';\nexport const send = () => kind;\n",
    'machines/index.ts': "export { chart } from './chart.js';\n",
    'machines/chart.ts': "import { send } from '../src/http/index.js';\nexport const chart = send;\n",
    'machines/_internals/index.ts': "export { chart as plumbing } from '../chart.js';\n",
    'src/durable/index.ts': "import { plumbing } from '../../machines/_internals/index.js';\nexport const run = plumbing;\n",
    'src/cli/main.ts': "import { kind } from '../errors/index.js';\nexport const main = kind;\n",
    ...files,
  };
  for (const [path, text] of Object.entries(tree)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  const run = spawnSync(
    process.execPath,
    [join(root, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs'), 'src', 'machines', '--config', join(root, '.dependency-cruiser.cjs'), '--output-type', 'err'],
    { cwd: dir, encoding: 'utf8' },
  );
  return { status: run.status, report: `${run.stdout}${run.stderr}` };
}

describe('the import boundaries', () => {
  it('pass a tree that goes through front doors and private doors, down the layers', () => {
    const { status, report } = cruise('kept', {});
    expect(report).toContain('no dependency violations');
    expect(status).toBe(0);
  }, 60_000);

  it('fail an import that bypasses a folder index.ts', () => {
    const { status, report } = cruise('bypass', {
      'src/http/send.ts': "import { kind } from '../errors/types.js';\nexport const send = () => kind;\n",
    });
    expect(report).toMatch(/error front-door: src\/http\/send\.ts → src\/errors\/types\.ts/);
    expect(status).not.toBe(0);
  }, 60_000);

  it('fail an import into another folder\'s privates, unless it is that folder\'s _internals/index.ts', () => {
    const { status, report } = cruise('private', {
      'src/errors/_internals/index.ts': "export { hidden } from './hidden.js';\n",
      'src/errors/_internals/hidden.ts': "export const hidden = 1;\n",
      'src/http/send.ts': "import { hidden } from '../errors/_internals/hidden.js';\nexport const send = () => hidden;\n",
      'src/http/door.ts': "import { hidden } from '../errors/_internals/index.js';\nexport const door = () => hidden;\n",
      'src/durable/index.ts': "import { chart } from '../../machines/chart.js';\nexport const run = chart;\n",
    });
    expect(report).toMatch(/error front-door: src\/http\/send\.ts → src\/errors\/_internals\/hidden\.ts/);
    expect(report).not.toMatch(/src\/http\/door\.ts/);
    expect(report).toMatch(/error front-door: src\/durable\/index\.ts → machines\/chart\.ts/);
    expect(status).not.toBe(0);
  }, 60_000);

  it('fail the command line too when it reaches behind a folder\'s front door', () => {
    const { status, report } = cruise('cli', { 'src/cli/main.ts': "import { kind } from '../errors/types.js';\nexport const main = kind;\n" });
    expect(report).toMatch(/error front-door: src\/cli\/main\.ts → src\/errors\/types\.ts/);
    expect(status).not.toBe(0);
  }, 60_000);

  it('fail an import that runs back up a layer, even through the front door', () => {
    const { status, report } = cruise('up', {
      'src/errors/types.ts': "import { send } from '../http/index.js';\nexport const kind = 'x';\nexport const again = send;\n",
    });
    expect(report).toMatch(/error layer-0-not-up: src\/errors\/types\.ts → src\/http\/index\.ts/);
    expect(status).not.toBe(0);
  }, 60_000);

  it('fail a circle of imports inside a folder', () => {
    const { status, report } = cruise('circle', {
      'src/http/index.ts': "export { send } from './send.js';\nexport { back } from './back.js';\n",
      'src/http/back.ts': "import { send } from './send.js';\nexport const back = () => send;\n",
      'src/http/send.ts': "import { back } from './back.js';\nexport const send = () => back;\n",
    });
    expect(report).toContain('error no-circular');
    expect(status).not.toBe(0);
  }, 60_000);
});
