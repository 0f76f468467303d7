import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // test/conformance reads MX's files beside the repository: `npm run test:conformance` runs it.
    exclude: ['test/bench/**', 'test/conformance/**', 'node_modules/**', 'dist/**'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores: the loopback and crash tests measure rates, so they must not fight for CPU.
    maxWorkers: 2,
    // Finds or starts the PostgreSQL and Redis the tests need, and hands their URLs to the tests.
    globalSetup: ['test/support/services/globalSetup.ts'],
  },
});
