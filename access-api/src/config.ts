import { z } from 'zod';
import { env, loadConfig } from '@regflow/common';

const schema = z.object({
  PORT: env.port(3001),
  HOST: env.host(),
  LOG_LEVEL: env.logLevel(),
  KAFKA_BROKERS: env.brokers(),
  ORCHESTRATOR_URL: env.url().default('http://127.0.0.1:3002'),
  RATE_LIMIT_PER_MINUTE: env.positiveInt(120),
  TRUST_PROXY: env.bool(false),
  KAFKA_LINGER_MS: z.coerce.number().int().min(0).max(100).default(2),
});

export type AccessApiConfig = z.infer<typeof schema>;
export const loadAccessApiConfig = (source: NodeJS.ProcessEnv = process.env) => loadConfig(schema, source);
