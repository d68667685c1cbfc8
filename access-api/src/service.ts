import { TOPICS, createLogger, type Logger } from '@regflow/common';
import { createMetrics, listen, type RunningService } from '@regflow/common/http';
import { EventPublisher, createKafka, topicSpecs } from '@regflow/common/kafka';
import { createApp } from './app';
import type { AccessApiConfig } from './config';
import { StatusClient } from './data-access/status-client';

export type AccessApi = RunningService;

/** Builds the clients, starts the entry points (HTTP), and returns a stop() that shuts down in order. */
export async function startAccessApi(
  config: AccessApiConfig,
  logger: Logger = createLogger('access-api', config.LOG_LEVEL),
): Promise<AccessApi> {
  // Clients. The topic it writes is created if missing on connect (the brokers never auto-create).
  const kafka = createKafka({ clientId: 'access-api', brokers: config.KAFKA_BROKERS, logger });
  const publisher = new EventPublisher(kafka, logger, {
    lingerMs: config.KAFKA_LINGER_MS,
    topics: topicSpecs([TOPICS.registrationRequested], config),
  });
  // Start even when Kafka is down: requests answer 503 until it is back.
  publisher
    .connect()
    .catch((err: unknown) => logger.warn({ err }, 'kafka not reachable at start-up; will retry on demand'));
  const statusClient = new StatusClient(config.ORCHESTRATOR_URL);

  // Entry points.
  let shuttingDown = false;
  const app = createApp({
    logger,
    metrics: createMetrics('access-api'),
    readiness: { kafka: () => publisher.ping() },
    isShuttingDown: () => shuttingDown,
    publisher,
    statusClient,
    rateLimitPerMinute: config.RATE_LIMIT_PER_MINUTE,
    emailConfirmation: config.EMAIL_CONFIRMATION,
    tokenSecret: config.EMAIL_TOKEN_SECRET,
    resendLimitPerHour: config.RESEND_LIMIT_PER_HOUR,
    ...(config.CONFIRMATION_REDIRECT_URL ? { confirmationRedirectUrl: config.CONFIRMATION_REDIRECT_URL } : {}),
    trustProxy: config.TRUST_PROXY,
  });
  const server = await listen(app, config.PORT, config.HOST);
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
