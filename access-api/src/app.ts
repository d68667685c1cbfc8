import express from 'express';
import helmet from 'helmet';
import { rateLimit } from 'express-rate-limit';
import type { Logger } from '@regflow/common';
import { errorHandler, healthRoutes, notFoundHandler, requestLogger, sendProblem, type Metrics } from '@regflow/common/http';
import type { EventPublisher } from '@regflow/common/kafka';
import type { StatusClient } from './data-access/status-client';
import { usersRoutes } from './entry-points/users.http';

export interface AppDeps {
  logger: Logger;
  metrics: Metrics;
  publisher: EventPublisher;
  statusClient: StatusClient;
  rateLimitPerMinute: number;
  trustProxy: boolean;
  isShuttingDown: () => boolean;
}

export function createApp(deps: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  // Answers are per request (a new id each time): an ETag would only cost a hash of every body.
  app.set('etag', false);
  app.set('trust proxy', deps.trustProxy);
  app.use(helmet());
  app.use(requestLogger(deps.logger));
  app.use(deps.metrics.httpMetrics);
  app.use(
    healthRoutes(
      {
        kafka: () => deps.publisher.ping(),
      },
      deps.isShuttingDown,
    ),
  );
  app.get('/metrics', deps.metrics.metricsHandler);
  app.use(
    '/users',
    rateLimit({
      windowMs: 60_000,
      limit: deps.rateLimitPerMinute,
      standardHeaders: 'draft-8',
      legacyHeaders: false,
      skip: (req) => req.method !== 'POST',
      handler: (_req, res) => {
        sendProblem(res, 429, 'REQUEST.RATE_LIMITED', 'Too many sign-ups from this address. Wait a minute and try again.');
      },
    }),
  );
  app.use(usersRoutes({ publisher: deps.publisher, statusClient: deps.statusClient, retryAfterSeconds: 5 }));
  app.use(notFoundHandler);
  app.use(errorHandler(deps.logger));
  return app;
}
