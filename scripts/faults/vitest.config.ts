import { defineConfig } from 'vitest/config';

/**
 * Tests of the fault suite's own parts (the checker's rules, the Kafka proxy in front of a real
 * broker started by scripts/stack). Run with
 *   npx vitest run --config scripts/faults/vitest.config.ts
 */
export default defineConfig({
  cacheDir: '../../node_modules/.vite',
  test: {
    name: 'faults',
    root: import.meta.dirname,
    include: ['*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 180_000,
  },
});
