import { z } from 'zod';
import { env, kafkaTopicSettings, loadConfig } from '@regflow/common';

/** Every variable the service reads; .env.example and the README are checked against it (test/unit/docs-match-code.test.ts). */
export const configSchema = z.object({
  PORT: env.port(3002),
  HOST: env.host(),
  LOG_LEVEL: env.logLevel(),
  KAFKA_BROKERS: env.brokers(),
  ...kafkaTopicSettings,
  STOMP_URL: z.string().min(1).default('stomp://127.0.0.1:61613'),
  ELASTICSEARCH_URL: env.url(),
  ELASTICSEARCH_USERNAME: z.string().optional(),
  ELASTICSEARCH_PASSWORD: z.string().optional(),
  KAFKA_MAX_ATTEMPTS: env.positiveInt(8),
  KAFKA_PARTITIONS_CONCURRENTLY: env.positiveInt(4),
  /** How long an unconfirmed registration may be confirmed before it expires (fractions allowed, for tests). */
  EMAIL_CONFIRMATION_TTL_HOURS: z.coerce.number().positive().default(48),
  /** How long an expired (never confirmed) registration stays in the index after its window closed (docs/privacy.md). */
  EXPIRED_RETENTION_HOURS: z.coerce.number().positive().default(720),
});

export type OrchestratorConfig = z.infer<typeof configSchema>;
export const loadOrchestratorConfig = (source: NodeJS.ProcessEnv = process.env) => loadConfig(configSchema, source);
