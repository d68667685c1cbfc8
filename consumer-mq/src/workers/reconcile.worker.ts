import type pg from 'pg';
import { AppError, type Logger } from '@regflow/common';
import { ADVISORY_LOCKS, tryWithAdvisoryLock } from '../data-access/db/advisory-lock';
import { reconcile, type ReconcileDeps, type ReconcileReport } from '../domain/reconcile';

/**
 * Runs reconciliation on a schedule and on demand (POST /admin/reconcile). A Postgres advisory lock
 * makes it one run at a time across all replicas; a replica that finds the lock taken skips its turn.
 */
export class ReconcileWorker {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  lastReport: ReconcileReport | undefined;

  constructor(
    private readonly pool: pg.Pool,
    private readonly deps: ReconcileDeps,
    private readonly logger: Logger,
    private readonly intervalMs: number,
  ) {}

  start(): void {
    if (this.intervalMs <= 0) return;
    this.timer = setInterval(() => {
      this.runNow().catch((err: unknown) => {
        if (!(err instanceof AppError))
          this.logger.warn({ err: err instanceof Error ? err.message : err }, 'scheduled reconciliation failed');
      });
    }, this.intervalMs);
    this.timer.unref();
  }

  async runNow(): Promise<ReconcileReport> {
    const outcome = await tryWithAdvisoryLock(this.pool, ADVISORY_LOCKS.reconciliation, async () => {
      const run = reconcile(this.deps);
      this.running = run;
      try {
        return await run;
      } finally {
        this.running = undefined;
      }
    });
    if (!outcome.acquired)
      throw new AppError('RECONCILE.RUNNING', 409, 'A reconciliation is already running; try again when it ends.');
    this.lastReport = outcome.value;
    return outcome.value;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }
}
