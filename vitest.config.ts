import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Big-body tests move hundreds of MiB through workerd; two at once is what 2 cores carry.
    maxWorkers: 2,
    projects: [
      {
        // Pure modules of the protocol, gateway and client, in plain Node: no bundle, no workerd.
        extends: true,
        test: { name: 'unit', include: ['test/unit/**/*.test.ts', 'test/protocol/**/*.test.ts'] },
      },
      {
        // The gateway in workerd, the real client and real origins (and Chromium for browser/).
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts', 'test/browser/**/*.test.ts'],
          globalSetup: ['test/global-setup.ts'],
        },
      },
    ],
  },
});
