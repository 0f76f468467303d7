/**
 * The processes the process-level scenarios run: the sandbox, the `mx-lifecycle` CLI and the
 * scripts under `children/`, each in its own process so no two of them share an event loop.
 *
 * Every child runs plain JavaScript: the CLI from `dist/` (which `npm run bench` builds first), and
 * the scripts of `children/` compiled beside it (`dist/test/bench/children/`), so no child pays a
 * TypeScript loader that the other side of a comparison does not. Their relative imports of the
 * library land on `dist/src/` for the same reason.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const CHILDREN_SRC = join(REPO, 'test/bench/children');
const CHILDREN_OUT = join(REPO, 'dist/test/bench/children');
export const CLI = join(REPO, 'dist/src/cli/main.js');

/** The sandbox's published test client; its key is not a secret. */
export const SANDBOX_CLIENT = { id: 'sandbox-client', key: 'sandbox-key' } as const;

/** Progress for the person waiting: stderr, so stdout keeps only the table. */
export const say = (text: string): void => void process.stderr.write(`  ${text}\n`);

let compiled = false;

/**
 * Compiles `children/*.ts` to JavaScript under `dist/`, once per bench run. TypeScript is loaded
 * here rather than with the module, so a run of other scenarios does not pay for it.
 */
export async function compileChildren(): Promise<void> {
  if (compiled) return;
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first (npm run bench does)`);
  const { default: ts } = await import('typescript');
  mkdirSync(CHILDREN_OUT, { recursive: true });
  for (const file of readdirSync(CHILDREN_SRC).filter((f) => f.endsWith('.ts'))) {
    const { outputText } = ts.transpileModule(readFileSync(join(CHILDREN_SRC, file), 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true },
      fileName: file,
    });
    writeFileSync(join(CHILDREN_OUT, file.replace(/\.ts$/, '.js')), outputText);
  }
  compiled = true;
}

/** The compiled path of `children/<name>.ts`. */
export const child = (name: string): string => join(CHILDREN_OUT, `${name}.js`);

/** A scratch folder, removed by the returned function. */
export function scratch(prefix: string): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), `mx-bench-${prefix}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Writes `count` customers as JSON Lines: ids `c0…`, each with `members` mxbank connections that connect. */
export function writeCustomers(path: string, count: number, members: number): void {
  const chunk: string[] = [];
  const lines: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const connections = Array.from({ length: members }, (_, m) => ({
      id: `c${i}-m${m}`,
      institution_code: 'mxbank',
      credentials: { username: 'mxuser', password: 'password' },
    }));
    chunk.push(JSON.stringify({ id: `c${i}`, members: connections }));
    if (chunk.length === 10_000) lines.push(chunk.splice(0).join('\n'));
  }
  if (chunk.length > 0) lines.push(chunk.join('\n'));
  writeFileSync(path, `${lines.join('\n')}\n`);
}

export interface SandboxStatsView {
  requests: number;
  byStatus: Record<string, number>;
  rateLimited: number;
  maxObservedRate: number;
}

export interface SandboxProcess {
  url: string;
  pid: number;
  /** The request statistics (the ground truth also lists every record: keep this for small jobs). */
  stats(): Promise<SandboxStatsView>;
  reset(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts `mx-lifecycle sandbox` with Basic auth (as MX Platform uses) and the given flags; compiles the children first. */
export async function startSandboxProcess(flags: string[]): Promise<SandboxProcess> {
  await compileChildren();
  const proc = spawn(process.execPath, [CLI, 'sandbox', '--port', '0', ...flags], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((done, fail) => {
    let out = '';
    proc.stdout.setEncoding('utf8').on('data', (text: string) => {
      out += text;
      const found = /listening on (http:\/\/\S+)/.exec(out);
      if (found?.[1]) done(found[1]);
    });
    proc.once('exit', (code) => fail(new Error(`the sandbox exited with ${code} before it listened`)));
  });
  proc.stdout.resume();
  const exited = new Promise<void>((done) => proc.once('exit', () => done()));
  return {
    url,
    pid: proc.pid ?? 0,
    async stats() {
      const state = (await (await fetch(`${url}/__sandbox/state`)).json()) as { stats: SandboxStatsView };
      return state.stats;
    },
    async reset() {
      const res = await fetch(`${url}/__sandbox/reset`, { method: 'POST' });
      if (res.status !== 204) throw new Error(`sandbox reset answered ${res.status}`);
    },
    async stop() {
      proc.kill('SIGTERM');
      await exited;
    },
  };
}

/** One /proc reading of a process: resident set now and at its peak, CPU so far. */
export interface ProcSample {
  /** ms since the child was spawned. */
  atMs: number;
  rssKb: number;
  hwmKb: number;
  cpuSeconds: number;
}

const CLOCK_TICKS = 100;

/** Reads /proc/<pid>; null once the process is gone (or off Linux). */
export function readProc(pid: number, spawnedAt: number): ProcSample | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const kb = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0);
    // Fields after the command name (which may hold spaces) start at `)`: utime and stime are 14th and 15th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return { atMs: performance.now() - spawnedAt, rssKb: kb('VmRSS'), hwmKb: kb('VmHWM'), cpuSeconds: ticks / CLOCK_TICKS };
  } catch {
    return null;
  }
}

