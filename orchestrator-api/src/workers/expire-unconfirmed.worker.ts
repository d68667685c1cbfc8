import type { Logger } from '@regflow/common';

/**
 * Marks unconfirmed registrations past their confirmation window as `expired` in the index, every
 * minute (readers see them as expired at once anyway: effectiveStatus). Every replica runs it; the
 * updates are conditional, so two sweeping at once do no harm. They hold no claims, so expiring one
 * frees nothing and blocks nobody: this keeps the index's status filter and counts truthful.
 */
export class ExpireUnconfirmedWorker {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;

  constructor(
    private readonly index: { expireUnconfirmed(cutoff: Date): Promise<number> },
    private readonly ttlHours: number,
    private readonly logger: Logger,
    private readonly intervalMs = 60_000,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.runNow(), this.intervalMs);
    this.timer.unref();
  }

  async runNow(): Promise<number> {
    const run = this.index.expireUnconfirmed(new Date(Date.now() - this.ttlHours * 3_600_000));
    this.running = run;
    try {
      const expired = await run;
      if (expired > 0) this.logger.info({ expired }, 'unconfirmed registrations marked expired');
      return expired;
    } catch (err) {
      this.logger.warn({ err: err instanceof Error ? err.message : err }, 'expiry sweep failed; retried next minute');
      return 0;
    } finally {
      this.running = undefined;
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }
}
