import type { z } from 'zod';
import { parseEvent } from '../contracts/registration';
import { PoisonMessageError, type ConsumedRecord } from './consumer';

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
