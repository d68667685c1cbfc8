import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { env, kafkaTopicSettings, loadConfig } from '@regflow/common';

/** Every variable the service reads; .env.example and the README are checked against it (test/unit/docs-match-code.test.ts). */
export const configSchema = z.object({
  PORT: env.port(3003),
  HOST: env.host(),
  LOG_LEVEL: env.logLevel(),
  KAFKA_BROKERS: env.brokers(),
  ...kafkaTopicSettings,
  STOMP_URL: z.string().min(1).default('stomp://127.0.0.1:61613'),
  REDIS_URL: z.string().min(1),
  DATABASE_URL: z.string().min(1),
  ORCHESTRATOR_URL: env.url().default('http://127.0.0.1:3002'),
  ADMIN_EMAIL: z
    .email()
    .transform((s) => s.toLowerCase())
    .optional(),
  ADMIN_PASSWORD: z.string().optional(),
  CONSOLE_ORIGIN: z.string().default('http://localhost:8080'),
  SESSION_IDLE_MINUTES: env.positiveInt(30),
  SESSION_ABSOLUTE_HOURS: env.positiveInt(12),
  QUEUE_PREFETCH: env.positiveInt(100),
  TRUST_PROXY: env.bool(false),
  /** 0 turns the schedule off; POST /admin/reconcile still works. */
  RECONCILE_INTERVAL_SECONDS: z.coerce.number().int().min(0).default(300),
  /** How long a freshly indexed registration may take to reach the queue before reconciliation stages it. */
  RECONCILE_GRACE_SECONDS: z.coerce.number().int().min(0).default(60),
  /** Where emails go out: smtp://[user:pass@]host:port (smtps:// for implicit TLS). */
  SMTP_URL: z.string().regex(/^smtps?:\/\/[^\s]+$/, 'an smtp:// or smtps:// URL'),
  MAIL_FROM: z.string().min(3).default('regflow <no-reply@regflow.local>'),
  /** Signs the confirmation links; the access API checks them with the same secret. */
  EMAIL_TOKEN_SECRET: env.secret(32),
  /** Where the confirmation links point: the access API as the applicant reaches it. */
  PUBLIC_ACCESS_API_URL: env.url().default('http://127.0.0.1:3001'),
  /** An unconfirmed registration's window (as the orchestrator's), and how long one link works within it. */
  EMAIL_CONFIRMATION_TTL_HOURS: z.coerce.number().positive().default(48),
  EMAIL_LINK_TTL_HOURS: z.coerce.number().positive().default(24),
  /** The sender's own limit, across replicas: confirmation emails per registration per hour. */
  CONFIRMATION_EMAILS_PER_HOUR: env.positiveInt(5),
  /** Retention (docs/privacy.md): published outbox rows, and archived dead letters (replayed or not), are deleted past these ages. */
  OUTBOX_RETENTION_HOURS: z.coerce.number().positive().default(168),
  DEAD_LETTER_RETENTION_DAYS: z.coerce.number().positive().default(30),
  /** How often one replica sweeps them; 0 turns the sweep off. */
  RETENTION_INTERVAL_SECONDS: z.coerce.number().int().min(0).default(3600),
});

/** The email templates (consumer-mq/emails), resolved like MIGRATIONS_FOLDER and shipped beside dist/ the same way. */
export const EMAIL_TEMPLATES_FOLDER = fileURLToPath(new URL('../emails/', import.meta.url));

/**
 * The SQL migrations applied at start-up (written by drizzle-kit to consumer-mq/drizzle). Resolved from
 * this file, which sits directly in src/ as the bundle sits directly in dist/, so '../drizzle/' names the
 * same folder under tsx and from dist/main.js; an image ships drizzle/ beside dist/ (Dockerfile).
 */
export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../drizzle/', import.meta.url));

export type ConsumerConfig = z.infer<typeof configSchema>;
export const loadConsumerConfig = (source: NodeJS.ProcessEnv = process.env) => loadConfig(configSchema, source);
