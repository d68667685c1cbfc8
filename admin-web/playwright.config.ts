import { defineConfig } from '@playwright/test';
import { STORAGE_STATE, consoleUrl } from './e2e/support/env';

/**
 * End-to-end tests against the running system (console, admin API, access API and the pipeline between
 * them). Nothing is started here: bring the stack up first, then `npx playwright test -c admin-web/playwright.config.ts`.
 */
export default defineConfig({
  testDir: './e2e',
  outputDir: './test-results/playwright',
  // Specs share one admin account and a real pipeline; running them one at a time keeps timings honest.
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 120_000,
  expect: { timeout: 20_000 },
  reporter: [['list']],
  use: {
    baseURL: consoleUrl,
    viewport: { width: 1366, height: 860 },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
    },
  },
  projects: [
    { name: 'setup', testMatch: /.*\.setup\.ts/ },
    {
      name: 'console',
      testMatch: /.*\.spec\.ts/,
      testIgnore: /queue-10k\.spec\.ts/,
      dependencies: ['setup'],
      use: { storageState: STORAGE_STATE },
    },
    {
      // Seeds 10,000 registrations older than everything else: last, so the other specs never find
      // their fresh sign-ups behind them (it removes exactly what it seeded when it ends).
      name: 'queue-10k',
      testMatch: /queue-10k\.spec\.ts/,
      dependencies: ['console'],
      use: { storageState: STORAGE_STATE },
    },
  ],
});
