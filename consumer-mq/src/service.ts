import express from 'express';
import helmet from 'helmet';
import cookieParser from 'cookie-parser';
import { QUEUES, TOPICS, createLogger, type Logger } from '@regflow/common';
import { createMetrics, errorHandler, healthRoutes, listen, notFoundHandler, requestLogger } from '@regflow/common/http';
import { EventPublisher, createKafka, runConsumer, topicSpecs, type RunningConsumer } from '@regflow/common/kafka';
import { StompSession } from '@regflow/common/stomp';
import type { ConsumerConfig } from './config';
import { AdminEventBus } from './data-access/admin-events';
import { AdminsRepository } from './data-access/admins-repository';
import { createDatabase, migrateWithLock } from './data-access/db/database';
import { DeadLettersRepository } from './data-access/dead-letters-repository';
import { DecisionsRepository } from './data-access/decisions-repository';
import { OutboxRelay } from './data-access/outbox-relay';
import { SearchClient } from './data-access/search-client';
import { SessionStore, SignInThrottle } from './data-access/session-store';
import { StagingStore } from './data-access/staging-store';
import { bootstrapAdmin } from './domain/bootstrap-admin';
import { archiveKafkaDeadLetter, archiveQueueDeadLetter } from './domain/dead-letters';
import { adminRoutes } from './entry-points/admin.http';
import { consoleCors } from './entry-points/cors';
import { registerConsumerMetrics } from './entry-points/metrics';
import { operationsRoutes } from './entry-points/operations.http';
import { ReconcileJob } from './entry-points/reconcile.job';
import { subscribeReviewQueue } from './entry-points/review-queue.stomp';
import { sessionRoutes } from './entry-points/session.http';

export interface ConsumerService {
  url: string;
  stop(): Promise<void>;
}

export async function startConsumer(config: ConsumerConfig, logger: Logger = createLogger('consumer-mq', config.LOG_LEVEL)): Promise<ConsumerService> {
  const { pool, db } = createDatabase(config.DATABASE_URL, logger);
  await migrateWithLock(pool, logger);
  const admins = new AdminsRepository(db);
  await bootstrapAdmin(config.ADMIN_EMAIL, config.ADMIN_PASSWORD, admins, logger);
  const decisions = new DecisionsRepository(db);

  const store = await StagingStore.connect(config.REDIS_URL, logger);
  const events = new AdminEventBus(store.redis, logger);
  await events.start();

  const kafka = createKafka({ clientId: 'consumer-mq', brokers: config.KAFKA_BROKERS, logger });
  // The topics it writes (decisions; the originals that dead letters are replayed to) and reads (dead
  // letters) are created if missing on connect: at start-up in the background, and again by the relay's
  // publishes until Kafka answers.
  const publisher = new EventPublisher(kafka, logger, { topics: topicSpecs([TOPICS.registrationDecided, TOPICS.registrationRequested, TOPICS.deadLetter], config) });
  publisher.connect().catch((err: unknown) => logger.warn({ err }, 'kafka not reachable at start-up; the outbox relay retries'));
  const relay = new OutboxRelay(decisions, publisher, logger);
  relay.start();

  const metrics = createMetrics('consumer-mq');
  registerConsumerMetrics(metrics.registry, store, decisions);
  const stomp = new StompSession(config.STOMP_URL, logger.child({ component: 'stomp' }), metrics.pipeline.stompHooks);
  subscribeReviewQueue(stomp, config.QUEUE_PREFETCH, { store, stomp, events, logger });
  const deadLetters = new DeadLettersRepository(db);
  const deadLetterDeps = { deadLetters, publisher, stomp, logger };
  stomp.subscribe(QUEUES.reviewDeadLetter, { prefetch: 20 }, (message) => archiveQueueDeadLetter(message, deadLetterDeps));
  stomp.start();
  // The orchestrator's dead letters are archived here too, so one admin tool lists and replays both kinds.
  // Joining the group can wait for Kafka; it runs in the background so the admin API starts at once.
  let stopped = false;
  const dlqArchive: Promise<RunningConsumer | undefined> = (async () => {
    for (let attempt = 1; !stopped; attempt++) {
      try {
        return await runConsumer({
          kafka,
          groupId: 'consumer-mq-dead-letter-archive',
          topics: [TOPICS.deadLetter],
          logger,
          maxAttempts: Number.MAX_SAFE_INTEGER,
          handler: (record) => archiveKafkaDeadLetter(record, deadLetterDeps),
          hooks: metrics.pipeline.kafkaHooks,
        });
      } catch (err) {
        logger.warn({ err: err instanceof Error ? err.message : err, attempt }, 'dead-letter archive could not join Kafka; retrying');
        await new Promise((r) => setTimeout(r, Math.min(5000, 250 * 2 ** attempt)));
      }
    }
    return undefined;
  })();
  const reconcileJob = new ReconcileJob(
    pool,
    { store, decisions, search: new SearchClient(config.ORCHESTRATOR_URL), logger, wakeRelay: () => relay.wake(), graceMs: config.RECONCILE_GRACE_SECONDS * 1000 },
    logger,
    config.RECONCILE_INTERVAL_SECONDS * 1000,
  );
  reconcileJob.start();

  const sessions = new SessionStore(store.redis, config.SESSION_IDLE_MINUTES * 60, config.SESSION_ABSOLUTE_HOURS * 3600);
  let shuttingDown = false;
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.TRUST_PROXY);
  app.use(helmet());
  app.use(requestLogger(logger));
  app.use(metrics.httpMetrics);
  app.use(consoleCors(config.CONSOLE_ORIGIN));
  app.use(
    healthRoutes(
      {
        postgres: async () => {
          await pool.query('select 1');
        },
        redis: () => store.ping(),
        kafka: () => publisher.ping(),
        activemq: async () => {
          if (!stomp.isConnected()) throw new Error('not connected');
        },
      },
      () => shuttingDown,
    ),
  );
  app.get('/metrics', metrics.metricsHandler);
  app.use(cookieParser());
  app.use(sessionRoutes({ admins, sessions, throttle: new SignInThrottle(store.redis), absoluteSeconds: config.SESSION_ABSOLUTE_HOURS * 3600, logger }));
  app.use(operationsRoutes({ sessions, ...deadLetterDeps, reconcileJob }));
  app.use(adminRoutes({ sessions, store, decisions, search: new SearchClient(config.ORCHESTRATOR_URL), events, relay, logger }));
  app.use(notFoundHandler);
  app.use(errorHandler(logger));
  const server = await listen(app, config.PORT, config.HOST);
  logger.info({ url: server.url }, 'consumer-mq listening');

  return {
    url: server.url,
    stop: async () => {
      shuttingDown = true;
      await reconcileJob.stop();
      stopped = true;
      await (await dlqArchive)?.stop();
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
