import { defineConfig } from 'vitest/config';

// `npm run test:conformance`: the checks against MX's OpenAPI files and the seed error documents,
// read from MX_SPEC_DIR (default ../shared/spec). `npm test` never reads that folder.
export default defineConfig({
  test: {
    include: ['test/conformance/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    maxWorkers: 2,
  },
});
