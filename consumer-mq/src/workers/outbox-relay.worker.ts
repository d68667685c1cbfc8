import type { Logger } from '@regflow/common';
import type { EventPublisher } from '@regflow/common/kafka';
import type { DecisionsRepository } from '../data-access/decisions-repository';

/**
 * Moves decision events from the Postgres outbox to Kafka, many rows per round (one locked batch, one
 * produce request, one commit). Woken after each decision; wakes that come while a round is scheduled
 * or running are coalesced into one round, which starts `coalesceMs` after the wake (or after the
 * previous round) so that under load each round carries the decisions of that window instead of one
 * round trip to Postgres and Kafka per decision. Polls as a safety net (another replica's rows, or
 * rows left by a crash).
 */
export class OutboxRelay {
  private timer: NodeJS.Timeout | undefined;
  private dueAt = Infinity;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;

  constructor(
    private readonly repo: DecisionsRepository,
    private readonly publisher: EventPublisher,
    private readonly logger: Logger,
    private readonly pollMs = 1000,
    private readonly coalesceMs = 20,
  ) {}

  start(): void {
    this.schedule(0);
  }

  /** Asks for a relay round soon (coalesced with one already scheduled or running). */
  wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    // A round already due sooner stays as it is: waking never postpones one.
    if (this.dueAt > Date.now() + this.coalesceMs) this.schedule(this.coalesceMs);
  }

  private schedule(ms: number): void {
    clearTimeout(this.timer);
    this.dueAt = Date.now() + ms;
    this.timer = setTimeout(() => {
      this.dueAt = Infinity;
      this.running = this.round().finally(() => {
        this.running = undefined;
        if (this.stopped) return;
        const now = this.again;
        this.again = false;
        this.schedule(now ? this.coalesceMs : this.pollMs);
      });
    }, ms);
  }

  private async round(): Promise<void> {
    try {
      let relayed: number;
      do {
        relayed = await this.repo.relayBatch(200, (events) =>
          Promise.all(
            events.map((e) => this.publisher.publish(e.topic, { key: e.key, value: e.value, headers: e.headers })),
          ).then(() => undefined),
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
