import { Router, json } from 'express';
import { z } from 'zod';
import { AppError, TransientError, ValidationError, newId } from '@regflow/common';
import { fieldErrors, logFields, requireJson } from '@regflow/common/http';
import type { EventPublisher } from '@regflow/common/kafka';
import { registerUser } from '../domain/register-user';
import { registrationInputSchema } from '../domain/registration-input';
import type { StatusClient } from '../data-access/status-client';

export interface UsersRouteDeps {
  publisher: EventPublisher;
  statusClient: StatusClient;
  retryAfterSeconds: number;
}

const idSchema = z.uuid();

export function usersRoutes(deps: UsersRouteDeps): Router {
  const router = Router();

  router.post('/users', requireJson, json({ limit: '16kb', strict: true }), async (req, res) => {
    const parsed = registrationInputSchema.safeParse(req.body);
    if (!parsed.success) throw new ValidationError(fieldErrors(parsed.error));
    const id = newId();
    let registration;
    try {
      registration = await registerUser(parsed.data, String(req.id), { publisher: deps.publisher, newId: () => id });
    } catch (err) {
      if (err instanceof TransientError && err.outcome === 'unknown') {
        // Kafka may still append what it did not confirm: say so, and give the id to check, rather
        // than claim nothing was saved. Signing up again is safe: a repeat becomes a duplicate.
        req.log.warn({ userId: id }, 'registration unconfirmed: Kafka did not acknowledge in time');
        throw new AppError(
          'REGISTRATION.UNCONFIRMED',
          503,
          'The registration could not be confirmed in time and may or may not have been received. Check GET /users/{id} in a minute before signing up again.',
          { id, location: `/users/${id}` },
          { 'retry-after': String(deps.retryAfterSeconds) },
        );
      }
      if (err instanceof TransientError) {
        throw new AppError('DEPENDENCY.UNAVAILABLE', 503, 'Registrations cannot be accepted right now; nothing was saved. Try again shortly.', {}, {
          'retry-after': String(deps.retryAfterSeconds),
        });
      }
      throw err;
    }
    // On the request's one log line, not a second line: logging was a large share of a sign-up's CPU.
    logFields(res, { userId: registration.id });
    res.status(202).location(`/users/${registration.id}`).json({ id: registration.id, status: 'pending' });
  });

  router.get('/users/:id', async (req, res) => {
    const id = idSchema.safeParse(req.params.id);
    if (!id.success) throw new ValidationError([{ field: 'id', message: 'Must be a UUID.' }]);
    let view;
    try {
      view = await deps.statusClient.get(id.data, String(req.id));
    } catch (err) {
      if (err instanceof TransientError) {
        throw new AppError('DEPENDENCY.UNAVAILABLE', 503, 'Registration status is unavailable right now.', {}, { 'retry-after': '5' });
      }
      throw err;
    }
    if (!view) throw new AppError('REGISTRATION.NOT_FOUND', 404, 'No registration with this id is known (yet). It can take a moment after sign-up.');
    res.json(view);
  });

  return router;
}
