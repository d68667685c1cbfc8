import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startStack } from '../scripts/stack/stack';

const KEYS = [
  'DATABASE_URL',
  'REDIS_URL',
  'KAFKA_BROKERS',
  'STOMP_URL',
  'ELASTICSEARCH_URL',
  'SMTP_URL',
  'MAIL_INBOX_URL',
] as const;
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
  // Kept between runs (tests use fresh ids), so the stack can find and stop servers orphaned by a killed
  // run. A second test run at the same time (another terminal) takes the next free folder.
  let lastError: unknown;
  for (let slot = 0; slot < 4; slot++) {
    const dataDir = path.resolve(import.meta.dirname, `../.local/vitest${slot ? `-${slot}` : ''}`);
    try {
      const stack = await startStack({ dataDir, log: () => {} });
      project.provide('stackEnv', stack.env as StackEnv);
      return () => stack.stop();
    } catch (err) {
      if (!(err instanceof Error && /is in use by the stack of process/.test(err.message))) throw err;
      lastError = err;
    }
  }
  throw lastError;
}
