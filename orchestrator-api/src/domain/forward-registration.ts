import {
  HEADERS,
  QUEUES,
  newId,
  userRegistrationRequestedSchema,
  type Logger,
  type ReviewMessage,
  type UserRegistrationRequested,
} from '@regflow/common';
import { PoisonMessageError, type ConsumedRecord } from '@regflow/common/kafka';
import type { StompSession } from '@regflow/common/stomp';
import type { UserDocument, UsersIndex } from '../data-access/users-index';

export interface ForwardRegistrationDeps {
  index: UsersIndex;
  stomp: StompSession;
  logger: Logger;
  now?: () => Date;
}

/**
 * A registration event, in five steps: read it, index it as pending (idempotent by id), skip it when a
 * decision already exists, queue it for review, and only then let the caller commit the offset.
 */
export async function forwardRegistration(record: ConsumedRecord, deps: ForwardRegistrationDeps): Promise<void> {
  const event = parseRegistrationEvent(record);
  const log = deps.logger.child({ correlationId: event.correlationId, userId: event.data.id });
  const { doc } = await deps.index.createOrGet(toDocument(event, deps.now?.() ?? new Date()));
  if (doc.status !== 'pending') {
    log.info({ status: doc.status }, 'registration already decided; not queued again');
    return;
  }
  await deps.stomp.send(QUEUES.review, JSON.stringify(toReviewMessage(event, doc)), {
    [HEADERS.eventType]: 'RegistrationQueuedForReview',
    [HEADERS.schemaVersion]: '1',
    [HEADERS.correlationId]: event.correlationId,
  });
  log.info('registration indexed and queued for review');
}

export function parseRegistrationEvent(record: ConsumedRecord): UserRegistrationRequested {
  let json: unknown;
  try {
    json = JSON.parse(record.value ?? '');
  } catch {
    throw new PoisonMessageError('value is not JSON');
  }
  const parsed = userRegistrationRequestedSchema.safeParse(json);
  if (!parsed.success) {
    throw new PoisonMessageError(`schema: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  return parsed.data;
}

function toDocument(event: UserRegistrationRequested, now: Date): UserDocument {
  return { ...event.data, status: 'pending', indexedAt: now.toISOString() };
}

function toReviewMessage(event: UserRegistrationRequested, doc: UserDocument): ReviewMessage {
  return {
    type: 'RegistrationQueuedForReview',
    version: 1,
    eventId: newId(),
    occurredAt: new Date().toISOString(),
    correlationId: event.correlationId,
    data: { ...event.data, indexedAt: doc.indexedAt },
  };
}
