import { Router, json } from 'express';
import { z } from 'zod';
import { ValidationError } from '@regflow/common';
import { fieldErrors, requireJson } from '@regflow/common/http';
import type { DeadLettersRepository } from '../data-access/dead-letters-repository';
import type { SessionStore } from '../data-access/session-store';
import { replayDeadLetters, type ReplayDeps } from '../domain/replay-dead-letters';
import type { ReconcileWorker } from '../workers/reconcile.worker';
import { requireSession } from './auth';

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

/** Admin tools for operators: dead letters (list, replay) and reconciliation (run, last report). */
export function operationsRoutes(deps: OperationsRouteDeps): Router {
  const router = Router();
  router.use('/admin/dead-letters', requireSession(deps.sessions));
  router.use('/admin/reconcile', requireSession(deps.sessions));

  router.get('/admin/dead-letters', async (req, res) => {
    const parsed = listQuery.safeParse(req.query);
    if (!parsed.success) throw new ValidationError(fieldErrors(parsed.error));
    const { items, waiting } = await deps.deadLetters.list(parsed.data);
    res.json({ waiting, items });
  });

  router.post('/admin/dead-letters/replay', requireJson, json({ limit: '32kb' }), async (req, res) => {
    const parsed = replayBody.safeParse(req.body);
    if (!parsed.success) throw new ValidationError(fieldErrors(parsed.error));
    const ids = 'all' in parsed.data ? 'all' : parsed.data.ids;
    res.json(await replayDeadLetters(ids, req.session!.email, deps));
  });

  router.post('/admin/reconcile', async (_req, res) => {
    res.json(await deps.reconciler.runNow());
  });

  router.get('/admin/reconcile', (_req, res) => {
    res.json(deps.reconciler.lastReport ?? null);
  });

  return router;
}
