import type { Express } from 'express';
import { rateLimit } from 'express-rate-limit';
import { createServiceApp, sendProblem, type ServiceAppOptions } from '@regflow/common/http';
import type { EventPublisher } from '@regflow/common/kafka';
import type { EmailConfirmationMode } from '@regflow/common';
import type { StatusClient } from './data-access/status-client';
import { confirmationRoutes } from './entry-points/confirmations.http';
import { usersRoutes } from './entry-points/users.http';

export interface AppDeps extends ServiceAppOptions {
  publisher: EventPublisher;
  statusClient: StatusClient;
  rateLimitPerMinute: number;
  emailConfirmation: EmailConfirmationMode;
  tokenSecret: string;
  confirmationRedirectUrl?: string;
  resendLimitPerHour: number;
}

/**
 * The public sign-up API: POST /users (rate limited per client address), GET /users/{id}, and email
 * confirmation: the link's page GET /confirmations/{token} and asking for the email again.
 */
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
        // Sign-ups only (POST /users); asking for the confirmation email again has limits of its own.
        skip: (req) => req.method !== 'POST' || req.path !== '/',
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
    app.use(
      usersRoutes({
        publisher: deps.publisher,
        statusClient: deps.statusClient,
        retryAfterSeconds: 5,
        emailConfirmation: deps.emailConfirmation,
      }),
    );
    app.use(
      confirmationRoutes({
        tokenSecret: deps.tokenSecret,
        statusClient: deps.statusClient,
        publisher: deps.publisher,
        resendLimitPerHour: deps.resendLimitPerHour,
        ...(deps.confirmationRedirectUrl ? { redirectUrl: deps.confirmationRedirectUrl } : {}),
      }),
    );
  });
}
