import { z } from 'zod';
import { env, kafkaTopicSettings, loadConfig } from '@regflow/common';

/** Every variable the service reads; .env.example and the README are checked against it (test/unit/docs-match-code.test.ts). */
export const configSchema = z.object({
  PORT: env.port(3001),
  HOST: env.host(),
  LOG_LEVEL: env.logLevel(),
  KAFKA_BROKERS: env.brokers(),
  ...kafkaTopicSettings,
  ORCHESTRATOR_URL: env.url().default('http://127.0.0.1:3002'),
  RATE_LIMIT_PER_MINUTE: env.positiveInt(120),
  TRUST_PROXY: env.bool(false),
  // How long a sign-up waits for others to share its produce request. 10 ms: at a steady rate the
  // batches (and so the consumer's fetches) stay large enough for the pipeline to keep up; see docs/benchmarks.md.
  KAFKA_LINGER_MS: z.coerce.number().int().min(0).max(100).default(10),
});

export type AccessApiConfig = z.infer<typeof configSchema>;
export const loadAccessApiConfig = (source: NodeJS.ProcessEnv = process.env) => loadConfig(configSchema, source);
