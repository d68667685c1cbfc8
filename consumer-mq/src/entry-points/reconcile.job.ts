import type pg from 'pg';
import { AppError, type Logger } from '@regflow/common';
import { reconcile, type ReconcileDeps, type ReconcileReport } from '../domain/reconcile';

const RECONCILE_LOCK_ID = 727_002;

/**
 * Runs reconciliation on a schedule and on demand. A Postgres advisory lock makes it one run at a
 * time across all replicas; a replica that finds the lock taken skips its turn.
 */
export class ReconcileJob {
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
        if (!(err instanceof AppError)) this.logger.warn({ err: err instanceof Error ? err.message : err }, 'scheduled reconciliation failed');
      });
    }, this.intervalMs);
    this.timer.unref();
  }

  async runNow(): Promise<ReconcileReport> {
    const client = await this.pool.connect();
    try {
      const { rows } = await client.query<{ locked: boolean }>('select pg_try_advisory_lock($1) as locked', [RECONCILE_LOCK_ID]);
      if (!rows[0]?.locked) throw new AppError('RECONCILE.RUNNING', 409, 'A reconciliation is already running; try again when it ends.');
      try {
        const run = reconcile(this.deps);
        this.running = run;
        this.lastReport = await run;
        return this.lastReport;
      } finally {
        this.running = undefined;
        await client.query('select pg_advisory_unlock($1)', [RECONCILE_LOCK_ID]);
      }
    } finally {
      client.release();
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }
}
