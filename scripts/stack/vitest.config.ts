import { defineConfig } from 'vitest/config';

/**
 * The stack test starts its own servers, so it needs no global setup; run it with
 *   npx vitest run --config scripts/stack/vitest.config.ts
 */
export default defineConfig({
  // With root set to this folder, vite would otherwise put its cache in scripts/stack/node_modules.
  cacheDir: '../../node_modules/.vite',
  test: {
    name: 'stack',
    root: import.meta.dirname,
    include: ['*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 180_000,
  },
});
