import express, { type Express, type RequestHandler, type Router } from 'express';
import helmet from 'helmet';
import type { Logger } from 'pino';
import { z } from 'zod';
import { requestLogger } from './correlation';
import { errorHandler, notFoundHandler } from './error-handler';
import { healthRoutes, type ReadinessCheck } from './health';
import type { Metrics } from './metrics';
import {
  buildOpenApiDocument,
  documented,
  listRoutes,
  notAnOperation,
  openApiRoutes,
  type ApiInfo,
  type OpenApiDocument,
} from './openapi';
import { sendProblem } from './problem';

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
  // One proxy hop, not `true`: with `true` the client's own X-Forwarded-For entries would be believed,
  // so anyone could pick the address the rate limits and sign-in throttle count against.
  app.set('trust proxy', opts.trustProxy ? 1 : false);
  app.use(helmet());
  app.use(requestLogger(opts.logger));
  app.use(opts.metrics.httpMetrics);
  for (const handler of opts.before ?? []) app.use(handler);
  app.use(healthRoutes(opts.readiness, opts.isShuttingDown));
  app.get(
    '/metrics',
    documented({
      operationId: 'metrics',
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
  // Ahead of the service's own middleware (an admin route's session check), filled once its routes are known.
  const refusals = express.Router();
  app.use(refusals);
  routes(app);
  if (opts.openapi) document = buildOpenApiDocument(app, opts.openapi);
  refuseOtherMethods(app, refusals);
  app.use(notFoundHandler);
  app.use(errorHandler(opts.logger));
  return app;
}

/**
 * A path the app serves, asked with a method it does not take, is 405 with Allow (RFC 9110), not the
 * 404 of a path that does not exist, and not the 401 of an admin route's session check either. HEAD is
 * answered wherever GET is, and OPTIONS with the Allow list (express does both).
 */
function refuseOtherMethods(app: Express, refusals: Router): void {
  const allowed = new Map<string, Set<string>>();
  for (const route of listRoutes(app)) {
    const methods = allowed.get(route.expressPath) ?? new Set<string>();
    methods.add(route.method.toUpperCase());
    if (route.method === 'get') methods.add('HEAD');
    allowed.set(route.expressPath, methods);
  }
  for (const [path, methods] of allowed) {
    const allow = [...methods].join(', ');
    refusals.all(
      pathPattern(path),
      notAnOperation((req, res, next) => {
        if (methods.has(req.method) || req.method === 'OPTIONS') return next();
        res.setHeader('allow', allow);
        sendProblem(
          res,
          405,
          'REQUEST.METHOD_NOT_ALLOWED',
          `${req.method} is not allowed here; this path takes ${allow}.`,
        );
      }),
    );
  }
}

/**
 * `/users/:id` as a pattern without parameters: matching it decodes nothing, so a malformed escape in
 * an id still meets the route's own checks (an admin route's session check first, then its 400).
 */
function pathPattern(path: string): RegExp {
  const segments = path
    .split('/')
    .map((segment) => (segment.startsWith(':') ? '[^/]+' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  return new RegExp(`^${segments.join('/')}/?$`, 'i');
}
