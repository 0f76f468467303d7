/**
 * The benchmark runner behind `npm run bench`: finds every `*.bench.ts` scenario beside it, runs
 * them one after another (or only those named on the command line), prints one aligned table with
 * the machine it ran on, and writes `test/bench/results.json`.
 *
 * A scenario module exports `{ name, run(): Promise<Row[]> }`, as its default export or as
 * `scenario`. Every figure is a ratio to a baseline measured in the same run.
 *
 * Usage: node --expose-gc --import tsx test/bench/run.ts [scenario-name ...]
 */
import { readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface Row {
  scenario: string;
  metric: string;
  value: number;
  /** The same figure for the baseline measured in the same run. */
  baseline?: number;
  /** value ÷ baseline. */
  ratio?: number;
  unit?: string;
  /** The target, as text (`>= 5000`). */
  target?: string;
  met?: boolean;
}

export interface Scenario {
  name: string;
  run(): Promise<Row[]>;
}

const HERE = dirname(fileURLToPath(import.meta.url));

function isScenario(value: unknown): value is Scenario {
  return typeof value === 'object' && value !== null && typeof (value as Scenario).name === 'string' && typeof (value as Scenario).run === 'function';
}

async function loadScenarios(): Promise<Array<{ file: string; scenario: Scenario }>> {
  const files = readdirSync(HERE).filter((f) => f.endsWith('.bench.ts')).toSorted();
  const loaded: Array<{ file: string; scenario: Scenario }> = [];
  for (const file of files) {
    const mod = (await import(pathToFileURL(join(HERE, file)).href)) as { default?: unknown; scenario?: unknown };
    const scenario = isScenario(mod.default) ? mod.default : mod.scenario;
    if (!isScenario(scenario)) throw new Error(`${file} exports no { name, run } scenario`);
    loaded.push({ file, scenario });
  }
  return loaded;
}

function machine(): Record<string, string | number> {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Number((os.totalmem() / 2 ** 30).toFixed(1)),
    node: process.version,
    os: `${os.type()} ${os.release()}`,
    date: new Date().toISOString(),
  };
}

const format = (n: number | undefined): string =>
  n === undefined ? '' : Number.isInteger(n) ? n.toLocaleString('en-US') : n.toLocaleString('en-US', { maximumFractionDigits: 2 });

/** One table, columns padded to their widest cell; numbers right-aligned. */
export function table(rows: Row[]): string {
  const header = ['scenario', 'metric', 'value', 'unit', 'baseline', 'ratio', 'target', 'met'];
  const cells = rows.map((r) => [
    r.scenario, r.metric, format(r.value), r.unit ?? '', format(r.baseline), format(r.ratio), r.target ?? '',
    r.met === undefined ? '' : r.met ? 'yes' : 'NO',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length)));
  const numeric = new Set([2, 4, 5]);
  const line = (c: string[]): string => c.map((v, i) => (numeric.has(i) ? v.padStart(widths[i] ?? 0) : v.padEnd(widths[i] ?? 0))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n');
}

async function main(names: string[]): Promise<number> {
  const all = await loadScenarios();
  const unknown = names.filter((n) => !all.some((s) => s.scenario.name === n || basename(s.file, '.bench.ts') === n));
  if (unknown.length > 0) {
    console.error(`unknown scenario ${unknown.join(', ')}; known: ${all.map((s) => s.scenario.name).join(', ')}`);
    return 64;
  }
  const chosen = names.length === 0 ? all : all.filter((s) => names.includes(s.scenario.name) || names.includes(basename(s.file, '.bench.ts')));
  const rows: Row[] = [];
  let failed = false;
  for (const { scenario } of chosen) {
    console.error(`running ${scenario.name} ...`);
    (globalThis as { gc?: () => void }).gc?.();
    const began = performance.now();
    try {
      rows.push(...(await scenario.run()));
    } catch (e) {
      failed = true;
      const message = e instanceof Error ? e.message : String(e);
      console.error(`${scenario.name} failed: ${message}`);
      rows.push({ scenario: scenario.name, metric: `failed: ${message.split('\n')[0] ?? ''}`, value: Number.NaN, met: false });
    }
    console.error(`${scenario.name} took ${((performance.now() - began) / 1000).toFixed(1)} s`);
  }
  const host = machine();
  console.log(table(rows));
  console.log('');
  console.log(`machine: ${host.cpu} × ${host.cores}, ${host.memoryGiB} GiB, Node ${host.node}, ${host.os}; ${host.date}`);
  writeFileSync(join(HERE, 'results.json'), `${JSON.stringify({ machine: host, rows }, null, 2)}\n`);
  return failed ? 1 : 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main(process.argv.slice(2));
}
