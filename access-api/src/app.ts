import type { Express } from 'express';
import { rateLimit } from 'express-rate-limit';
import { createServiceApp, sendProblem, type ServiceAppOptions } from '@regflow/common/http';
import type { EventPublisher } from '@regflow/common/kafka';
import type { StatusClient } from './data-access/status-client';
import { usersRoutes } from './entry-points/users.http';

export interface AppDeps extends ServiceAppOptions {
  publisher: EventPublisher;
  statusClient: StatusClient;
  rateLimitPerMinute: number;
}

/** The public sign-up API: POST /users (rate limited per client address) and GET /users/{id}. */
export function createApp(deps: AppDeps): Express {
  // Answers are per request (a new id each time): an ETag would only cost a hash of every body.
  const openapi = {
    title: 'regflow access API',
    description:
      'The public sign-up API. Errors are application/problem+json (RFC 9457) with a stable `code`; validation errors name each bad field in `errors`.',
  };
  return createServiceApp({ ...deps, etag: false, openapi }, (app) => {
    app.use(
      '/users',
      rateLimit({
        windowMs: 60_000,
        limit: deps.rateLimitPerMinute,
        standardHeaders: 'draft-8',
        legacyHeaders: false,
        skip: (req) => req.method !== 'POST',
        handler: (_req, res) => {
          sendProblem(
            res,
            429,
            'REQUEST.RATE_LIMITED',
            'Too many sign-ups from this address. Wait a minute and try again.',
          );
        },
      }),
    );
    app.use(usersRoutes({ publisher: deps.publisher, statusClient: deps.statusClient, retryAfterSeconds: 5 }));
  });
}
