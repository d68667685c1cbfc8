import { Router } from 'express';
import { z } from 'zod';
import { ValidationError } from '@regflow/common';
import { fieldErrors, jsonResponse, problems } from '@regflow/common/http';
import type { AuditFilter, AuditLog } from '../data-access/audit-log';
import type { SessionStore } from '../data-access/session-store';
import { ADMIN_ONLY_403, guarded, needs, requireSession, signedIn, type GuardedOperation } from './auth';

export interface AuditRouteDeps {
  audit: AuditLog;
  sessions: SessionStore;
}

const filterQuery = z.strictObject({
  actor: z.string().min(1).max(320).optional(),
  action: z
    .string()
    .regex(/^[a-z-]+\.[a-z-]+$/, 'Must be an action code like decision.approved.')
    .optional(),
  registrationId: z.uuid().optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
});
const pageQuery = filterQuery.extend({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z
    .string()
    .regex(/^\d{1,18}$/, 'Must be the nextCursor of a previous page.')
    .optional(),
});
const entry = z.object({
  id: z.int(),
  at: z.iso.datetime(),
  actor: z.string(),
  actorId: z.uuid().nullable(),
  action: z.string(),
  registrationId: z.uuid().nullable(),
  correlationId: z.string().nullable(),
  detail: z.record(z.string(), z.unknown()),
});

const listAudit: GuardedOperation = {
  operationId: 'listAudit',
  summary: 'The audit trail',
  description:
    'Newest first, filtered by actor, action, registration and time range (`from` inclusive, `to` exclusive).',
  tags: ['audit'],
  ...signedIn,
  ...needs('admin'),
  requestParams: { query: pageQuery },
  responses: {
    200: jsonResponse(
      'A page; `nextCursor` fetches the next (null at the end).',
      z.object({ items: z.array(entry), nextCursor: z.string().nullable() }),
    ),
    ...problems({ 400: true, 401: true, 403: ADMIN_ONLY_403 }),
  },
};
const exportAudit: GuardedOperation = {
  operationId: 'exportAudit',
  summary: 'The audit trail as CSV',
  description:
    'Every entry matching the filter, oldest first, streamed from a database cursor (any size, constant memory). Columns: id, at, actor, actor_id, action, registration_id, correlation_id, detail (JSON).',
  tags: ['audit'],
  ...signedIn,
  ...needs('admin'),
  requestParams: { query: filterQuery },
  responses: {
    200: {
      description: 'CSV with a header row.',
      content: { 'text/csv': { schema: z.string() } },
    },
    ...problems({ 400: true, 401: true, 403: ADMIN_ONLY_403 }),
  },
};

function toFilter(q: z.infer<typeof filterQuery>): AuditFilter {
  return {
    actor: q.actor,
    action: q.action,
    registrationId: q.registrationId,
    from: q.from ? new Date(q.from) : undefined,
    to: q.to ? new Date(q.to) : undefined,
  };
}

export function auditRoutes(deps: AuditRouteDeps): Router {
  const router = Router();
  router.use('/admin/audit', requireSession(deps.sessions));

  router.get('/admin/audit', guarded(listAudit), async (req, res) => {
    const parsed = pageQuery.safeParse(req.query);
    if (!parsed.success) throw new ValidationError(fieldErrors(parsed.error));
    const { limit, cursor, ...filter } = parsed.data;
    const page = await deps.audit.page(toFilter(filter), limit, cursor ? Number(cursor) : undefined);
    res.json({
      items: page.items.map((e) => ({ ...e, at: e.at.toISOString() })),
      nextCursor: page.nextCursor,
    } satisfies { items: Array<z.input<typeof entry>>; nextCursor: string | null });
  });

  router.get('/admin/audit/export', guarded(exportAudit), async (req, res) => {
    const parsed = filterQuery.safeParse(req.query);
    if (!parsed.success) throw new ValidationError(fieldErrors(parsed.error));
    res.setHeader('content-type', 'text/csv; charset=utf-8');
    res.setHeader('content-disposition', `attachment; filename="audit-${new Date().toISOString().slice(0, 10)}.csv"`);
    try {
      await deps.audit.exportCsv(toFilter(parsed.data), res);
    } catch (err) {
      // Once the first bytes went out the status cannot change: the cut-off download is the signal.
      if (!res.headersSent) throw err;
      req.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'audit export cut off');
      res.destroy();
    }
  });

  return router;
}
