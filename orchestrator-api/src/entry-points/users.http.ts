import { Router } from 'express';
import { z } from 'zod';
import {
  AppError,
  REGISTRATION_STATUSES,
  ValidationError,
  indexedRegistrationSchema,
  searchPageSchema,
} from '@regflow/common';
import {
  documented,
  fieldErrors,
  idPathParams,
  jsonResponse,
  orUnavailable,
  problems,
  uuidParam,
  type Operation,
} from '@regflow/common/http';
import type { UsersIndex } from '../data-access/users-index';
import { effectiveStatus } from '../domain/user-document';

/** Elasticsearch refuses pages past index.max_result_window (10 000 by default) with a 400 of its own. */
const MAX_RESULT_WINDOW = 10_000;

const searchQuery = z
  .strictObject({
    q: z.string().max(200, 'Must be at most 200 characters.').optional(),
    status: z.enum(REGISTRATION_STATUSES).optional(),
    from: z.coerce.number().int().min(0).max(MAX_RESULT_WINDOW).default(0),
    size: z.coerce.number().int().min(1).max(100).default(20),
  })
  .refine((p) => p.from + p.size <= MAX_RESULT_WINDOW, {
    path: ['from'],
    message: `from + size must be at most ${MAX_RESULT_WINDOW}.`,
  });

const SEARCH_UNAVAILABLE = 'Search is unavailable right now.';

const search: Operation = {
  operationId: 'searchUsers',
  summary: 'Search registrations',
  description:
    'Name and email typo-tolerant, CPF exact (with or without its punctuation); newest first without `q`. The statuses are as a reader should see them: an unconfirmed registration past its window is `expired`.',
  tags: ['search'],
  requestParams: { query: searchQuery },
  responses: {
    200: jsonResponse('A page of results.', searchPageSchema),
    ...problems({ 400: 'REQUEST.INVALID: a bad parameter, or a page past the 10,000th hit.', 503: true }),
  },
};

const getUser: Operation = {
  operationId: 'getUser',
  summary: 'A registration, as indexed',
  tags: ['search'],
  requestParams: { path: idPathParams },
  responses: {
    200: jsonResponse('The registration.', indexedRegistrationSchema),
    ...problems({
      400: 'REQUEST.INVALID: the id is not a UUID.',
      404: 'REGISTRATION.NOT_FOUND: not indexed (yet, or erased).',
      503: true,
    }),
  },
};

/** Answers show the status a reader should see: an unconfirmed registration past its window as expired. */
export function usersRoutes(index: UsersIndex, confirmationTtlHours: number): Router {
  const router = Router();

  router.get('/users/search', documented(search), async (req, res) => {
    const parsed = searchQuery.safeParse(req.query);
    if (!parsed.success) throw new ValidationError(fieldErrors(parsed.error));
    const result = await orUnavailable(() => index.search(parsed.data), SEARCH_UNAVAILABLE);
    const now = new Date();
    res.json({
      ...result,
      items: result.items.map((hit) => ({ ...hit, status: effectiveStatus(hit, now, confirmationTtlHours) })),
    });
  });

  router.get('/users/:id', documented(getUser), async (req, res) => {
    const id = uuidParam(req);
    const doc = await orUnavailable(() => index.get(id), SEARCH_UNAVAILABLE);
    if (!doc) throw new AppError('REGISTRATION.NOT_FOUND', 404, 'No registration with this id is indexed.');
    res.json({ ...doc, status: effectiveStatus(doc, new Date(), confirmationTtlHours) });
  });

  return router;
}
