import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startStack } from '../scripts/stack/stack';

const KEYS = ['DATABASE_URL', 'REDIS_URL', 'KAFKA_BROKERS', 'STOMP_URL', 'ELASTICSEARCH_URL'] as const;
export type StackEnv = Record<(typeof KEYS)[number], string>;

declare module 'vitest' {
  export interface ProvidedContext {
    stackEnv: StackEnv;
  }
}

/** Starts the real servers for the integration project, unless the environment already names them all. */
export default async function setup(project: TestProject) {
  if (KEYS.every((k) => process.env[k])) {
    project.provide('stackEnv', Object.fromEntries(KEYS.map((k) => [k, process.env[k]!])) as StackEnv);
    return;
  }
  // Kept between runs (tests use fresh ids), so the stack can find and stop servers orphaned by a killed run.
  const dataDir = path.resolve(import.meta.dirname, '../.local/vitest');
  const stack = await startStack({ dataDir, log: () => {} });
  project.provide('stackEnv', stack.env as StackEnv);
  return () => stack.stop();
}
