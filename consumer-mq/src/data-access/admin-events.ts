import { EventEmitter } from 'node:events';
import type { RedisClientType } from 'redis';
import type { Logger } from '@regflow/common';
import type { AdminEvent } from '../domain/model';

export type { AdminEvent };

const CHANNEL = 'regflow:admin-events';

/**
 * Live updates for the console. Events go through Redis pub/sub so every replica's stream clients see
 * what any replica staged or decided.
 */
export class AdminEventBus {
  private readonly local = new EventEmitter();
  private subscriber: RedisClientType | undefined;

  constructor(
    private readonly redis: RedisClientType,
    private readonly logger: Logger,
  ) {
    this.local.setMaxListeners(0);
  }

  async start(): Promise<void> {
    const subscriber = this.redis.duplicate() as RedisClientType;
    subscriber.on('error', (err: Error) => this.logger.warn({ err: err.message }, 'redis subscriber error'));
    await subscriber.connect();
    await subscriber.subscribe(CHANNEL, (message) => {
      try {
        this.local.emit('event', JSON.parse(message) as AdminEvent);
      } catch {
        /* not ours */
      }
    });
    this.subscriber = subscriber;
  }

  async publish(event: AdminEvent): Promise<void> {
    try {
      await this.redis.publish(CHANNEL, JSON.stringify(event));
    } catch (err) {
      // Live updates are a convenience; the queue itself is already correct.
      this.logger.warn({ err: err instanceof Error ? err.message : err }, 'could not publish admin event');
    }
  }

  onEvent(listener: (event: AdminEvent) => void): () => void {
    this.local.on('event', listener);
    return () => this.local.off('event', listener);
  }

  onShutdown(listener: () => void): () => void {
    this.local.on('shutdown', listener);
    return () => this.local.off('shutdown', listener);
  }

  async stop(): Promise<void> {
    this.local.emit('shutdown');
    await this.subscriber?.close();
  }
}
