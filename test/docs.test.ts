/**
 * The README and docs/ are the manual: these checks keep them short enough to read, linked together,
 * and true to the package. Every name a page imports or lists as an export is exported by the entry it
 * names; every snippet that could run on its own is one of the examples the suite runs.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { defaultRuntimeOptions } from '../src/index.js';
import { entryExports, entrySources, snippetNames } from './support/entryExports.js';
import { anchorsOf, inlineCode, parsePage, relativeLinks, type Page } from './support/markdown.js';

const root = resolve(import.meta.dirname, '..');
const files = ['README.md', ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
const pages = new Map<string, Page>(files.map((file) => [file, parsePage(readFileSync(join(root, file), 'utf8'))]));
const examples = readdirSync(join(root, 'examples')).filter((f) => f.endsWith('.ts'));
let exported: Map<string, Set<string>>;

beforeAll(() => {
  exported = entryExports(root);
}, 120_000);

/** Each page's snippets in TypeScript or JavaScript, with the page they are on. */
function snippets(): { file: string; lang: string; code: string; line: number; before: string }[] {
  return [...pages].flatMap(([file, page]) => page.blocks.filter((b) => /^(ts|js|typescript|javascript)$/.test(b.lang)).map((b) => ({ file, ...b })));
}

describe('the manual', () => {
  it('keeps the README a quick start of at most 400 lines, with a page in docs/ for each part', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    expect(readme.split('\n').length).toBeLessThanOrEqual(400);
    for (const doc of ['cli', 'runtime', 'connect', 'sandbox', 'errors', 'machines', 'webhooks', 'operations', 'performance', 'tracing', 'architecture']) {
      expect(readme).toContain(`](docs/${doc}.md)`);
    }
  });

  it.each(files)('resolves every relative link of %s, anchors included', (file) => {
    const broken: string[] = [];
    for (const link of relativeLinks(pages.get(file)?.prose ?? '')) {
      const [path = '', anchor] = link.split('#');
      const target = path === '' ? join(root, file) : resolve(dirname(join(root, file)), decodeURI(path));
      if (!existsSync(target)) {
        broken.push(`${link}: no such file`);
        continue;
      }
      if (anchor === undefined || !target.endsWith('.md')) continue;
      const page = pages.get(relative(root, target)) ?? parsePage(readFileSync(target, 'utf8'));
      if (!anchorsOf(page.prose).has(anchor)) broken.push(`${link}: no heading makes #${anchor}`);
    }
    expect(broken).toEqual([]);
  });

  it('imports in its snippets only what the named entry exports', () => {
    const wrong: string[] = [];
    for (const snippet of snippets()) {
      for (const { from, names } of snippetNames(snippet.code).imports) {
        if (!from.startsWith('mx-lifecycle')) continue;
        const entry = exported.get(from);
        if (entry === undefined) wrong.push(`${snippet.file}:${snippet.line}: no entry ${from}`);
        for (const name of names) if (entry !== undefined && !entry.has(name)) wrong.push(`${snippet.file}:${snippet.line}: ${from} does not export ${name}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('lists under each entry only names that entry exports', () => {
    const wrong: string[] = [];
    for (const [file, page] of pages) {
      let entry: string | undefined;
      for (const line of page.prose.split('\n')) {
        const heading = /^#{1,6}\s.*?`(mx-lifecycle(?:\/[a-z]+)?)`/.exec(line);
        if (heading !== null) entry = heading[1];
        const row = /^\|\s*(`[^|]+)\|/.exec(line);
        if (row === null || entry === undefined || !tableHeader(page.prose, line).startsWith('| export |')) continue;
        for (const name of inlineCode(row[1] ?? '')) {
          if (!/^[A-Za-z_$][\w$]*$/.test(name)) continue; // runtime.wakeMember, runtime.held(): methods of a value
          if (!exported.get(entry)?.has(name)) wrong.push(`${file}: ${entry} does not export ${name}`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it('calls in its prose only functions some entry (or XState, for the machines) exports', async () => {
    const xstate = Object.keys(await import('xstate'));
    const all = new Set([...exported.values()].flatMap((names) => [...names]).concat(xstate));
    const wrong: string[] = [];
    for (const [file, page] of pages) {
      for (const span of inlineCode(page.prose)) {
        const call = /^([A-Za-z_$][\w$]*)\(/.exec(span);
        if (call !== null && !all.has(call[1] ?? '')) wrong.push(`${file}: \`${span}\``);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('gives createRuntime\'s defaults as defaultRuntimeOptions has them', () => {
    const text = readFileSync(join(root, 'docs/runtime.md'), 'utf8');
    const shown = (option: string): string => {
      const row = text.split('\n').find((line) => line.startsWith('| `') && line.split('|')[1]?.includes(`\`${option}\``));
      if (!row) throw new Error(`docs/runtime.md has no row for ${option}`);
      // The default column: the last value in it (a row may name two options, `owner`, `leaseMs`).
      const cell = row.split('|')[2] ?? '';
      return cell.split(',').at(-1)!.replace(/\(.*\)/, '').replace(/[`'\s]/g, '');
    };
    for (const [option, value] of Object.entries(defaultRuntimeOptions)) expect(shown(option), option).toBe(String(value));
  });

  it('shows none of the plumbing the entries keep to themselves', () => {
    const plumbing = /\b(TRANSITION_TABLE|renderTransitionTable|createLifecycleEffects|refreshDelayMs|DEFAULT_TOKEN_SKEW_MS|refusal|isLoopbackHost|textLine|RATE_SAMPLES|memberActorId|missingActor|resolveLifecycleOptions|\w+ActorInput)\b/;
    const shown = files.filter((file) => plumbing.test(readFileSync(join(root, file), 'utf8')));
    expect(shown).toEqual([]);
  });

  it('takes every snippet that runs on its own from an example the suite runs', () => {
    const wrong: string[] = [];
    for (const snippet of snippets()) {
      const named = examples.filter((example) => snippet.before.includes(`examples/${example}`));
      const { imports } = snippetNames(snippet.code);
      const where = `${snippet.file}:${snippet.line}`;
      // A snippet that leans on names it does not declare (`store`, `client`) is a fragment of a
      // program; one that runs on its own and names no example is run by the next test.
      if (named.length === 0) continue;
      const source = named.map((example) => readFileSync(join(root, 'examples', example), 'utf8')).join('\n');
      const lines = new Set(source.split('\n').map((line) => line.trim()));
      const imported = new Set(snippetNames(source).imports.flatMap((i) => i.names));
      for (const name of imports.flatMap((i) => i.names)) if (!imported.has(name)) wrong.push(`${where}: ${named.join(', ')} does not import ${name}`);
      for (const line of snippet.code.split('\n').map((l) => l.trim())) {
        if (line === '' || line.startsWith('import ') || line.startsWith('//')) continue;
        if (!lines.has(line)) wrong.push(`${where}: not in ${named.join(', ')}: ${line}`);
      }
    }
    expect(wrong).toEqual([]);
  });
});

describe('the snippets that run on their own and name no example', () => {
  const standalone = snippets().filter((s) => !examples.some((e) => s.before.includes(`examples/${e}`)) && snippetNames(s.code).free.length === 0);
  const tsx = pathToFileURL(createRequire(join(root, 'package.json')).resolve('tsx')).href;

  // Each runs as a reader would paste it, in an empty folder, with the package's entries resolved
  // to their sources: it must import only the package and Node, and end by itself with exit 0.
  it.each(standalone.map((s) => [`${s.file}:${s.line}`, s] as const))('runs %s', (_where, snippet) => {
    const sources = entrySources(root);
    const modules = snippetNames(snippet.code).imports.map((i) => i.from);
    expect(modules.filter((m) => !sources.has(m) && !m.startsWith('node:'))).toEqual([]);
    const code = snippet.code.replace(/from '(mx-lifecycle[^']*)'/g, (_m, entry: string) => `from '${pathToFileURL(sources.get(entry) ?? entry).href}'`);
    const dir = mkdtempSync(join(tmpdir(), 'mx-docs-snippet-'));
    try {
      writeFileSync(join(dir, 'snippet.mts'), code);
      const run = spawnSync(process.execPath, ['--import', tsx, 'snippet.mts'], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
      // The status with what the snippet printed on stderr, so a failure shows why.
      expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: expect.any(String) });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});

/** The header row of the table a row belongs to. */
function tableHeader(prose: string, row: string): string {
  const lines = prose.split('\n');
  let index = lines.indexOf(row);
  while (index > 0 && (lines[index - 1] ?? '').startsWith('|')) index -= 1;
  return lines[index] ?? '';
}
