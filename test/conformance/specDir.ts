/**
 * Where MX's OpenAPI files and the seed error documents are: `MX_SPEC_DIR`, or `../shared/spec`
 * beside the repository. Only `npm run test:conformance` reads them; `npm test` never does.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../..', import.meta.url));

export const SPEC_DIR = resolve(REPO, process.env.MX_SPEC_DIR ?? '../shared/spec');

export type SpecVersion = 'v20250224' | 'v20111101';

/** The OpenAPI file of `version`; throws naming MX_SPEC_DIR when it is not there. */
export function specFile(version: SpecVersion): string {
  const file = join(SPEC_DIR, `mx-platform-${version}.yml`);
  if (!existsSync(file)) throw new Error(`no ${file}: set MX_SPEC_DIR to the folder holding MX's OpenAPI files`);
  return file;
}
