import type { Logger } from '@regflow/common';

/**
 * Marks unconfirmed registrations past their confirmation window as `expired` in the index, every
 * minute (readers see them as expired at once anyway: effectiveStatus). Every replica runs it; the
 * updates are conditional, so two sweeping at once do no harm. They hold no claims, so expiring one
 * frees nothing and blocks nobody: this keeps the index's status filter and counts truthful.
 * Then deletes the expired ones older than the window plus `retentionHours` (docs/privacy.md): never
 * confirmed, they are kept only so long, and conditional deletes are as harmless twice.
 */
export class ExpireUnconfirmedWorker {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;

  constructor(
    private readonly index: {
      expireUnconfirmed(cutoff: Date): Promise<number>;
      deleteExpired(cutoff: Date): Promise<number>;
    },
    private readonly ttlHours: number,
    private readonly retentionHours: number,
    private readonly logger: Logger,
    private readonly intervalMs = 60_000,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.runNow(), this.intervalMs);
    this.timer.unref();
  }

  async runNow(now = new Date()): Promise<{ expired: number; deleted: number }> {
    const run = this.sweep(now);
    this.running = run;
    try {
      return await run;
    } catch (err) {
      this.logger.warn({ err: err instanceof Error ? err.message : err }, 'expiry sweep failed; retried next minute');
      return { expired: 0, deleted: 0 };
    } finally {
      this.running = undefined;
    }
  }

  private async sweep(now: Date): Promise<{ expired: number; deleted: number }> {
    const windowEnd = now.getTime() - this.ttlHours * 3_600_000;
    const expired = await this.index.expireUnconfirmed(new Date(windowEnd));
    if (expired > 0) this.logger.info({ expired }, 'unconfirmed registrations marked expired');
    const deleted = await this.index.deleteExpired(new Date(windowEnd - this.retentionHours * 3_600_000));
    if (deleted > 0) this.logger.info({ deleted }, 'expired registrations past their retention deleted');
    return { expired, deleted };
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }
}
