import { Router, json } from 'express';
import { z } from 'zod';
import { AppError, DECISION_OUTCOMES, REGISTRATION_STATUSES, ValidationError, plainText } from '@regflow/common';
import { fieldErrors, logFields, orUnavailable, problemError, requireJson, uuidParam } from '@regflow/common/http';
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
/** Stored in Postgres with the decision, so plain text (common/src/rules/text.ts). */
const reason = z.string().trim().pipe(plainText(500));
/** Whether the applicant may read the reason in the decision email: only when the reviewer says so. */
const shareReason = z.boolean().default(false);
const reasonBody = z.strictObject({ reason: reason.optional(), shareReason });
const batchBody = z.strictObject({
  ids: z.array(z.uuid()).min(1).max(200),
  outcome: z.enum(DECISION_OUTCOMES),
  reason: reason.optional(),
  shareReason,
});
const searchQuery = z.strictObject({
  q: z.string().max(200).optional(),
  status: z.enum(REGISTRATION_STATUSES).optional(),
  from: z.coerce.number().int().min(0).max(10_000).optional(),
  size: z.coerce.number().int().min(1).max(100).optional(),
});

const SEARCH_UNAVAILABLE = 'Search is unavailable right now.';

export function adminRoutes(deps: AdminRouteDeps): Router {
  const router = Router();
  router.use('/admin', requireSession(deps.sessions));

  router.get('/admin/pending', async (req, res) => {
    const parsed = pendingQuery.safeParse(req.query);
    if (!parsed.success) throw new ValidationError(fieldErrors(parsed.error));
    const [{ items, next }, total] = await Promise.all([
      deps.store.listPending(parsed.data.limit, parsed.data.cursor),
      deps.store.countPending(),
    ]);
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
    res.json(await orUnavailable(() => registrationDetail(uuidParam(req), req.id, deps), SEARCH_UNAVAILABLE));
  });

  router.post('/admin/users/:id/approve', async (req, res) => {
    // The decision's fields go on the request's own log line: one line per approval, not two.
    const decision = await decideRegistration(
      { userId: uuidParam(req), outcome: 'approved', admin: req.session!.email, correlationId: req.id },
      deps,
      (fields) => logFields(res, fields),
    );
    res.json({
      id: decision.userId,
      status: decision.outcome,
      decidedBy: decision.decidedBy,
      decidedAt: decision.decidedAt,
    });
  });

  router.post('/admin/users/:id/reject', json({ limit: '4kb' }), async (req, res) => {
    const body = reasonBody.safeParse(req.body ?? {});
    if (!body.success) throw new ValidationError(fieldErrors(body.error));
    const decision = await decideRegistration(
      {
        userId: uuidParam(req),
        outcome: 'rejected',
        reason: body.data.reason || undefined,
        shareReason: body.data.shareReason,
        admin: req.session!.email,
        correlationId: req.id,
      },
      deps,
      (fields) => logFields(res, fields),
    );
    res.json({
      id: decision.userId,
      status: decision.outcome,
      decidedBy: decision.decidedBy,
      decidedAt: decision.decidedAt,
      ...(decision.reason ? { reason: decision.reason, reasonShared: body.data.shareReason } : {}),
    });
  });

  router.post('/admin/decisions', requireJson, json({ limit: '32kb' }), async (req, res) => {
    const body = batchBody.safeParse(req.body);
    if (!body.success) throw new ValidationError(fieldErrors(body.error));
    const { ids, outcome, reason, shareReason: share } = body.data;
    const results = [];
    // One at a time: each decision is its own transaction, and one failure does not stop the rest.
    for (const id of new Set(ids)) {
      try {
        const d = await decideRegistration(
          {
            userId: id,
            outcome,
            reason: reason || undefined,
            shareReason: share,
            admin: req.session!.email,
            correlationId: req.id,
          },
          deps,
        );
        results.push({ id, ok: true, status: d.outcome });
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        results.push({
          id,
          ok: false,
          error: { status: err.status, code: err.code, detail: err.message, ...err.extra },
        });
      }
    }
    res.json({ results });
  });

  router.get('/admin/search', async (req, res) => {
    const parsed = searchQuery.safeParse(req.query);
    if (!parsed.success) throw new ValidationError(fieldErrors(parsed.error));
    const answer = await orUnavailable(() => deps.search.search(parsed.data, req.id), SEARCH_UNAVAILABLE);
    // The orchestrator's refusal of the query (a page past its window) is the admin's too.
    if (!answer.ok) throw problemError(answer.refused);
    res.json(answer.result);
  });

  router.get('/admin/events', (req, res) => {
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
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
