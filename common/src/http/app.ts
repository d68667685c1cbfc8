import express, { type Express, type RequestHandler } from 'express';
import helmet from 'helmet';
import type { Logger } from 'pino';
import { z } from 'zod';
import { requestLogger } from './correlation';
import { errorHandler, notFoundHandler } from './error-handler';
import { healthRoutes, type ReadinessCheck } from './health';
import type { Metrics } from './metrics';
import { buildOpenApiDocument, documented, openApiRoutes, type ApiInfo, type OpenApiDocument } from './openapi';

export interface ServiceAppOptions {
  logger: Logger;
  metrics: Metrics;
  /** GET /readyz: one check per server the service needs, by name. */
  readiness: Record<string, ReadinessCheck>;
  /** While stopping, /readyz answers 503 so a balancer sends no new work. */
  isShuttingDown: () => boolean;
  trustProxy?: boolean;
  /** Answers that differ on every request gain nothing from an ETag but the cost of hashing each body. */
  etag?: boolean;
  /** Middleware that must run before the health routes too (the admin API's CORS). */
  before?: RequestHandler[];
  /** The API's OpenAPI description: served at /openapi.json and /docs, built from the documented routes. */
  openapi?: ApiInfo;
}

/**
 * What every service's HTTP app has in common, in order: security headers, the request's log line and
 * metrics, /healthz, /readyz and /metrics, /openapi.json and /docs; then the service's own `routes`; then
 * 404 and the one error handler that turns every error into a problem+json answer. The OpenAPI document
 * is built once every route is mounted, from the operations the routes carry (./openapi.ts).
 */
export function createServiceApp(opts: ServiceAppOptions, routes: (app: Express) => void): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', opts.etag ?? true);
  app.set('trust proxy', opts.trustProxy ?? false);
  app.use(helmet());
  app.use(requestLogger(opts.logger));
  app.use(opts.metrics.httpMetrics);
  for (const handler of opts.before ?? []) app.use(handler);
  app.use(healthRoutes(opts.readiness, opts.isShuttingDown));
  app.get(
    '/metrics',
    documented({
      summary: 'Prometheus metrics',
      tags: ['operations'],
      responses: {
        200: { description: 'The text exposition format.', content: { 'text/plain': { schema: z.string() } } },
      },
    }),
    opts.metrics.metricsHandler,
  );
  let document: OpenApiDocument | undefined;
  if (opts.openapi) app.use(openApiRoutes(opts.openapi.title, () => document!));
  routes(app);
  if (opts.openapi) document = buildOpenApiDocument(app, opts.openapi);
  app.use(notFoundHandler);
  app.use(errorHandler(opts.logger));
  return app;
}
