import { Router, json } from 'express';
import { z } from 'zod';
import {
  AppError,
  DECISION_OUTCOMES,
  REGISTRATION_STATUSES,
  ValidationError,
  plainText,
  registrationSchema,
  searchPageSchema,
} from '@regflow/common';
import {
  fieldErrors,
  idPathParams,
  jsonBody,
  jsonResponse,
  logFields,
  orUnavailable,
  problemError,
  problems,
  requireJson,
  uuidParam,
} from '@regflow/common/http';
import type { AdminEventBus } from '../data-access/admin-events';
import type { DecisionsRepository } from '../data-access/decisions-repository';
import type { NotesRepository } from '../data-access/notes-repository';
import type { ReasonsRepository } from '../data-access/reasons-repository';
import type { SearchClient } from '../data-access/search-client';
import type { SessionStore } from '../data-access/session-store';
import type { StagingStore } from '../data-access/staging-store';
import { decideRegistration, type DecideDeps } from '../domain/decide-registration';
import { registrationDetail } from '../domain/registration-detail';
import { catalogueReasonFor } from '../domain/rejection-reasons';
import { guarded, needs, type GuardedOperation, requireSession, signedIn, signedInWithCsrf } from './auth';
import { noteSchema } from './notes.http';

export interface AdminRouteDeps extends DecideDeps {
  sessions: SessionStore;
  store: StagingStore;
  decisions: DecisionsRepository;
  search: SearchClient;
  events: AdminEventBus;
  notes: NotesRepository;
  reasons: ReasonsRepository;
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
/** Whether the applicant may read the free-text reason in the decision email: only when the reviewer says so. */
const shareReason = z.boolean().default(false);
/** A reason from the catalogue (GET /admin/reasons); the applicant reads its text when the catalogue shares it. */
const reasonId = z.uuid().optional();
const reasonBody = z.strictObject({ reasonId, reason: reason.optional(), shareReason });
const batchBody = z.strictObject({
  ids: z.array(z.uuid()).min(1).max(200),
  outcome: z.enum(DECISION_OUTCOMES),
  reasonId,
  reason: reason.optional(),
  shareReason,
});
const catalogueReason = z
  .object({ id: z.uuid(), label: z.string(), text: z.string(), shared: z.boolean() })
  .meta({ description: 'The catalogue reason, as it read when decided (it may be retired since).' });
const searchQuery = z.strictObject({
  q: z.string().max(200).optional(),
  status: z.enum(REGISTRATION_STATUSES).optional(),
  from: z.coerce.number().int().min(0).max(10_000).optional(),
  size: z.coerce.number().int().min(1).max(100).optional(),
});

const SEARCH_UNAVAILABLE = 'Search is unavailable right now.';

// --- what the routes answer, for the OpenAPI document (and `satisfies` below keeps the handlers to it) ---
const timestamp = z.iso.datetime();
const stagedUser = registrationSchema.extend({
  indexedAt: timestamp.optional(),
  queuedAt: timestamp.optional(),
  stagedAt: timestamp,
});
const pendingPage = z.object({
  items: z.array(stagedUser).meta({ description: 'Oldest first.' }),
  nextCursor: z.string().nullable().meta({ description: 'Pass as `cursor` for the next page; null on the last.' }),
  total: z.int().min(0),
});
const stats = z.object({
  pending: z.int().min(0),
  approvedToday: z.int().min(0).meta({ description: 'Since 00:00 UTC.' }),
  rejectedToday: z.int().min(0),
});
const detail = z.object({
  registration: registrationSchema.omit({ registeredAt: true }).extend({ registeredAt: timestamp }),
  status: z.enum(REGISTRATION_STATUSES),
  timeline: z.object({
    receivedAt: timestamp,
    indexedAt: timestamp.optional(),
    queuedAt: timestamp.optional(),
    stagedAt: timestamp.optional(),
    decidedAt: timestamp.optional(),
  }),
  decision: z
    .object({
      outcome: z.enum(DECISION_OUTCOMES),
      decidedBy: z.string(),
      decidedAt: timestamp,
      reason: z.string().optional().meta({ description: "The reviewer's free text." }),
      reasonShared: z.boolean().optional(),
      catalogueReason: catalogueReason.optional(),
    })
    .optional(),
  notes: z.array(noteSchema).meta({ description: "Reviewers' notes, oldest first." }),
});
const decided = z.object({
  id: z.uuid(),
  status: z.enum(DECISION_OUTCOMES),
  decidedBy: z.string(),
  decidedAt: timestamp,
  reason: z.string().optional(),
  reasonShared: z
    .boolean()
    .optional()
    .meta({ description: "Whether the applicant's decision email quotes the free-text reason." }),
  catalogueReason: catalogueReason.optional(),
});
const batchResults = z.object({
  results: z.array(
    z.union([
      z.object({ id: z.uuid(), ok: z.literal(true), status: z.enum(DECISION_OUTCOMES) }),
      z.object({
        id: z.uuid(),
        ok: z.literal(false),
        error: z
          .looseObject({ status: z.int(), code: z.string(), detail: z.string() })
          .meta({ description: 'The problem this id would have answered on its own (404, 409 with who and when).' }),
      }),
    ]),
  ),
});
/** The orchestrator's page, passed on as it is. */
const searchPage = searchPageSchema;

const DECIDE_PROBLEMS = problems({
  400: 'REQUEST.INVALID: the id is not a UUID, or the body is invalid.',
  401: true,
  403: true,
  404: 'REGISTRATION.NOT_FOUND: not in the review queue.',
  409: 'REGISTRATION.ALREADY_DECIDED: with `outcome`, `decidedBy` and `decidedAt`.',
  503: true,
});

const listPending: GuardedOperation = {
  operationId: 'listPending',
  summary: 'The review queue, oldest first',
  tags: ['review'],
  ...signedIn,
  ...needs('reviewer'),
  requestParams: { query: pendingQuery },
  responses: { 200: jsonResponse('A page of the queue.', pendingPage), ...problems({ 400: true, 401: true }) },
};
const getStats: GuardedOperation = {
  operationId: 'getStats',
  summary: 'Header counts',
  tags: ['review'],
  ...signedIn,
  ...needs('reviewer'),
  responses: { 200: jsonResponse('Counts.', stats), ...problems({ 401: true }) },
};
const getDetail: GuardedOperation = {
  operationId: 'getDetail',
  summary: 'One registration, with its timeline',
  tags: ['review'],
  ...signedIn,
  ...needs('reviewer'),
  requestParams: { path: idPathParams },
  responses: {
    200: jsonResponse('From the review queue, the decisions, or the search index, in that order.', detail),
    ...problems({
      400: 'REQUEST.INVALID: the id is not a UUID.',
      401: true,
      404: 'REGISTRATION.NOT_FOUND: known to no store.',
      503: true,
    }),
  },
};
const approve: GuardedOperation = {
  operationId: 'approve',
  summary: 'Approve',
  tags: ['review'],
  ...signedInWithCsrf,
  ...needs('reviewer'),
  requestParams: { path: idPathParams },
  responses: { 200: jsonResponse('Approved: saved with its outbox event.', decided), ...DECIDE_PROBLEMS },
};
const reject: GuardedOperation = {
  operationId: 'reject',
  summary: 'Reject, with an optional catalogue reason and free text',
  description:
    "The applicant's decision email quotes the catalogue reason's text when the catalogue shares it, then the free text when `shareReason` is true.",
  tags: ['review'],
  ...signedInWithCsrf,
  ...needs('reviewer'),
  requestParams: { path: idPathParams },
  requestBody: { ...jsonBody(reasonBody), required: false },
  responses: {
    200: jsonResponse('Rejected: saved with its outbox event.', decided),
    ...DECIDE_PROBLEMS,
    ...problems({ 413: 'REQUEST.TOO_LARGE: the body is over 4 KiB.' }),
  },
};
const decideMany: GuardedOperation = {
  operationId: 'decideMany',
  summary: 'Decide many at once',
  description: 'Each id is its own decision: one that fails (404, 409) does not stop the rest.',
  tags: ['review'],
  ...signedInWithCsrf,
  ...needs('reviewer'),
  requestBody: jsonBody(batchBody),
  responses: {
    200: jsonResponse('A result per distinct id, in order.', batchResults),
    ...problems({ 400: true, 401: true, 403: true, 413: 'REQUEST.TOO_LARGE: the body is over 32 KiB.', 415: true }),
  },
};
const search: GuardedOperation = {
  operationId: 'search',
  summary: 'Search registrations',
  description: 'Name and email typo-tolerant, CPF exact; newest first without `q`. Through the orchestrator.',
  tags: ['review'],
  ...signedIn,
  ...needs('reviewer'),
  requestParams: { query: searchQuery },
  responses: {
    200: jsonResponse('A page of results.', searchPage),
    ...problems({ 400: 'REQUEST.INVALID: a bad parameter, or a page past the 10,000th hit.', 401: true, 503: true }),
  },
};
const liveEvents: GuardedOperation = {
  operationId: 'liveEvents',
  summary: 'Live updates (server-sent events)',
  description:
    'registration.staged and registration.decided events, from every replica, until the client or the server closes the stream.',
  tags: ['review'],
  ...signedIn,
  ...needs('reviewer'),
  responses: {
    200: { description: 'An event stream.', content: { 'text/event-stream': { schema: z.string() } } },
    ...problems({ 401: true }),
  },
};

export function adminRoutes(deps: AdminRouteDeps): Router {
  const router = Router();
  router.use('/admin', requireSession(deps.sessions));

  router.get('/admin/pending', guarded(listPending), async (req, res) => {
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
    } satisfies z.input<typeof pendingPage>);
  });

  router.get('/admin/stats', guarded(getStats), async (_req, res) => {
    const startOfDay = new Date();
    startOfDay.setUTCHours(0, 0, 0, 0);
    const [pending, today] = await Promise.all([deps.store.countPending(), deps.decisions.countsSince(startOfDay)]);
    res.json({ pending, approvedToday: today.approved, rejectedToday: today.rejected } satisfies z.input<typeof stats>);
  });

  router.get('/admin/users/:id', guarded(getDetail), async (req, res) => {
    const found = await orUnavailable(() => registrationDetail(uuidParam(req), req.id, deps), SEARCH_UNAVAILABLE);
    res.json(found satisfies z.input<typeof detail>);
  });

  router.post('/admin/users/:id/approve', guarded(approve), async (req, res) => {
    // The decision's fields go on the request's own log line: one line per approval, not two.
    const decision = await decideRegistration(
      {
        userId: uuidParam(req),
        outcome: 'approved',
        admin: req.session!.email,
        adminId: req.session!.accountId,
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
    } satisfies z.input<typeof decided>);
  });

  router.post('/admin/users/:id/reject', guarded(reject), json({ limit: '4kb' }), async (req, res) => {
    const body = reasonBody.safeParse(req.body ?? {});
    if (!body.success) throw new ValidationError(fieldErrors(body.error));
    const userId = uuidParam(req);
    const chosen = await catalogueReasonFor(body.data.reasonId, deps.reasons);
    const decision = await decideRegistration(
      {
        userId,
        outcome: 'rejected',
        reason: body.data.reason || undefined,
        shareReason: body.data.shareReason,
        ...(chosen ? { catalogueReason: chosen } : {}),
        admin: req.session!.email,
        adminId: req.session!.accountId,
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
      ...(chosen ? { catalogueReason: chosen } : {}),
    } satisfies z.input<typeof decided>);
  });

  router.post('/admin/decisions', guarded(decideMany), requireJson, json({ limit: '32kb' }), async (req, res) => {
    const body = batchBody.safeParse(req.body);
    if (!body.success) throw new ValidationError(fieldErrors(body.error));
    const { ids, outcome, reason, shareReason: share } = body.data;
    if (body.data.reasonId && outcome !== 'rejected')
      throw new ValidationError([{ field: 'reasonId', message: 'A catalogue reason is for rejections only.' }]);
    const chosen = await catalogueReasonFor(body.data.reasonId, deps.reasons);
    const results: z.input<typeof batchResults>['results'] = [];
    // One at a time: each decision is its own transaction, and one failure does not stop the rest.
    for (const id of new Set(ids)) {
      try {
        const d = await decideRegistration(
          {
            userId: id,
            outcome,
            reason: reason || undefined,
            shareReason: share,
            ...(chosen ? { catalogueReason: chosen } : {}),
            admin: req.session!.email,
            adminId: req.session!.accountId,
            batch: true,
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

  router.get('/admin/search', guarded(search), async (req, res) => {
    const parsed = searchQuery.safeParse(req.query);
    if (!parsed.success) throw new ValidationError(fieldErrors(parsed.error));
    const answer = await orUnavailable(() => deps.search.search(parsed.data, req.id), SEARCH_UNAVAILABLE);
    // The orchestrator's refusal of the query (a page past its window) is the admin's too.
    if (!answer.ok) throw problemError(answer.refused);
    res.json(answer.result satisfies z.input<typeof searchPage>);
  });

  router.get('/admin/events', guarded(liveEvents), (req, res) => {
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
