import express from 'express';
import helmet from 'helmet';
import { TOPICS, createLogger, type Logger } from '@regflow/common';
import { createMetrics, errorHandler, healthRoutes, listen, notFoundHandler, requestLogger } from '@regflow/common/http';
import { EventPublisher, createKafka, runConsumer, topicSpecs, type RunningConsumer } from '@regflow/common/kafka';
import { StompSession } from '@regflow/common/stomp';
import type { OrchestratorConfig } from './config';
import { ClaimsIndex } from './data-access/claims-index';
import { ReviewQueueSender } from './data-access/review-queue-sender';
import { UsersIndex } from './data-access/users-index';
import { applyDecision } from './domain/apply-decision';
import { forwardRegistration } from './domain/forward-registration';
import { usersRoutes } from './entry-points/users.http';

export interface Orchestrator {
  url: string;
  stop(): Promise<void>;
}

export async function startOrchestrator(config: OrchestratorConfig, logger: Logger = createLogger('orchestrator-api', config.LOG_LEVEL)): Promise<Orchestrator> {
  const index = UsersIndex.connect(
    { url: config.ELASTICSEARCH_URL, username: config.ELASTICSEARCH_USERNAME, password: config.ELASTICSEARCH_PASSWORD },
    logger,
  );
  const claims = new ClaimsIndex(index.client, index.creates);
  await retryUntilReady('elasticsearch', async () => {
    await index.ensureIndex();
    await claims.ensureIndex();
  }, logger);

  const metrics = createMetrics('orchestrator-api');
  const stomp = new StompSession(config.STOMP_URL, logger.child({ component: 'stomp' }), metrics.pipeline.stompHooks);
  stomp.start();
  const reviewQueue = new ReviewQueueSender(stomp);

  const kafka = createKafka({ clientId: 'orchestrator-api', brokers: config.KAFKA_BROKERS, logger });
  // Every topic it reads or writes exists before the consumers join (created if missing: the brokers
  // never auto-create, and no start-up order between the services is assumed).
  const deadLetters = new EventPublisher(kafka, logger, { topics: topicSpecs([TOPICS.registrationRequested, TOPICS.registrationDecided, TOPICS.deadLetter], config) });
  await retryUntilReady('kafka (dead-letter topic)', () => deadLetters.connect(), logger);
  const consumers: RunningConsumer[] = [];
  const common = { kafka, logger, deadLetter: { topic: TOPICS.deadLetter, publisher: deadLetters }, maxAttempts: config.KAFKA_MAX_ATTEMPTS, partitionsConsumedConcurrently: config.KAFKA_PARTITIONS_CONCURRENTLY, hooks: metrics.pipeline.kafkaHooks };
  await retryUntilReady('kafka (registrations consumer)', async () => {
    consumers.push(
      await runConsumer({
        ...common,
        groupId: 'orchestrator-registrations',
        topics: [TOPICS.registrationRequested],
        handler: (record) => forwardRegistration(record, { index, claims, reviewQueue, logger }),
      }),
    );
  }, logger);
  await retryUntilReady('kafka (decisions consumer)', async () => {
    consumers.push(
      await runConsumer({
        ...common,
        groupId: 'orchestrator-decisions',
        topics: [TOPICS.registrationDecided],
        handler: (record) => applyDecision(record, { index, logger }),
      }),
    );
  }, logger);

  let shuttingDown = false;
  const app = express();
  app.disable('x-powered-by');
  app.use(helmet());
  app.use(requestLogger(logger));
  app.use(metrics.httpMetrics);
  app.use(
    healthRoutes(
      {
        elasticsearch: () => index.ping(),
        kafka: () => deadLetters.ping(),
        activemq: async () => {
          if (!stomp.isConnected()) throw new Error('not connected');
        },
      },
      () => shuttingDown,
    ),
  );
  app.get('/metrics', metrics.metricsHandler);
  app.use(usersRoutes(index));
  app.use(notFoundHandler);
  app.use(errorHandler(logger));
  const server = await listen(app, config.PORT, config.HOST);
  logger.info({ url: server.url }, 'orchestrator-api listening');

  return {
    url: server.url,
    stop: async () => {
      shuttingDown = true;
      // Consumers first: they finish the record in hand and commit, while STOMP and ES still work.
      await Promise.allSettled(consumers.map((c) => c.stop()));
      await deadLetters.close();
      await server.close();
      await stomp.close();
      await index.close();
    },
  };
}

async function retryUntilReady(what: string, fn: () => Promise<void>, logger: Logger): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await fn();
      return;
    } catch (err) {
      const delay = Math.min(5000, 250 * 2 ** attempt);
      logger.warn({ err: err instanceof Error ? err.message : err, attempt, delayMs: delay }, `${what} not ready; retrying`);
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}
