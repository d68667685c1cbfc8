import {
  HEADERS,
  QUEUES,
  newId,
  parseEvent,
  userRegistrationRequestedSchema,
  type Logger,
  type ReviewMessage,
  type UserRegistrationRequested,
} from '@regflow/common';
import { PoisonMessageError, type ConsumedRecord } from '@regflow/common/kafka';
import type { ClaimsIndex } from '../data-access/claims-index';
import type { ReviewQueueSender } from '../data-access/review-queue-sender';
import type { UserDocument, UsersIndex } from '../data-access/users-index';

export interface ForwardRegistrationDeps {
  index: UsersIndex;
  claims: ClaimsIndex;
  reviewQueue: ReviewQueueSender;
  logger: Logger;
  now?: () => Date;
}

/**
 * A registration event, in five steps: read it; unless it is already indexed (a redelivery), claim the
 * person's email and CPF; index it as pending, or as duplicate when someone else holds a claim; queue
 * it for review only if it is pending; and only then let the caller commit the offset.
 */
export async function forwardRegistration(record: ConsumedRecord, deps: ForwardRegistrationDeps): Promise<void> {
  const event = parseRegistrationEvent(record);
  const log = deps.logger.child({ correlationId: event.correlationId, userId: event.data.id });
  let doc = await deps.index.get(event.data.id);
  if (!doc) {
    const duplicateOf = await claimIdentities(event.data, deps);
    ({ doc } = await deps.index.createOrGet(toDocument(event, deps.now?.() ?? new Date(), duplicateOf)));
  }
  if (doc.status !== 'pending') {
    log.info({ status: doc.status, duplicateOf: doc.duplicateOf }, 'registration not queued for review');
    return;
  }
  await deps.reviewQueue.send(QUEUES.review, JSON.stringify(toReviewMessage(event, doc)), {
    [HEADERS.eventType]: 'RegistrationQueuedForReview',
    [HEADERS.schemaVersion]: '1',
    [HEADERS.correlationId]: event.correlationId,
  });
  log.info('registration indexed and queued for review');
}

export function parseRegistrationEvent(record: ConsumedRecord): UserRegistrationRequested {
  const parsed = parseEvent(userRegistrationRequestedSchema, record.value);
  if (!parsed.ok) throw new PoisonMessageError(parsed.reason);
  return parsed.event;
}

function toDocument(event: UserRegistrationRequested, now: Date, duplicateOf: string | null): UserDocument {
  return { ...event.data, status: duplicateOf ? 'duplicate' : 'pending', ...(duplicateOf ? { duplicateOf } : {}), indexedAt: now.toISOString() };
}

const LIVE: ReadonlySet<string> = new Set(['pending', 'approved']);

/**
 * One live (pending or approved) registration per email and per CPF. Returns the id of the live
 * registration that already holds one of them, or null when this one now holds all of its claims.
 */
async function claimIdentities(user: UserRegistrationRequested['data'], deps: ForwardRegistrationDeps): Promise<string | null> {
  const identities = [`email:${user.email}`, ...(user.cpf ? [`cpf:${user.cpf}`] : [])];
  for (const identity of identities) {
    for (let attempt = 0; ; attempt++) {
      const claim = await deps.claims.claim(identity, user.id);
      if (claim.held) break;
      const holder = await deps.index.get(claim.holder);
      // A holder not indexed yet is a registration in flight right now: it came first, so it is live.
      if (!holder || LIVE.has(holder.status)) return claim.holder;
      if (await deps.claims.takeOver(identity, user.id, claim)) break;
      if (attempt >= 5) throw new Error(`claim on ${identity.split(':')[0]} kept changing`);
    }
  }
  return null;
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
