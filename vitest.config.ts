import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    // Every response of our API a test fetches is validated against docs/openapi.json; children a test
    // leaves running fail it (setup-children.ts).
    setupFiles: ['test/setup/contract-fetch.ts', 'test/setup-children.ts'],
    pool: 'forks',
    // Integration files start real engines; on small machines two engines computing at once starve
    // each other, so files run one after another (tests inside a file still share one engine).
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    teardownTimeout: 30_000,
    reporters: ['default'],
  },
});
