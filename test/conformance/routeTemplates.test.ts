/**
 * The sandbox's `stats.byRoute` keys name each route by the path template of MX's OpenAPI file for
 * the version asked for, so a count can be looked up in MX's reference as it is printed.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ROUTE_TEMPLATES } from '../../src/sandbox/routeTemplates.js';
import { specFile, type SpecVersion } from './specDir.js';

describe.each(['v20111101', 'v20250224'] as SpecVersion[])('MX %s', (version) => {
  it('has every path template the sandbox counts by, except the token endpoint (no Platform API path)', () => {
    const paths = new Set([...readFileSync(specFile(version), 'utf8').matchAll(/^ {2}(\/\S*):$/gm)].map((m) => m[1]));
    const missing = Object.values(ROUTE_TEMPLATES[version]).filter((template) => template !== '/oauth/token' && !paths.has(template));
    expect(missing).toEqual([]);
  });
});
