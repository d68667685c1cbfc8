import { Router, json } from 'express';
import { AppError, ValidationError, type EmailConfirmationMode } from '@regflow/common';
import { fieldErrors, logFields, orUnavailable, requireJson, uuidParam } from '@regflow/common/http';
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

export function usersRoutes(deps: UsersRouteDeps): Router {
  const router = Router();

  router.post('/users', requireJson, json({ limit: '16kb', strict: true }), async (req, res) => {
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
    res.status(202).location(`/users/${id}`).json({ id, status });
  });

  router.get('/users/:id', async (req, res) => {
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
    res.json(view);
  });

  return router;
}
