import { TOPICS, createLogger, type Logger } from '@regflow/common';
import { createMetrics, listen, type RunningServer } from '@regflow/common/http';
import { EventPublisher, createKafka, topicSpecs } from '@regflow/common/kafka';
import { createApp } from './app';
import type { AccessApiConfig } from './config';
import { StatusClient } from './data-access/status-client';

export interface AccessApi {
  url: string;
  stop(): Promise<void>;
}

/** Builds the clients, starts HTTP, and returns a stop() that shuts down in order. */
export async function startAccessApi(config: AccessApiConfig, logger: Logger = createLogger('access-api', config.LOG_LEVEL)): Promise<AccessApi> {
  const kafka = createKafka({ clientId: 'access-api', brokers: config.KAFKA_BROKERS, logger });
  // The topic it writes is created if missing on connect (the brokers never auto-create).
  const publisher = new EventPublisher(kafka, logger, { lingerMs: config.KAFKA_LINGER_MS, topics: topicSpecs([TOPICS.registrationRequested], config) });
  // Start even when Kafka is down: requests answer 503 until it is back.
  publisher.connect().catch((err: unknown) => logger.warn({ err }, 'kafka not reachable at start-up; will retry on demand'));
  let shuttingDown = false;
  const app = createApp({
    logger,
    metrics: createMetrics('access-api'),
    publisher,
    statusClient: new StatusClient(config.ORCHESTRATOR_URL),
    rateLimitPerMinute: config.RATE_LIMIT_PER_MINUTE,
    trustProxy: config.TRUST_PROXY,
    isShuttingDown: () => shuttingDown,
  });
  const server: RunningServer = await listen(app, config.PORT, config.HOST);
  logger.info({ url: server.url }, 'access-api listening');
  return {
    url: server.url,
    stop: async () => {
      shuttingDown = true;
      await server.close(); // in-flight requests finish, and so do their publishes
      await publisher.close();
    },
  };
}
