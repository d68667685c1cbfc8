import { Router, type Request, type RequestHandler, type Response } from 'express';
import { z } from 'zod';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import { AppError, TransientError, verifyConfirmationToken } from '@regflow/common';
import {
  documented,
  idPathParams,
  jsonResponse,
  orUnavailable,
  problems,
  sendProblem,
  uuidParam,
  type Operation,
} from '@regflow/common/http';
import { confirmEmail, type ConfirmEmailDeps, type ConfirmationOutcome } from '../domain/confirm-email';
import { requestConfirmationEmail, type RequestConfirmationEmailDeps } from '../domain/request-confirmation-email';
import { confirmationPage, type PageName } from './confirmation-pages';
import { pickLocale } from './locale';

export interface ConfirmationRouteDeps extends Omit<ConfirmEmailDeps, 'statusClient'> {
  statusClient: ConfirmEmailDeps['statusClient'] & RequestConfirmationEmailDeps['statusClient'];
  /** When set, the link answers 303 to it with ?status=…&id=… instead of showing its own page. */
  redirectUrl?: string;
  resendLimitPerHour: number;
}

const HTTP_STATUS: Record<PageName, number> = {
  confirmed: 200,
  'already-confirmed': 200,
  'link-expired': 410,
  expired: 410,
  invalid: 400,
  resent: 202,
  'rate-limited': 429,
  unavailable: 503,
};

function sendPage(req: Request, res: Response, name: PageName, resendAction?: string): void {
  // A page about one person's registration: never cached, never indexed.
  res
    .status(HTTP_STATUS[name])
    .set({ 'cache-control': 'no-store', 'x-robots-tag': 'noindex' })
    .type('html')
    .send(confirmationPage(name, pickLocale(req), resendAction));
}

/**
 * Resends, limited per registration and per client address over an hour (429 with Retry-After): the
 * first bound is the applicant's inbox, the second anyone cycling through ids. consumer-mq enforces its
 * own per-registration limit across replicas (CONFIRMATION_EMAILS_PER_HOUR); these are per replica.
 */
