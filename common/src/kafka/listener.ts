import type { z } from 'zod';
import { parseEvent } from '../contracts/registration';
import { PoisonMessageError, type ConsumedRecord, type RunConsumerOptions } from './consumer';

/** What a service's listeners share (client, dead-letter topic, attempts, metrics); each adds its group, topics and handler. */
export type ListenerOptions = Omit<RunConsumerOptions, 'groupId' | 'topics' | 'handler'>;

/**
 * A listener's first step: the record's value read against its contract. A record that is not JSON or
 * not the contract can never succeed, so it throws PoisonMessageError: runConsumer dead-letters it at
 * once, with the reason, and the partition moves on.
 */
export function parseRecord<S extends z.ZodType>(schema: S, record: ConsumedRecord): z.infer<S> {
  const parsed = parseEvent(schema, record.value);
  if (!parsed.ok) throw new PoisonMessageError(parsed.reason);
  return parsed.event;
}
