import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Big-body tests move hundreds of MiB through workerd; two at once is what 2 cores carry.
    maxWorkers: 2,
  },
});