export interface ChildRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Spawn to exit, as this process saw it. */
  wallMs: number;
  /** user + system CPU of the whole child process, read by the child itself as it exited. */
  cpuSeconds: number;
  /** The child's peak resident set (getrusage maxrss), in kB. */
  maxRssKb: number;
  samples: ProcSample[];
}

export interface ChildOptions {
  env?: Record<string, string>;
  /** Called with each stdout and stderr line as it arrives, and the ms since spawn. */
  onLine?: (line: string, atMs: number, proc: ChildProcess) => void;
  /** Sample /proc every this many ms (0: never). */
  sampleMs?: number;
  /** Kill the child (SIGKILL) after this long. */
  timeoutMs?: number;
}

/**
 * Runs `node <script> ...args` with a preload that reports the child's own CPU time and peak RSS
 * as it exits. A child killed by a signal reports none: its figures are 0.
 */
export function runNode(script: string, args: string[], options: ChildOptions = {}): { proc: ChildProcess; done: Promise<ChildRun> } {
  if (!compiled) throw new Error('compileChildren() must run before runNode()');
  const usageFile = join(mkdtempSync(join(tmpdir(), 'mx-bench-usage-')), 'usage.json');
  const spawnedAt = performance.now();
  const proc = spawn(process.execPath, [...profileFlags(script), '--import', pathToFileURL(child('usage')).href, script, ...args], {
    env: { PATH: process.env.PATH ?? '', ...options.env, BENCH_USAGE_FILE: usageFile, ...(process.env.BENCH_MEMORY_DIR ? { BENCH_MEMORY_DIR: resolve(process.env.BENCH_MEMORY_DIR) } : {}) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const samples: ProcSample[] = [];
  const sampler = options.sampleMs
    ? setInterval(() => {
        const sample = proc.pid ? readProc(proc.pid, spawnedAt) : null;
        if (sample) samples.push(sample);
      }, options.sampleMs)
    : null;
  const killer = options.timeoutMs ? setTimeout(() => proc.kill('SIGKILL'), options.timeoutMs) : null;
  const collect = (stream: NodeJS.ReadableStream, into: { text: string }) => {
    let partial = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      into.text += chunk;
      partial += chunk;
      const lines = partial.split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) options.onLine?.(line, performance.now() - spawnedAt, proc);
    });
  };
  const out = { text: '' };
  const err = { text: '' };
  collect(proc.stdout!, out);
  collect(proc.stderr!, err);
  const done = new Promise<ChildRun>((finish, fail) => {
    proc.once('error', fail);
    proc.once('close', (code, signal) => {
      if (sampler) clearInterval(sampler);
      if (killer) clearTimeout(killer);
      let usage = { cpuSeconds: 0, maxRssKb: 0 };
      try {
        usage = JSON.parse(readFileSync(usageFile, 'utf8')) as typeof usage;
      } catch {
        // Killed: nothing was written.
      }
      rmSync(dirname(usageFile), { recursive: true, force: true });
      finish({ code, signal, stdout: out.text, stderr: err.text, wallMs: performance.now() - spawnedAt, ...usage, samples });
    });
  });
  return { proc, done };
}

let profiled = 0;

/** With BENCH_CPU_PROF=DIR, each child writes a CPU profile there (see `profile.ts` to read one). */
function profileFlags(script: string): string[] {
  // BENCH_HEAP_DIR: each child writes a heap snapshot there on SIGUSR2 (the memory bench sends it
  // at 60 s and 240 s), to see what a growing process holds.
  const heap = process.env.BENCH_HEAP_DIR ? ['--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${resolve(process.env.BENCH_HEAP_DIR)}`] : [];
  const dir = process.env.BENCH_CPU_PROF;
  if (!dir) return heap;
  profiled += 1;
  return [...heap, '--cpu-prof', `--cpu-prof-dir=${resolve(dir)}`, `--cpu-prof-name=${basename(script, '.js')}-${process.pid}-${profiled}.cpuprofile`];
}

/** The arguments of `mx-lifecycle onboard` (after the CLI's path) against a sandbox, store and report in `dir`. */
export function onboardArgs(input: string, sandboxUrl: string, dir: string, extra: string[]): string[] {
  return [
    'onboard', input,
    '--base-url', sandboxUrl,
    '--client-id', SANDBOX_CLIENT.id,
    '--store', `sqlite:${join(dir, 'job.sqlite')}`,
    '--report', join(dir, 'report.json'),
    '--json',
    ...extra,
  ];
}

/** The key goes by environment, as the CLI recommends, never by argv. */
export const onboardEnv = { MX_API_KEY: SANDBOX_CLIENT.key };

/** The CLI's `--json` summary (its last stdout line). */
export function summaryOf(run: ChildRun): { result: string; durationMs: number; counts: Record<string, number> } {
  const last = run.stdout.trim().split('\n').at(-1) ?? '';
  try {
    return JSON.parse(last) as { result: string; durationMs: number; counts: Record<string, number> };
  } catch {
    throw new Error(`mx-lifecycle onboard printed no summary (exit ${run.code}): ${run.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  }
}

export const round = (n: number, digits = 2): number => Number(n.toFixed(digits));
