import { Router } from 'express';
import { z } from 'zod';
import { documented, jsonResponse } from './openapi';

export type ReadinessCheck = () => Promise<void>;

const readiness = z.object({
  status: z.enum(['ready', 'not ready']),
  checks: z
    .record(z.string(), z.string())
    .meta({ description: "Each dependency by name: 'ok', or why it failed.", example: { kafka: 'ok' } }),
});
const healthz = {
  operationId: 'healthz',
  summary: 'The process is up',
  tags: ['operations'],
  responses: { 200: jsonResponse('Up.', z.object({ status: z.literal('ok') })) },
};
const readyz = {
  operationId: 'readyz',
  summary: 'Every dependency answers',
  tags: ['operations'],
  responses: {
    200: jsonResponse('Ready.', readiness),
    503: jsonResponse('A dependency does not answer (named in `checks`), or the service is stopping.', readiness),
  },
};

/**
 * `/healthz`: the process is up. `/readyz`: every dependency answers; reports each by name so an
 * operator sees which one is down.
 */
export function healthRoutes(
  checks: Record<string, ReadinessCheck>,
  isShuttingDown: () => boolean = () => false,
): Router {
  const router = Router();
  router.get('/healthz', documented(healthz), (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', documented(readyz), async (_req, res) => {
    const results: Record<string, string> = {};
    let ready = !isShuttingDown();
    await Promise.all(
      Object.entries(checks).map(async ([name, check]) => {
        try {
          await withTimeout(check(), 2000);
          results[name] = 'ok';
        } catch (err) {
          ready = false;
          results[name] = err instanceof Error ? err.message : 'failed';
        }
      }),
    );
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not ready', checks: results });
  });
  return router;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    }),
  ]);
}
