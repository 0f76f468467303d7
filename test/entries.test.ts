/**
 * The public face of the package: what each entry of package.json's exports map offers, counted by
 * the TypeScript compiler (values and types alike), so that the main entry stays small enough to
 * learn and no entry hands out plumbing or a second name for one concept.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { entryNames } from './support/entryNames.js';

const root = resolve(import.meta.dirname, '..');
const ENTRIES = ['src/index.ts', 'machines/index.ts', 'src/sandbox/index.ts', 'src/observe/index.ts', 'src/links/index.ts'];
const names = entryNames(ENTRIES.map((file) => join(root, file)));
const of = (file: string): string[] => names[join(root, file)] ?? [];

/** Pieces the package uses to build itself, not something a user calls or names. */
const PLUMBING = [
  'refusal', 'isLoopbackHost', 'textLine', 'RATE_SAMPLES', 'memberActorId', 'missingActor', 'resolveLifecycleOptions',
  'ResolvedLifecycleOptions', 'summariseChallenge', 'parseRetryAfter', 'redactExcerpt', 'redactPath', 'classifyNetworkError',
  'itemViewOf', 'endpointOf', 'REDACTED_PATHS', 'TIMELINE_LIMIT',
];
/** One name per concept: of each set, at most one is exported. */
const SYNONYMS = [
  ['Dialect', 'ErrorDialect', 'DialectOption'],
  ['ClientEvent', 'ClientEventMap', 'ClientEvents', 'ClientEventType'],
  ['RuntimeEvent', 'RuntimeEventMap'],
  // The job watch's defaults are read from defaultJobWatchOptions, not from loose constants.
  ['defaultJobWatchOptions', 'RECENT_VIEWS'],
  ['defaultJobWatchOptions', 'ATTENTION_KEPT'],
];

describe('the package entries', () => {
  it('are the entries of the exports map', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { exports: Record<string, { types?: string }> };
    const declared = Object.values(pkg.exports).flatMap((target) => (typeof target === 'object' && target.types ? [target.types] : []));
    expect(declared.map((types) => types.replace(/^\.\/dist\//, '').replace(/\.d\.ts$/, '.ts')).toSorted()).toEqual(ENTRIES.toSorted());
  });

  it('keep the main entry at 60 names or fewer, types included', () => {
    expect(of('src/index.ts').length).toBeGreaterThan(0);
    expect(of('src/index.ts').length).toBeLessThanOrEqual(60);
  });

  it('export no plumbing', () => {
    for (const entry of ENTRIES) expect(of(entry).filter((name) => PLUMBING.includes(name) || /Actor(Input|Output)$/.test(name))).toEqual([]);
  });

  it('export one name per concept', () => {
    for (const entry of ENTRIES) {
      for (const set of SYNONYMS) expect(set.filter((name) => of(entry).includes(name)).length).toBeLessThanOrEqual(1);
    }
  });

  it('open each index.ts with a @module comment that shows its use', () => {
    for (const entry of ENTRIES) {
      const head = readFileSync(join(root, entry), 'utf8').split('*/')[0] ?? '';
      expect(head.startsWith('/**'), entry).toBe(true);
      expect(head, entry).toContain('@module');
      expect(head, entry).toMatch(/```ts\n[^]*import [^]*from 'mx-lifecycle[^']*'/);
    }
  });
});