function resendLimiters(
  perRegistration: number,
  registrationOf: (req: Request) => string,
  answer: (req: Request, res: Response) => void,
): RequestHandler[] {
  const limiter = (limit: number, key: (req: Request) => string) =>
    rateLimit({
      windowMs: 3_600_000,
      limit,
      standardHeaders: 'draft-8',
      legacyHeaders: false,
      keyGenerator: key,
      handler: (req, res) => {
        const resetTime = (req as Request & { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime;
        const seconds = resetTime ? Math.max(1, Math.ceil((resetTime.getTime() - Date.now()) / 1000)) : 3600;
        res.setHeader('retry-after', String(seconds));
        answer(req, res);
      },
    });
  return [
    limiter(perRegistration * 10, (req) => `client:${ipKeyGenerator(req.ip ?? '')}`),
    limiter(perRegistration, (req) => `registration:${registrationOf(req)}`),
  ];
}

const tokenPathParams = z.object({
  token: z.string().meta({ description: 'The signed token from the confirmation email.' }),
});
const page = (description: string) => ({ description, content: { 'text/html': { schema: z.string() } } });
const resent = z.object({ id: z.uuid(), status: z.literal('unconfirmed') });

const followConfirmationLink: Operation = {
  operationId: 'followConfirmationLink',
  summary: 'The link in the confirmation email',
  description:
    "Confirms the applicant's email (publishes UserEmailConfirmed) and answers a page in their language, or 303 to CONFIRMATION_REDIRECT_URL?status=&id= when the operator set one. Single use: a second visit says already confirmed.",
  tags: ['confirmation'],
  requestParams: { path: tokenPathParams },
  responses: {
    200: page('Confirmed, or already confirmed.'),
    303: { description: 'Redirect to CONFIRMATION_REDIRECT_URL with status and id.' },
    400: page('Not a valid link.'),
    410: page('The link expired (the page offers a new one), or the registration expired.'),
    503: page('A server it needs does not answer; nothing changed. Try again.'),
  },
};

const resendFromExpiredLink: Operation = {
  operationId: 'resendFromExpiredLink',
  summary: 'A new confirmation email, asked for from an expired link',
  tags: ['confirmation'],
  requestParams: { path: tokenPathParams },
  responses: {
    202: page('A new email is on its way.'),
    200: page('Already confirmed.'),
    400: page('Not a valid link.'),
    410: page('The registration expired.'),
    429: page('Asked for too often; Retry-After says when to try again.'),
    503: page('A server it needs does not answer; nothing was sent.'),
  },
};

const resendConfirmationEmail: Operation = {
  operationId: 'resendConfirmationEmail',
  summary: 'Send the confirmation email again',
  tags: ['confirmation'],
  requestParams: { path: idPathParams },
  responses: {
    202: jsonResponse('A new confirmation email is on its way.', resent),
    ...problems({
      400: 'REQUEST.INVALID: the id is not a UUID.',
      404: 'REGISTRATION.NOT_FOUND: not indexed (yet).',
      409: 'REGISTRATION.ALREADY_CONFIRMED: nothing to confirm; `registrationStatus` is where it is now.',
      410: 'REGISTRATION.EXPIRED: not confirmed in time; sign up again.',
      429: 'REQUEST.RATE_LIMITED: asked for too often, for this registration or from this address.',
      503: true,
    }),
  },
};

export function confirmationRoutes(deps: ConfirmationRouteDeps): Router {
  const router = Router();

  router.get('/confirmations/:token', documented(followConfirmationLink), async (req, res) => {
    const token = String(req.params.token);
    let outcome: ConfirmationOutcome;
    try {
      outcome = await confirmEmail(token, req.id, deps);
    } catch (err) {
      if (!(err instanceof TransientError)) throw err;
      req.log.warn({ err }, 'confirmation could not be handled: a dependency is unavailable');
      sendPage(req, res, 'unavailable');
      return;
    }
    if (deps.redirectUrl) {
      const target = new URL(deps.redirectUrl);
      target.searchParams.set('status', outcome.status);
      if (outcome.status !== 'invalid') target.searchParams.set('id', outcome.claims.userId);
      res.redirect(303, target.toString());
      return;
    }
    sendPage(
      req,
      res,
      outcome.status,
      outcome.status === 'link-expired' ? `/confirmations/${encodeURIComponent(token)}/resend` : undefined,
    );
  });

  const tokenOwner = (req: Request): string => {
    const verified = verifyConfirmationToken(String(req.params.token), deps.tokenSecret);
    return verified.ok ? verified.claims.userId : 'invalid';
  };
  router.post(
    '/confirmations/:token/resend',
    documented(resendFromExpiredLink),
    ...resendLimiters(deps.resendLimitPerHour, tokenOwner, (req, res) => sendPage(req, res, 'rate-limited')),
    async (req, res) => {
      // An expired link still proves who it was sent to: it may ask for a new one.
      const verified = verifyConfirmationToken(String(req.params.token), deps.tokenSecret);
      if (!verified.ok) {
        sendPage(req, res, 'invalid');
        return;
      }
      try {
        const outcome = await requestConfirmationEmail(verified.claims.userId, req.id, deps);
        const page: Record<typeof outcome.status, PageName> = {
          requested: 'resent',
          expired: 'expired',
          'already-confirmed': 'already-confirmed',
          'not-found': 'unavailable',
        };
        sendPage(req, res, page[outcome.status]);
      } catch (err) {
        if (!(err instanceof TransientError)) throw err;
        sendPage(req, res, 'unavailable');
      }
    },
  );

  router.post(
    '/users/:id/confirmation-email',
    documented(resendConfirmationEmail),
    ...resendLimiters(
      deps.resendLimitPerHour,
      (req) => String(req.params.id),
      (_req, res) =>
        sendProblem(
          res,
          429,
          'REQUEST.RATE_LIMITED',
          'The confirmation email was asked for too often. Wait and try again; the last one sent still works.',
        ),
    ),
    async (req, res) => {
      const id = uuidParam(req);
      const outcome = await orUnavailable(
        () => requestConfirmationEmail(id, req.id, deps),
        'The confirmation email cannot be asked for right now; nothing was sent. Try again shortly.',
      );
      switch (outcome.status) {
        case 'requested':
          res.status(202).json({ id, status: 'unconfirmed' } satisfies z.input<typeof resent>);
          return;
        case 'not-found':
          throw new AppError('REGISTRATION.NOT_FOUND', 404, 'No registration with this id is known (yet).');
        case 'expired':
          throw new AppError(
            'REGISTRATION.EXPIRED',
            410,
            'This registration was not confirmed in time and has expired. Sign up again.',
          );
        case 'already-confirmed':
          throw new AppError('REGISTRATION.ALREADY_CONFIRMED', 409, 'This registration is already confirmed.', {
            registrationStatus: outcome.registrationStatus,
          });
      }
    },
  );

  return router;
}
