import { Router, json } from 'express';
import { z } from 'zod';
import { ValidationError } from '@regflow/common';
import { fieldErrors, jsonBody, jsonResponse, problems, requireJson } from '@regflow/common/http';
import type { DeadLettersRepository } from '../data-access/dead-letters-repository';
import type { SessionStore } from '../data-access/session-store';
import { replayDeadLetters, type ReplayDeps } from '../domain/replay-dead-letters';
import type { ReconcileWorker } from '../workers/reconcile.worker';
import { guarded, needs, type GuardedOperation, requireSession, signedIn, signedInWithCsrf } from './auth';

export interface OperationsRouteDeps extends ReplayDeps {
  sessions: SessionStore;
  deadLetters: DeadLettersRepository;
  reconciler: ReconcileWorker;
}

const listQuery = z.strictObject({
  status: z.enum(['waiting', 'replayed', 'all']).default('waiting'),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
const replayBody = z.union([
  z.strictObject({ ids: z.array(z.number().int().positive()).min(1).max(1000) }),
  z.strictObject({ all: z.literal(true) }),
]);

const timestamp = z.iso.datetime();
const deadLetter = z.object({
  id: z.int(),
  source: z.enum(['kafka', 'activemq']),
  origin: z.string().meta({ description: 'Where it failed: topic/partition/offset, or the broker message id.' }),
  destination: z.string().meta({ description: 'Where a replay sends it.' }),
  key: z.string().nullable(),
  payload: z.string(),
  headers: z.record(z.string(), z.string()),
  reason: z.string(),
  attempts: z.int().nullable(),
  failedAt: timestamp,
  replayedAt: timestamp.nullable(),
  replayedBy: z.string().nullable(),
});
const deadLetterList = z.object({
  waiting: z.int().min(0).meta({ description: 'How many are not replayed yet, in all.' }),
  items: z.array(deadLetter).meta({ description: 'Newest first.' }),
});
const replayResult = z.object({
  replayed: z.array(z.int()),
  failed: z.array(z.object({ id: z.int(), error: z.string() })),
});
const reconcileReport = z.object({
  startedAt: timestamp,
  tookMs: z.int().min(0),
  checked: z.object({ staged: z.int().min(0), indexedPending: z.int().min(0) }),
  repaired: z.object({
    stagedButDecided: z.array(z.uuid()).meta({ description: 'Removed from the review queue.' }),
    indexBehind: z.array(z.uuid()).meta({ description: 'Decision events sent again.' }),
    missingFromQueue: z.array(z.uuid()).meta({ description: 'Staged again from the index.' }),
  }),
});

const listDeadLetters: GuardedOperation = {
  operationId: 'listDeadLetters',
  summary: 'Dead letters',
  tags: ['operations'],
  ...signedIn,
  ...needs('admin'),
  requestParams: { query: listQuery },
  responses: { 200: jsonResponse('The newest first.', deadLetterList), ...problems({ 400: true, 401: true }) },
};
const replay: GuardedOperation = {
  operationId: 'replay',
  summary: 'Replay dead letters',
  description: 'Sends each back where it failed, one at a time, and marks it replayed only after the source has it.',
  tags: ['operations'],
  ...signedInWithCsrf,
  ...needs('admin'),
  requestBody: jsonBody(replayBody),
  responses: {
    200: jsonResponse('What was replayed, and what failed with why.', replayResult),
    ...problems({ 400: true, 401: true, 403: true, 413: 'REQUEST.TOO_LARGE: the body is over 32 KiB.', 415: true }),
  },
};
const runReconcile: GuardedOperation = {
  operationId: 'runReconcile',
  summary: 'Reconcile the stores now',
  tags: ['operations'],
  ...signedInWithCsrf,
  ...needs('admin'),
  responses: {
    200: jsonResponse('What was checked and repaired.', reconcileReport),
    ...problems({ 401: true, 403: true, 409: 'RECONCILE.RUNNING: one is running (on any replica).', 503: true }),
  },
};
const lastReconcile: GuardedOperation = {
  operationId: 'lastReconcile',
  summary: "This replica's last reconciliation",
  tags: ['operations'],
  ...signedIn,
  ...needs('admin'),
  responses: {
    200: jsonResponse('Its report, or null before the first.', reconcileReport.nullable()),
    ...problems({ 401: true }),
  },
};

/** Admin tools for operators: dead letters (list, replay) and reconciliation (run, last report). */
export function operationsRoutes(deps: OperationsRouteDeps): Router {
  const router = Router();
  router.use('/admin/dead-letters', requireSession(deps.sessions));
  router.use('/admin/reconcile', requireSession(deps.sessions));

  router.get('/admin/dead-letters', guarded(listDeadLetters), async (req, res) => {
    const parsed = listQuery.safeParse(req.query);
    if (!parsed.success) throw new ValidationError(fieldErrors(parsed.error));
    const { items, waiting } = await deps.deadLetters.list(parsed.data);
    res.json({ waiting, items });
  });

  router.post('/admin/dead-letters/replay', guarded(replay), requireJson, json({ limit: '32kb' }), async (req, res) => {
    const parsed = replayBody.safeParse(req.body);
    if (!parsed.success) throw new ValidationError(fieldErrors(parsed.error));
    const ids = 'all' in parsed.data ? 'all' : parsed.data.ids;
    res.json(
      await replayDeadLetters(ids, req.session!.email, deps, {
        actorId: req.session!.accountId,
        correlationId: req.id,
      }),
    );
  });

  router.post('/admin/reconcile', guarded(runReconcile), async (_req, res) => {
    res.json((await deps.reconciler.runNow()) satisfies z.input<typeof reconcileReport>);
  });

  router.get('/admin/reconcile', guarded(lastReconcile), (_req, res) => {
    res.json(deps.reconciler.lastReport ?? null);
  });

  return router;
}
