/**
 * Finds the package's own folder from this module's location, whether it runs from `src/cli`
 * (tsx) or from `dist/src/cli` (the built `bin`), for the demo's data file and the version.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let found: { root: string | null; version: string | null } | undefined;

function locate(): { root: string | null; version: string | null } {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i += 1) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        const parsed = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown; version?: unknown };
        if (parsed.name === 'mx-lifecycle') return { root: dir, version: typeof parsed.version === 'string' ? parsed.version : null };
      } catch {
        // An unreadable manifest on the way up is not ours; keep looking.
      }
    }
    dir = dirname(dir);
  }
  return { root: null, version: null };
}

/**
 * The package folder (holding package.json), or null when it cannot be found.
 *
 * @example
 * join(packageRoot() ?? '.', 'examples/data/customers.jsonl')
 */
export function packageRoot(): string | null {
  found ??= locate();
  return found.root;
}

/**
 * The package's version, for reports.
 *
 * @example
 * packageVersion(); // '0.1.0'
 */
export function packageVersion(): string | null {
  found ??= locate();
  return found.version;
}
