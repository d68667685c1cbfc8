import { z } from 'zod';
import { EMAIL_CONFIRMATION_MODES, env, kafkaTopicSettings, loadConfig } from '@regflow/common';

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
  // How long a sign-up waits for others to share its produce request. 2 ms: on the real broker the
  // lowest p99 ack at a steady 200/s (9-17 ms), 12,000-16,000/s for 64 concurrent publishers (the access
  // API itself tops out near 3,000/s), where 10 ms gave 4,000-5,000/s; see docs/benchmarks.md.
  KAFKA_LINGER_MS: z.coerce.number().int().min(0).max(100).default(2),
  /** required: a sign-up waits for its email to be confirmed before review; off: straight to review. */
  EMAIL_CONFIRMATION: z.enum(EMAIL_CONFIRMATION_MODES).default('required'),
  /** Checks the confirmation links (consumer-mq signs them with the same secret). */
  EMAIL_TOKEN_SECRET: env.secret(32),
  /** When set, a confirmation link answers 303 to this URL with ?status=…&id=… instead of its own page. */
  CONFIRMATION_REDIRECT_URL: z.preprocess((v) => (v === '' ? undefined : v), env.url().optional()),
  /** Requests for the confirmation email again, per registration per hour (ten times that per client address). */
  RESEND_LIMIT_PER_HOUR: env.positiveInt(3),
});

export type AccessApiConfig = z.infer<typeof configSchema>;
export const loadAccessApiConfig = (source: NodeJS.ProcessEnv = process.env) => loadConfig(configSchema, source);
