import { TOPICS, createLogger, retryUntilReady, type Logger } from '@regflow/common';
import { createMetrics, listen, type RunningService } from '@regflow/common/http';
import { EventPublisher, createKafka, topicSpecs, type ListenerOptions } from '@regflow/common/kafka';
import { StompSession } from '@regflow/common/stomp';
import { createApp } from './app';
import type { OrchestratorConfig } from './config';
import { ClaimsIndex } from './data-access/claims-index';
import { ReviewQueueSender } from './data-access/review-queue-sender';
import { UsersIndex } from './data-access/users-index';
import { startDecisionsListener } from './entry-points/decisions.kafka';
import { startRegistrationsListener } from './entry-points/registrations.kafka';
import { ExpireUnconfirmedWorker } from './workers/expire-unconfirmed.worker';

export type Orchestrator = RunningService;

/** Builds the clients, starts the entry points (two Kafka listeners, HTTP), and returns a stop() that shuts down in order. */
export async function startOrchestrator(
  config: OrchestratorConfig,
  logger: Logger = createLogger('orchestrator-api', config.LOG_LEVEL),
): Promise<Orchestrator> {
  const metrics = createMetrics('orchestrator-api');
  // Clients. Start-up waits for Elasticsearch (the indices, created or brought up to date) and for Kafka.
  const index = UsersIndex.connect(
    { url: config.ELASTICSEARCH_URL, username: config.ELASTICSEARCH_USERNAME, password: config.ELASTICSEARCH_PASSWORD },
    logger,
  );
  const claims = new ClaimsIndex(index.client, index.creates);
  await retryUntilReady(
    'elasticsearch',
    async () => {
      await index.ensureIndex();
      await claims.ensureIndex();
    },
    { logger },
  );
  const stomp = new StompSession(config.STOMP_URL, logger.child({ component: 'stomp' }), metrics.pipeline.stompHooks);
  stomp.start();
  const reviewQueue = new ReviewQueueSender(stomp);
  const kafka = createKafka({ clientId: 'orchestrator-api', brokers: config.KAFKA_BROKERS, logger });
  // Every topic it reads or writes exists before the listeners join (created if missing: the brokers
  // never auto-create, and no start-up order between the services is assumed).
  const deadLetters = new EventPublisher(kafka, logger, {
    topics: topicSpecs([TOPICS.registrationRequested, TOPICS.registrationDecided, TOPICS.deadLetter], config),
  });
  await retryUntilReady('kafka (dead-letter topic)', () => deadLetters.connect(), { logger });

  // Entry points: the Kafka listeners, then HTTP.
  const listener: ListenerOptions = {
    kafka,
    logger,
    deadLetter: { topic: TOPICS.deadLetter, publisher: deadLetters },
    maxAttempts: config.KAFKA_MAX_ATTEMPTS,
    partitionsConsumedConcurrently: config.KAFKA_PARTITIONS_CONCURRENTLY,
    hooks: metrics.pipeline.kafkaHooks,
  };
  const registrations = await retryUntilReady(
    'kafka (registrations listener)',
    () =>
      startRegistrationsListener(listener, {
        index,
        claims,
        reviewQueue,
        logger,
        confirmationTtlHours: config.EMAIL_CONFIRMATION_TTL_HOURS,
      }),
    { logger },
  );
  const decisions = await retryUntilReady(
    'kafka (decisions listener)',
    () => startDecisionsListener(listener, { index, logger }),
    { logger },
  );
  // Workers: the expiry sweep.
  const expiry = new ExpireUnconfirmedWorker(
    index,
    config.EMAIL_CONFIRMATION_TTL_HOURS,
    config.EXPIRED_RETENTION_HOURS,
    logger,
  );
  expiry.start();
  let shuttingDown = false;
  const app = createApp({
    logger,
    metrics,
    readiness: { elasticsearch: () => index.ping(), kafka: () => deadLetters.ping(), activemq: () => stomp.ping() },
    isShuttingDown: () => shuttingDown,
    index,
    confirmationTtlHours: config.EMAIL_CONFIRMATION_TTL_HOURS,
  });
  const server = await listen(app, config.PORT, config.HOST);
  logger.info({ url: server.url }, 'orchestrator-api listening');

  return {
    url: server.url,
    stop: async () => {
      shuttingDown = true;
      // Listeners first: they finish the record in hand and commit, while STOMP and ES still work.
      await Promise.allSettled([registrations.stop(), decisions.stop(), expiry.stop()]);
      await deadLetters.close();
      await server.close();
      await stomp.close();
      await index.close();
    },
  };
}
