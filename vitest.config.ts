import { defineConfig } from 'vitest/config';

/**
 * One runner for the whole repo. `unit` needs nothing running; `integration` talks to the real
 * servers (started by test/global-setup.ts unless their URLs are given in the environment), one file
 * at a time because the services under test share the broker's topics and consumer groups.
 */
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: [
            '{common,access-api,orchestrator-api,consumer-mq}/test/unit/**/*.test.ts',
            'test/unit/**/*.test.ts',
          ],
        },
      },
      {
        test: {
          name: 'integration',
          include: [
            '{common,access-api,orchestrator-api,consumer-mq}/test/integration/**/*.test.ts',
            'test/e2e/**/*.test.ts',
            'test/security/**/*.test.ts',
          ],
          globalSetup: ['test/global-setup.ts'],
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 180_000,
        },
      },
      {
        // The whole system as `npm start` runs it (own servers, data folder and ports 3511-3513).
        test: { name: 'system', include: ['test/system/**/*.test.ts'], testTimeout: 600_000, hookTimeout: 300_000 },
      },
      'scripts/stack/vitest.config.ts',
      'scripts/faults/vitest.config.ts',
      'admin-web/vitest.config.ts',
    ],
  },
});
