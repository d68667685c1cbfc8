import { z } from 'zod';

/**
 * Parses the environment against a zod schema and fails fast with a readable list of every problem,
 * so a misconfigured service stops at start-up instead of half-working.
 */
export function loadConfig<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const parsed = schema.safeParse(env);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((issue) => `  - ${issue.path.join('.') || '(env)'}: ${issue.message}`);
  throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Building blocks for the services' own config schemas. */
export const env = {
  port: (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback),
  host: () => z.string().default('127.0.0.1'),
  url: () => z.url(),
  brokers: () =>
    z
      .string()
      .min(1)
      .transform((value) =>
        value
          .split(',')
          .map((b) => b.trim())
          .filter(Boolean),
      ),
  logLevel: () => z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** A secret with no default anywhere: a service that lacks it does not start. */
  secret: (minLength: number) =>
    z.string().min(minLength, `Must be a secret of at least ${minLength} characters (openssl rand -hex 24).`),
  positiveInt: (fallback: number) => z.coerce.number().int().positive().default(fallback),
  bool: (fallback: boolean) =>
    z
      .enum(['true', 'false', '1', '0'])
      .default(fallback ? 'true' : 'false')
      .transform((v) => v === 'true' || v === '1'),
};

/**
 * How each service creates the Kafka topics it owns (the brokers never auto-create): the same two
 * settings in every service's schema, so one .env sizes every topic.
 */
export const kafkaTopicSettings = {
  KAFKA_TOPIC_PARTITIONS: env.positiveInt(4),
  KAFKA_REPLICATION_FACTOR: env.positiveInt(1),
};
