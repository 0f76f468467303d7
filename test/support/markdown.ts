/**
 * What the documentation tests read from a markdown page: its fenced code blocks (with the prose just
 * before each), its headings as GitHub turns them into anchors, its relative links and its inline code.
 */

/** A fenced block: its language, its text, the line it opens on and the prose lines just before it. */
export interface CodeBlock {
  lang: string;
  code: string;
  line: number;
  before: string;
}

/** A page split into its fenced blocks and the prose outside them (fences blanked, lines kept). */
export interface Page {
  blocks: CodeBlock[];
  prose: string;
}

/**
 * Splits a page into fenced code blocks and prose.
 * @example
 * parsePage('Run it:\n```sh\nnpm test\n```\n').blocks[0] // { lang: 'sh', code: 'npm test', line: 2, before: 'Run it:' }
 */
export function parsePage(text: string): Page {
  const lines = text.split('\n');
  const blocks: CodeBlock[] = [];
  const prose: string[] = [];
  let open: { lang: string; line: number; body: string[]; before: string } | null = null;
  lines.forEach((line, index) => {
    const fence = /^\s*```(\S*)/.exec(line);
    if (open === null && fence !== null) {
      open = { lang: fence[1] ?? '', line: index + 1, body: [], before: proseBefore(lines, index) };
      prose.push('');
    } else if (open !== null && /^\s*```\s*$/.test(line)) {
      blocks.push({ lang: open.lang, code: open.body.join('\n'), line: open.line, before: open.before });
      open = null;
      prose.push('');
    } else if (open !== null) {
      open.body.push(line);
      prose.push('');
    } else {
      prose.push(line);
    }
  });
  return { blocks, prose: prose.join('\n') };
}

/** The paragraph that leads into the line at `index` (blank lines between skipped): up to four lines. */
function proseBefore(lines: string[], index: number): string {
  const taken: string[] = [];
  let start = index - 1;
  while (start >= 0 && (lines[start] ?? '').trim() === '') start -= 1;
  for (let i = start; i >= 0 && taken.length < 4; i -= 1) {
    const line = lines[i] ?? '';
    if (line.trim() === '' || line.trim().startsWith('```')) break;
    taken.unshift(line);
  }
  return taken.join('\n');
}

/**
 * The anchors GitHub gives a page's headings: lower case, punctuation dropped, spaces to hyphens,
 * and `-1`, `-2` … after a repeated one.
 * @example
 * anchorsOf(parsePage('## `refresh` (day N)\n').prose) // Set { 'refresh-day-n' }
 */
export function anchorsOf(prose: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const line of prose.split('\n')) {
    const heading = /^#{1,6}\s+(.+?)\s*#*\s*$/.exec(line);
    if (heading === null) continue;
    const text = (heading[1] ?? '').replace(/\[([^\]]*)\]\([^)]*\)/g, '$1');
    const slug = text.toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
}

/**
 * The targets of a page's links and images that are not absolute URLs (`[text](target)`).
 * @example
 * relativeLinks('see [cli](docs/cli.md#csv) and [MX](https://mx.com)') // ['docs/cli.md#csv']
 */
export function relativeLinks(prose: string): string[] {
  const targets = [...prose.replace(/`[^`\n]*`/g, '').matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1] ?? '');
  return targets.filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target));
}

/**
 * The inline code spans of prose (table cells included).
 * @example
 * inlineCode('call `createRuntime(options)` once') // ['createRuntime(options)']
 */
export function inlineCode(prose: string): string[] {
  return [...prose.matchAll(/`([^`\n]+)`/g)].map((m) => m[1] ?? '');
}
