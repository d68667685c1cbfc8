import { Router, json } from 'express';
import { z } from 'zod';
import { AppError, ValidationError, plainText } from '@regflow/common';
import { fieldErrors, jsonBody, jsonResponse, problems, requireJson, uuidParam } from '@regflow/common/http';
import type { ReasonsRepository } from '../data-access/reasons-repository';
import type { SessionStore } from '../data-access/session-store';
import { guarded, needs, requireSession, signedIn, signedInWithCsrf, type GuardedOperation } from './auth';

export interface ReasonsRouteDeps {
  sessions: SessionStore;
  reasons: ReasonsRepository;
}

const label = z.string().trim().pipe(plainText(80)).pipe(z.string().min(1));
/** What the applicant reads (in the decision email, when shared): plain text, like a reviewer's reason. */
const text = z.string().trim().pipe(plainText(500)).pipe(z.string().min(1));
const createBody = z.strictObject({ label, text, shared: z.boolean() });
const updateBody = z
  .strictObject({ label, text, shared: z.boolean(), retired: z.boolean() })
  .partial()
  .refine((b) => Object.keys(b).length > 0, { message: 'Change at least one field.' });
const listQuery = z.strictObject({ include: z.enum(['retired']).optional() });

const timestamp = z.iso.datetime();
export const reasonSchema = z.object({
  id: z.uuid(),
  label: z.string().meta({ description: 'What reviewers pick from.' }),
  text: z.string().meta({ description: 'What the applicant reads, when shared.' }),
  shared: z.boolean().meta({ description: "Whether the applicant's decision email quotes `text`." }),
  createdAt: timestamp,
  updatedAt: timestamp,
  retiredAt: timestamp.optional().meta({ description: 'Offered no more; past decisions keep it.' }),
});

const ADMIN_ONLY = 'Managing the catalogue is for admins (role: admin).';

const listReasons: GuardedOperation = {
  operationId: 'listReasons',
  summary: 'The catalogue of rejection reasons',
  description: 'In label order; `include=retired` adds the retired ones.',
  tags: ['reasons'],
  ...signedIn,
  ...needs('reviewer'),
  requestParams: { query: listQuery },
  responses: {
    200: jsonResponse('The reasons.', z.object({ items: z.array(reasonSchema) })),
    ...problems({ 400: true, 401: true }),
  },
};
const createReason: GuardedOperation = {
  operationId: 'createReason',
  summary: 'Add a rejection reason',
  description: ADMIN_ONLY,
  tags: ['reasons'],
  ...signedInWithCsrf,
  ...needs('admin'),
  requestBody: jsonBody(createBody),
  responses: {
    201: jsonResponse('The reason, as stored.', reasonSchema),
    ...problems({ 400: true, 401: true, 403: true, 413: 'REQUEST.TOO_LARGE: the body is over 8 KiB.', 415: true }),
  },
};
const updateReason: GuardedOperation = {
  operationId: 'updateReason',
  summary: 'Edit, retire (`retired: true`) or restore a rejection reason',
  description: `${ADMIN_ONLY} Decisions already made keep the label and text they were made with.`,
  tags: ['reasons'],
  ...signedInWithCsrf,
  ...needs('admin'),
  requestParams: { path: z.object({ id: z.uuid() }) },
  requestBody: jsonBody(updateBody),
  responses: {
    200: jsonResponse('The reason, as changed.', reasonSchema),
    ...problems({
      400: true,
      401: true,
      403: true,
      404: 'REASON.NOT_FOUND',
      413: 'REQUEST.TOO_LARGE: the body is over 8 KiB.',
      415: true,
    }),
  },
};

/** The catalogue of rejection reasons: every reviewer reads it; admins manage it. */
export function reasonsRoutes(deps: ReasonsRouteDeps): Router {
  const router = Router();
  router.use('/admin/reasons', requireSession(deps.sessions));

  router.get('/admin/reasons', guarded(listReasons), async (req, res) => {
    const query = listQuery.safeParse(req.query);
    if (!query.success) throw new ValidationError(fieldErrors(query.error));
    res.json({ items: await deps.reasons.list({ includeRetired: query.data.include === 'retired' }) });
  });

  router.post('/admin/reasons', guarded(createReason), requireJson, json({ limit: '8kb' }), async (req, res) => {
    const body = createBody.safeParse(req.body);
    if (!body.success) throw new ValidationError(fieldErrors(body.error));
    const created = await deps.reasons.create(body.data, { actor: req.session!.email, correlationId: req.id });
    res.status(201).json(created satisfies z.input<typeof reasonSchema>);
  });

  router.patch('/admin/reasons/:id', guarded(updateReason), requireJson, json({ limit: '8kb' }), async (req, res) => {
    const id = uuidParam(req);
    const body = updateBody.safeParse(req.body);
    if (!body.success) throw new ValidationError(fieldErrors(body.error));
    const updated = await deps.reasons.update(id, body.data, { actor: req.session!.email, correlationId: req.id });
    if (!updated) throw new AppError('REASON.NOT_FOUND', 404, 'No reason with this id in the catalogue.');
    res.json(updated satisfies z.input<typeof reasonSchema>);
  });

  return router;
}
