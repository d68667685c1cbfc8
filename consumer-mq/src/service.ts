import { TOPICS, createLogger, type Logger } from '@regflow/common';
import { createMetrics, listen, type RunningService } from '@regflow/common/http';
import { EventPublisher, createKafka, topicSpecs } from '@regflow/common/kafka';
import { StompSession } from '@regflow/common/stomp';
import { createApp } from './app';
import { EMAIL_TEMPLATES_FOLDER, type ConsumerConfig } from './config';
import { AdminEventBus } from './data-access/admin-events';
import { AdminsRepository } from './data-access/admins-repository';
import { AuditLog } from './data-access/audit-log';
import { createDatabase, migrateWithLock } from './data-access/db/database';
import { DeadLettersRepository } from './data-access/dead-letters-repository';
import { DecisionsRepository } from './data-access/decisions-repository';
import { NotesRepository } from './data-access/notes-repository';
import { ReasonsRepository } from './data-access/reasons-repository';
import { EmailTemplates } from './data-access/email-templates';
import { Mailer } from './data-access/mailer';
import { RetentionRepository } from './data-access/retention-repository';
import { SentEmailsRepository } from './data-access/sent-emails-repository';
import { SearchClient } from './data-access/search-client';
import { SessionStore, SignInThrottle } from './data-access/session-store';
import { StagingStore } from './data-access/staging-store';
import { bootstrapAdmin } from './domain/bootstrap-admin';
import { endSessionsOfDisabledAccounts } from './domain/manage-accounts';
import { DecisionEmailsListener } from './entry-points/decision-emails.kafka';
import { emailOutcomeCounter, registerConsumerMetrics } from './entry-points/metrics';
import { RegistrationEmailsListener } from './entry-points/registration-emails.kafka';
import { subscribeReviewQueue } from './entry-points/review-queue.stomp';
import { DeadLetterArchiver } from './workers/dead-letter-archiver.worker';
import { OutboxRelay } from './workers/outbox-relay.worker';
import { ReconcileWorker } from './workers/reconcile.worker';
import { RetentionWorker } from './workers/retention.worker';

export type ConsumerService = RunningService;

/**
 * Builds the clients, starts the workers and the entry points (the review queue, HTTP), and returns a
 * stop() that shuts down in order.
 */
