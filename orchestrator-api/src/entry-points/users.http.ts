import { Router } from 'express';
import { z } from 'zod';
import { AppError, REGISTRATION_STATUSES, TransientError, ValidationError } from '@regflow/common';
import { fieldErrors } from '@regflow/common/http';
import type { UsersIndex } from '../data-access/users-index';

/** Elasticsearch refuses pages past index.max_result_window (10 000 by default) with a 400 of its own. */
const MAX_RESULT_WINDOW = 10_000;

const searchQuery = z
  .strictObject({
    q: z.string().max(200, 'Must be at most 200 characters.').optional(),
    status: z.enum(REGISTRATION_STATUSES).optional(),
    from: z.coerce.number().int().min(0).max(MAX_RESULT_WINDOW).default(0),
    size: z.coerce.number().int().min(1).max(100).default(20),
  })
  .refine((p) => p.from + p.size <= MAX_RESULT_WINDOW, { path: ['from'], message: `from + size must be at most ${MAX_RESULT_WINDOW}.` });

export function usersRoutes(index: UsersIndex): Router {
  const router = Router();

  router.get('/users/search', async (req, res) => {
    const parsed = searchQuery.safeParse(req.query);
    if (!parsed.success) throw new ValidationError(fieldErrors(parsed.error));
    res.json(await unavailableOnTransient(() => index.search(parsed.data)));
  });

  router.get('/users/:id', async (req, res) => {
    const id = z.uuid().safeParse(req.params.id);
    if (!id.success) throw new ValidationError([{ field: 'id', message: 'Must be a UUID.' }]);
    const doc = await unavailableOnTransient(() => index.get(id.data));
    if (!doc) throw new AppError('REGISTRATION.NOT_FOUND', 404, 'No registration with this id is indexed.');
    res.json(doc);
  });

  return router;
}

async function unavailableOnTransient<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof TransientError) throw new AppError('DEPENDENCY.UNAVAILABLE', 503, 'Search is unavailable right now.', {}, { 'retry-after': '5' });
    throw err;
  }
}
