import type { Logger } from '@regflow/common';
import type { EventPublisher } from '@regflow/common/kafka';
import type { DecisionsRepository } from './decisions-repository';

/**
 * Moves decision events from the Postgres outbox to Kafka. Woken right after each decision, and
 * polling as a safety net (another replica's rows, or rows left by a crash).
 */
export class OutboxRelay {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;

  constructor(
    private readonly repo: DecisionsRepository,
    private readonly publisher: EventPublisher,
    private readonly logger: Logger,
    private readonly pollMs = 1000,
  ) {}

  start(): void {
    this.schedule(0);
  }

  /** Asks for a relay round now (coalesced with one already running). */
  wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.schedule(0);
  }

  private schedule(ms: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.running = this.round().finally(() => {
        this.running = undefined;
        if (this.stopped) return;
        const now = this.again;
        this.again = false;
        this.schedule(now ? 0 : this.pollMs);
      });
    }, ms);
  }

  private async round(): Promise<void> {
    try {
      let relayed: number;
      do {
        relayed = await this.repo.relayBatch(200, (events) =>
          Promise.all(events.map((e) => this.publisher.publish(e.topic, { key: e.key, value: e.value, headers: e.headers }))).then(() => undefined),
        );
        if (relayed > 0) this.logger.debug({ relayed }, 'outbox events published');
      } while (relayed === 200 && !this.stopped);
    } catch (err) {
      this.logger.warn({ err: err instanceof Error ? err.message : err }, 'outbox relay failed; will retry');
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
    // One last round so decisions made during shutdown are not left waiting for a restart.
    await this.round();
  }
}