export async function startConsumer(
  config: ConsumerConfig,
  logger: Logger = createLogger('consumer-mq', config.LOG_LEVEL),
): Promise<ConsumerService> {
  const metrics = createMetrics('consumer-mq');
  // Clients. Postgres is migrated and Redis connected before anything else starts.
  const { pool, db } = createDatabase(config.DATABASE_URL, logger);
  await migrateWithLock(pool, logger);
  const admins = new AdminsRepository(db);
  const audit = new AuditLog(pool);
  await bootstrapAdmin(config.ADMIN_EMAIL, config.ADMIN_PASSWORD, admins, logger);
  const decisions = new DecisionsRepository(db);
  const deadLetters = new DeadLettersRepository(db);
  const notes = new NotesRepository(db);
  const reasons = new ReasonsRepository(db);
  const store = await StagingStore.connect(config.REDIS_URL, logger);
  const sessions = new SessionStore(
    store.redis,
    config.SESSION_IDLE_MINUTES * 60,
    config.SESSION_ABSOLUTE_HOURS * 3600,
  );
  const leftOver = await endSessionsOfDisabledAccounts({ accounts: admins, sessions });
  if (leftOver) logger.warn({ sessions: leftOver }, 'ended sessions of disabled accounts (left by a crash)');
  const events = new AdminEventBus(store.redis, logger);
  await events.start();
  const kafka = createKafka({ clientId: 'consumer-mq', brokers: config.KAFKA_BROKERS, logger });
  // The topics it writes (decisions; the originals that dead letters are replayed to) and reads (dead
  // letters) are created if missing on connect: at start-up in the background, and again by the relay's
  // publishes until Kafka answers.
  const publisher = new EventPublisher(kafka, logger, {
    topics: topicSpecs([TOPICS.registrationDecided, TOPICS.registrationRequested, TOPICS.deadLetter], config),
  });
  publisher
    .connect()
    .catch((err: unknown) => logger.warn({ err }, 'kafka not reachable at start-up; the outbox relay retries'));
  const stomp = new StompSession(config.STOMP_URL, logger.child({ component: 'stomp' }), metrics.pipeline.stompHooks);
  const search = new SearchClient(config.ORCHESTRATOR_URL);
  // Email: templates compiled now (a missing one fails the start), SMTP connected on first send. SMTP
  // is not in the readiness check: while it is down the emails wait in Kafka, and everything else works.
  const templates = EmailTemplates.load(EMAIL_TEMPLATES_FOLDER);
  const mailer = new Mailer(config.SMTP_URL, config.MAIL_FROM, logger.child({ component: 'mailer' }));
  registerConsumerMetrics(metrics.registry, store, decisions);

  // Workers: the outbox relay, the dead-letter archiver, scheduled reconciliation and retention.
  const relay = new OutboxRelay(decisions, publisher, logger);
  relay.start();
  const archiver = new DeadLetterArchiver({
    deadLetters,
    stomp,
    listener: { kafka, logger, hooks: metrics.pipeline.kafkaHooks },
    logger,
  });
  archiver.start();
  const reconciler = new ReconcileWorker(
    pool,
    {
      store,
      decisions,
      search,
      logger,
      audit,
      wakeRelay: () => relay.wake(),
      graceMs: config.RECONCILE_GRACE_SECONDS * 1000,
    },
    logger,
    config.RECONCILE_INTERVAL_SECONDS * 1000,
  );
  reconciler.start();
  const retention = new RetentionWorker(
    pool,
    new RetentionRepository(pool),
    {
      outboxRetentionHours: config.OUTBOX_RETENTION_HOURS,
      deadLetterRetentionDays: config.DEAD_LETTER_RETENTION_DAYS,
      intervalMs: config.RETENTION_INTERVAL_SECONDS * 1000,
    },
    logger,
  );
  retention.start();

  // Entry points: the applicant's emails (two Kafka listeners, joined in the background), the review queue, then HTTP.
  const ledger = new SentEmailsRepository(pool);
  const countEmail = emailOutcomeCounter(metrics.registry);
  const emails = new RegistrationEmailsListener(
    { kafka, logger, hooks: metrics.pipeline.kafkaHooks, deadLetter: { topic: TOPICS.deadLetter, publisher } },
    {
      templates,
      mailer,
      ledger,
      logger,
      onOutcome: countEmail,
      settings: {
        tokenSecret: config.EMAIL_TOKEN_SECRET,
        publicAccessApiUrl: config.PUBLIC_ACCESS_API_URL,
        confirmationTtlHours: config.EMAIL_CONFIRMATION_TTL_HOURS,
        linkTtlHours: config.EMAIL_LINK_TTL_HOURS,
        perHourLimit: config.CONFIRMATION_EMAILS_PER_HOUR,
      },
    },
    logger,
  );
  emails.start();
  const decisionEmails = new DecisionEmailsListener(
    { kafka, logger, hooks: metrics.pipeline.kafkaHooks, deadLetter: { topic: TOPICS.deadLetter, publisher } },
    { templates, mailer, ledger, decisions, logger, onOutcome: countEmail },
    logger,
  );
  decisionEmails.start();
  subscribeReviewQueue(stomp, config.QUEUE_PREFETCH, { store, events, logger });
  stomp.start();
  let shuttingDown = false;
  const app = createApp({
    logger,
    metrics,
    readiness: {
      postgres: async () => {
        await pool.query('select 1');
      },
      redis: () => store.ping(),
      kafka: () => publisher.ping(),
      activemq: () => stomp.ping(),
    },
    isShuttingDown: () => shuttingDown,
    trustProxy: config.TRUST_PROXY,
    consoleOrigin: config.CONSOLE_ORIGIN,
    sessionAbsoluteSeconds: config.SESSION_ABSOLUTE_HOURS * 3600,
    admins,
    audit,
    templates,
    mailer,
    tokenSecret: config.EMAIL_TOKEN_SECRET,
    sessions,
    throttle: new SignInThrottle(store.redis),
    store,
    decisions,
    deadLetters,
    notes,
    reasons,
    search,
    events,
    publisher,
    stomp,
    relay,
    reconciler,
  });
  const server = await listen(app, config.PORT, config.HOST);
  logger.info({ url: server.url }, 'consumer-mq listening');

  return {
    url: server.url,
    stop: async () => {
      shuttingDown = true;
      await reconciler.stop();
      await retention.stop();
      await archiver.stop();
      await Promise.all([emails.stop(), decisionEmails.stop()]); // finish the emails in hand (and their ledger rows) before Postgres closes
      mailer.close();
      await stomp.close(); // stop taking messages; the ones in hand are staged and acked first
      await events.stop(); // ends live streams so the HTTP server can close
      await server.close();
      await relay.stop();
      await publisher.close();
      await store.close();
      await pool.end();
    },
  };
}
