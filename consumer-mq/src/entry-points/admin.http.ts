import { Router, json, type Request } from 'express';
import { z } from 'zod';
import { AppError, ValidationError } from '@regflow/common';
import { fieldErrors, logFields, requireJson } from '@regflow/common/http';
import type { AdminEventBus } from '../data-access/admin-events';
import type { DecisionsRepository } from '../data-access/decisions-repository';
import type { SearchClient } from '../data-access/search-client';
import type { SessionStore } from '../data-access/session-store';
import type { StagingStore } from '../data-access/staging-store';
import { decideRegistration, type DecideDeps } from '../domain/decide-registration';
import { registrationDetail } from '../domain/registration-detail';
import { requireSession } from './auth';

export interface AdminRouteDeps extends DecideDeps {
  sessions: SessionStore;
  store: StagingStore;
  decisions: DecisionsRepository;
  search: SearchClient;
  events: AdminEventBus;
}

const pendingQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z
    .string()
    .max(200)
    .transform((c, ctx) => {
      const [score, id] = Buffer.from(c, 'base64url').toString('utf8').split('|');
      if (!score || !id || !Number.isFinite(Number(score)) || !z.uuid().safeParse(id).success) {
        ctx.addIssue({ code: 'custom', message: 'Not a cursor returned by this API.' });
        return z.NEVER;
      }
      return { score: Number(score), id };
    })
    .optional(),
});
const idParam = z.uuid();
/** Of the control characters only tabs and line breaks: NUL and unpaired surrogates cannot be stored in Postgres. */
const reason = z
  .string()
  .trim()
  .max(500, 'Must be at most 500 characters.')
  .regex(/^(?:[^\p{Cc}\p{Cs}]|[\t\n\r])*$/u, 'Must not contain control characters or unpaired surrogates.');
const reasonBody = z.strictObject({ reason: reason.optional() });
const batchBody = z.strictObject({
  ids: z.array(z.uuid()).min(1).max(200),
  outcome: z.enum(['approved', 'rejected']),
  reason: reason.optional(),
});
const searchQuery = z.strictObject({
  q: z.string().max(200).optional(),
  status: z.enum(['pending', 'approved', 'rejected', 'duplicate']).optional(),
  from: z.coerce.number().int().min(0).max(10_000).optional(),
  size: z.coerce.number().int().min(1).max(100).optional(),
});

export function adminRoutes(deps: AdminRouteDeps): Router {
  const router = Router();
  router.use('/admin', requireSession(deps.sessions));

  router.get('/admin/pending', async (req, res) => {
    const parsed = pendingQuery.safeParse(req.query);
    if (!parsed.success) throw new ValidationError(fieldErrors(parsed.error));
    const [{ items, next }, total] = await Promise.all([deps.store.listPending(parsed.data.limit, parsed.data.cursor), deps.store.countPending()]);
    res.json({
      items: items.map(({ correlationId: _c, ...visible }) => visible),
      nextCursor: next ? Buffer.from(`${next.score}|${next.id}`).toString('base64url') : null,
      total,
    });
  });

  router.get('/admin/stats', async (_req, res) => {
    const startOfDay = new Date();
    startOfDay.setUTCHours(0, 0, 0, 0);
    const [pending, today] = await Promise.all([deps.store.countPending(), deps.decisions.countsSince(startOfDay)]);
    res.json({ pending, approvedToday: today.approved, rejectedToday: today.rejected });
  });

  router.get('/admin/users/:id', async (req, res) => {
    res.json(await registrationDetail(userId(req), String(req.id), deps));
  });

  router.post('/admin/users/:id/approve', async (req, res) => {
    // The decision's fields go on the request's own log line: one line per approval, not two.
    const decision = await decideRegistration(
      { userId: userId(req), outcome: 'approved', admin: req.session!.email, correlationId: String(req.id) },
      deps,
      (fields) => logFields(res, fields),
    );
    res.json({ id: decision.userId, status: decision.outcome, decidedBy: decision.decidedBy, decidedAt: decision.decidedAt });
  });

  router.post('/admin/users/:id/reject', json({ limit: '4kb' }), async (req, res) => {
    const body = reasonBody.safeParse(req.body ?? {});
    if (!body.success) throw new ValidationError(fieldErrors(body.error));
    const decision = await decideRegistration(
      { userId: userId(req), outcome: 'rejected', reason: body.data.reason || undefined, admin: req.session!.email, correlationId: String(req.id) },
      deps,
      (fields) => logFields(res, fields),
    );
    res.json({ id: decision.userId, status: decision.outcome, decidedBy: decision.decidedBy, decidedAt: decision.decidedAt, ...(decision.reason ? { reason: decision.reason } : {}) });
  });

  router.post('/admin/decisions', requireJson, json({ limit: '32kb' }), async (req, res) => {
    const body = batchBody.safeParse(req.body);
    if (!body.success) throw new ValidationError(fieldErrors(body.error));
    const { ids, outcome, reason } = body.data;
    const results = [];
    // One at a time: each decision is its own transaction, and one failure does not stop the rest.
    for (const id of new Set(ids)) {
      try {
        const d = await decideRegistration({ userId: id, outcome, reason: reason || undefined, admin: req.session!.email, correlationId: String(req.id) }, deps);
        results.push({ id, ok: true, status: d.outcome });
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        results.push({ id, ok: false, error: { status: err.status, code: err.code, detail: err.message, ...err.extra } });
      }
    }
    res.json({ results });
  });

  router.get('/admin/search', async (req, res) => {
    const parsed = searchQuery.safeParse(req.query);
    if (!parsed.success) throw new ValidationError(fieldErrors(parsed.error));
    const query = new URLSearchParams(Object.entries(parsed.data).filter(([, v]) => v !== undefined).map(([k, v]) => [k, String(v)] as [string, string]));
    const { status, body } = await deps.search.search(query, String(req.id));
    // The orchestrator's refusals are problem+json; they stay so on the way through.
    res.status(status).type(status >= 400 ? 'application/problem+json' : 'application/json').send(JSON.stringify(body));
  });

  router.get('/admin/events', (req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache, no-transform', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    res.write('retry: 2000\n\n');
    const unsubscribe = deps.events.onEvent((event) => {
      res.write(`event: ${event.type}\ndata: ${JSON.stringify(event.data)}\n\n`);
    });
    // On shutdown the stream ends, so the server can close; EventSource reconnects to another replica.
    const unsubscribeShutdown = deps.events.onShutdown(() => res.end());
    // A comment line every 20 s keeps proxies from closing an idle stream.
    const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), 20_000);
    req.on('close', () => {
      clearInterval(keepAlive);
      unsubscribe();
      unsubscribeShutdown();
    });
  });

  return router;
}

function userId(req: Request): string {
  const parsed = idParam.safeParse(req.params.id);
  if (!parsed.success) throw new ValidationError([{ field: 'id', message: 'Must be a UUID.' }]);
  return parsed.data;
}
