import type pg from 'pg';
import type { Logger } from '@regflow/common';
import { ADVISORY_LOCKS, tryWithAdvisoryLock } from '../data-access/db/advisory-lock';
import type { RetentionRepository } from '../data-access/retention-repository';

export interface RetentionSettings {
  outboxRetentionHours: number;
  deadLetterRetentionDays: number;
  /** 0 turns the schedule off (runNow still works). */
  intervalMs: number;
}

export interface RetentionReport {
  outbox: number;
  deadLetters: number;
}

/**
 * Prunes published outbox rows and archived dead letters past their retention (docs/privacy.md),
 * on a schedule. A Postgres advisory lock makes it one sweep at a time across all replicas; a
 * replica that finds the lock taken skips its turn (the holder is doing the same work).
 */
export class RetentionWorker {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;

  constructor(
    private readonly pool: pg.Pool,
    private readonly repo: RetentionRepository,
    private readonly settings: RetentionSettings,
    private readonly logger: Logger,
  ) {}

  start(): void {
    if (this.settings.intervalMs <= 0) return;
    this.timer = setInterval(() => {
      this.runNow().catch((err: unknown) =>
        this.logger.warn(
          { err: err instanceof Error ? err.message : err },
          'retention sweep failed; retried next time',
        ),
      );
    }, this.settings.intervalMs);
    this.timer.unref();
  }

  /** One sweep; `undefined` when another replica holds the lock. */
  async runNow(now = new Date()): Promise<RetentionReport | undefined> {
    const outcome = await tryWithAdvisoryLock(this.pool, ADVISORY_LOCKS.retention, async () => {
      const run = this.sweep(now);
      this.running = run;
      try {
        return await run;
      } finally {
        this.running = undefined;
      }
    });
    return outcome.acquired ? outcome.value : undefined;
  }

  private async sweep(now: Date): Promise<RetentionReport> {
    const { outboxRetentionHours, deadLetterRetentionDays } = this.settings;
    const report = {
      outbox: await this.repo.pruneOutbox(new Date(now.getTime() - outboxRetentionHours * 3_600_000)),
      deadLetters: await this.repo.pruneDeadLetters(new Date(now.getTime() - deadLetterRetentionDays * 86_400_000)),
    };
    if (report.outbox + report.deadLetters > 0) this.logger.info(report, 'retention: old rows pruned');
    return report;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }
}
