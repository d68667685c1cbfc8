import {
  HEADERS,
  QUEUES,
  newId,
  type Logger,
  type RegistrationStatus,
  type ReviewMessage,
  type UserRegistrationRequested,
} from '@regflow/common';
import type { UserDocument } from './user-document';

/** Who holds an identity: this registration, or another one (with the version to take it over at). */
export type ClaimResult = { held: true } | { held: false; holder: string; seqNo: number; primaryTerm: number };

export interface ForwardRegistrationDeps {
  /** The users index; a get by id sees the latest write. */
  index: {
    get(id: string): Promise<UserDocument | null>;
    /** Creates the document, or returns the one already indexed under its id. */
    createOrGet(doc: UserDocument): Promise<{ doc: UserDocument }>;
  };
  /** One claim per email and per CPF; of two racing registrations exactly one gets it. */
  claims: {
    claim(identity: string, userId: string): Promise<ClaimResult>;
    /** False when someone else changed the claim since it was read. */
    takeOver(identity: string, userId: string, seen: { seqNo: number; primaryTerm: number }): Promise<boolean>;
  };
  /** Resolves once the broker has stored the message. */
  reviewQueue: { send(destination: string, body: string, headers: Record<string, string>): Promise<void> };
  logger: Logger;
  now?: () => Date;
}

export type ForwardOutcome = { queued: true } | { queued: false; status: RegistrationStatus; duplicateOf?: string };

/**
 * A registration event, in four steps: unless it is already indexed (a redelivery), claim the person's
 * email and CPF; index it as pending, or as duplicate when someone else holds a claim; queue it for
 * review only if it is pending. The caller commits the offset only after this resolves.
 */
export async function forwardRegistration(
  event: UserRegistrationRequested,
  deps: ForwardRegistrationDeps,
): Promise<ForwardOutcome> {
  const log = deps.logger.child({ correlationId: event.correlationId, userId: event.data.id });
  let doc = await deps.index.get(event.data.id);
  if (!doc) {
    const duplicateOf = await claimIdentities(event.data, deps);
    ({ doc } = await deps.index.createOrGet(toDocument(event, deps.now?.() ?? new Date(), duplicateOf)));
  }
  if (doc.status !== 'pending') {
    log.info({ status: doc.status, duplicateOf: doc.duplicateOf }, 'registration not queued for review');
    return { queued: false, status: doc.status, ...(doc.duplicateOf ? { duplicateOf: doc.duplicateOf } : {}) };
  }
  await deps.reviewQueue.send(QUEUES.review, JSON.stringify(toReviewMessage(event, doc)), {
    [HEADERS.eventType]: 'RegistrationQueuedForReview',
    [HEADERS.schemaVersion]: '1',
    [HEADERS.correlationId]: event.correlationId,
  });
  log.info('registration indexed and queued for review');
  return { queued: true };
}

function toDocument(event: UserRegistrationRequested, now: Date, duplicateOf: string | null): UserDocument {
  return {
    ...event.data,
    status: duplicateOf ? 'duplicate' : 'pending',
    ...(duplicateOf ? { duplicateOf } : {}),
    indexedAt: now.toISOString(),
  };
}

const LIVE: ReadonlySet<RegistrationStatus> = new Set(['pending', 'approved']);

/**
 * One live (pending or approved) registration per email and per CPF. Returns the id of the live
 * registration that already holds one of them, or null when this one now holds all of its claims.
 */
async function claimIdentities(
  user: UserRegistrationRequested['data'],
  deps: ForwardRegistrationDeps,
): Promise<string | null> {
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
