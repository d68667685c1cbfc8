import { Router, json } from 'express';
import { z } from 'zod';
import { AppError, REGISTRATION_STATUSES, ValidationError, type EmailConfirmationMode } from '@regflow/common';
import {
  documented,
  fieldErrors,
  idPathParams,
  jsonBody,
  jsonResponse,
  logFields,
  orUnavailable,
  problems,
  requireJson,
  uuidParam,
  type Operation,
} from '@regflow/common/http';
import type { EventPublisher } from '@regflow/common/kafka';
import type { StatusClient } from '../data-access/status-client';
import { registerUser } from '../domain/register-user';
import { registrationInputSchema } from '../domain/registration-input';
import { pickLocale } from './locale';

export interface UsersRouteDeps {
  publisher: EventPublisher;
  statusClient: StatusClient;
  retryAfterSeconds: number;
  emailConfirmation: EmailConfirmationMode;
}

const accepted = z.object({
  id: z.uuid(),
  status: z.enum(['unconfirmed', 'pending']).meta({
    description:
      '`unconfirmed`: the confirmation email is on its way (EMAIL_CONFIRMATION=required); `pending`: in review (off).',
  }),
});
const statusView = z.object({ id: z.uuid(), status: z.enum(REGISTRATION_STATUSES) });

const signUp: Operation = {
  operationId: 'signUp',
  summary: 'Sign up',
  description:
    'Validates a registration and publishes it; the review happens later. Strings are NFKC-normalized and trimmed before they are checked; the email is lower-cased; a CPF must have valid check digits.',
  tags: ['registrations'],
  requestBody: jsonBody(registrationInputSchema),
  responses: {
    202: jsonResponse(
      'Accepted: published to Kafka. Its status is at Location.',
      accepted,
      z.object({ location: z.string().meta({ description: '/users/{id}' }) }),
    ),
    ...problems({
      400: true,
      413: 'REQUEST.TOO_LARGE: the body is over 16 KiB.',
      415: true,
      429: 'REQUEST.RATE_LIMITED: too many sign-ups from this address (RATE_LIMIT_PER_MINUTE).',
      503: 'DEPENDENCY.UNAVAILABLE: Kafka cannot take it; nothing was saved. REGISTRATION.UNCONFIRMED: Kafka did not confirm in time; `id` and `location` say where to check before signing up again.',
    }),
  },
};

const getStatus: Operation = {
  operationId: 'getStatus',
  summary: "A registration's status",
  tags: ['registrations'],
  requestParams: { path: idPathParams },
  responses: {
    200: jsonResponse('Its status in the search index.', statusView),
    ...problems({
      400: 'REQUEST.INVALID: the id is not a UUID.',
      404: 'REGISTRATION.NOT_FOUND: not indexed (yet); it can take a moment after sign-up.',
      503: true,
    }),
  },
};

export function usersRoutes(deps: UsersRouteDeps): Router {
  const router = Router();

  router.post('/users', documented(signUp), requireJson, json({ limit: '16kb', strict: true }), async (req, res) => {
    const parsed = registrationInputSchema.safeParse(req.body);
    if (!parsed.success) throw new ValidationError(fieldErrors(parsed.error));
    const outcome = await orUnavailable(
      () =>
        registerUser(
          parsed.data,
          { correlationId: req.id, locale: pickLocale(req), emailConfirmation: deps.emailConfirmation },
          deps,
        ),
      'Registrations cannot be accepted right now; nothing was saved. Try again shortly.',
      deps.retryAfterSeconds,
    );
    if (outcome.accepted === 'unknown') {
      // Kafka may still append what it did not confirm: say so, and give the id to check, rather
      // than claim nothing was saved. Signing up again is safe: a repeat becomes a duplicate.
      const { id } = outcome;
      req.log.warn({ userId: id }, 'registration unconfirmed: Kafka did not acknowledge in time');
      throw new AppError(
        'REGISTRATION.UNCONFIRMED',
        503,
        'The registration could not be confirmed in time and may or may not have been received. Check GET /users/{id} in a minute before signing up again.',
        { id, location: `/users/${id}` },
        { 'retry-after': String(deps.retryAfterSeconds) },
      );
    }
    const { id } = outcome.registration;
    // On the request's one log line, not a second line: logging was a large share of a sign-up's CPU.
    logFields(res, { userId: id });
    const status = deps.emailConfirmation === 'required' ? 'unconfirmed' : 'pending';
    res
      .status(202)
      .location(`/users/${id}`)
      .json({ id, status } satisfies z.input<typeof accepted>);
  });

  router.get('/users/:id', documented(getStatus), async (req, res) => {
    const id = uuidParam(req);
    const view = await orUnavailable(
      () => deps.statusClient.get(id, req.id),
      'Registration status is unavailable right now.',
    );
    if (!view)
      throw new AppError(
        'REGISTRATION.NOT_FOUND',
        404,
        'No registration with this id is known (yet). It can take a moment after sign-up.',
      );
    res.json(view satisfies z.input<typeof statusView>);
  });

  return router;
}
