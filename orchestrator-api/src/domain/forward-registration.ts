import {
  eventMessage,
  QUEUES,
  TransientError,
  newId,
  type Logger,
  type RegistrationStatus,
  type ReviewMessage,
  type UserEmailConfirmed,
  type UserRegistrationRequested,
} from '@regflow/common';
import { confirmationExpired, registrationIdentities, type UserDocument } from './user-document';

/** Who holds an identity: this registration, or another one (with the version to take it over at). */
export type ClaimResult = { held: true } | { held: false; holder: string; seqNo: number; primaryTerm: number };

export interface ForwardRegistrationDeps {
  /** The users index; a get by id sees the latest write. */
  index: {
    get(id: string): Promise<UserDocument | null>;
    /** Creates the document, or returns the one already indexed under its id. */
    createOrGet(doc: UserDocument): Promise<{ doc: UserDocument }>;
    /** A partial update; false when no document has this id. */
    update(id: string, patch: Partial<UserDocument>): Promise<boolean>;
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
  /** EMAIL_CONFIRMATION_TTL_HOURS: how long an unconfirmed registration may be confirmed. */
  confirmationTtlHours: number;
}

export type ForwardOutcome = { queued: true } | { queued: false; status: RegistrationStatus; duplicateOf?: string };

/**
 * A registration event. One that needs email confirmation is only indexed, as `unconfirmed`: it claims
 * nothing and is not queued, so it never blocks anyone (confirmRegistration does the rest). Any other,
 * in four steps: unless it is already indexed (a redelivery), claim the person's email and CPF; index
 * it as pending, or as duplicate when someone else holds a claim; queue it for review only if it is
 * pending. The caller commits the offset only after this resolves.
 */
export async function forwardRegistration(
  event: UserRegistrationRequested,
  deps: ForwardRegistrationDeps,
): Promise<ForwardOutcome> {
  const log = deps.logger.child({ correlationId: event.correlationId, userId: event.data.id });
  let doc = await deps.index.get(event.data.id);
  if (!doc && event.data.emailConfirmation === 'required') {
    ({ doc } = await deps.index.createOrGet(toDocument(event, now(deps), 'unconfirmed')));
  } else if (!doc) {
    const duplicateOf = await claimIdentities(event.data, deps);
    ({ doc } = await deps.index.createOrGet(toDocument(event, now(deps), duplicateOf)));
  }
  return queueIfPending(doc, event.correlationId, log, deps);
}

/**
 * The applicant confirmed their email. An unconfirmed registration whose window had not passed when
 * the link was followed now does what forwardRegistration does for one without confirmation: claim,
 * index as pending (or duplicate), queue. The window is judged at the confirmation's own time, so a
 * confirmation that waited in Kafka is not refused for the wait, even if the expiry worker marked the
 * document meanwhile. A redelivery finds it pending and queues it again (staging is idempotent: that
 * covers a crash between the index update and the queue); anything else is left as it is.
 */
export async function confirmRegistration(
  event: UserEmailConfirmed,
  deps: ForwardRegistrationDeps,
): Promise<ForwardOutcome> {
  const { userId, email, confirmedAt } = event.data;
  const log = deps.logger.child({ correlationId: event.correlationId, userId });
  let doc = await deps.index.get(userId);
  // The registration precedes its confirmation on the partition, so it is indexed unless it was dead-lettered.
  if (!doc) throw new TransientError(`user ${userId} is not in the search index`);
  if (doc.email !== email) {
    log.warn('confirmation for another email than the registration has; ignored');
    return { queued: false, status: doc.status };
  }
  if (doc.status === 'unconfirmed' || doc.status === 'expired') {
    if (confirmationExpired(doc, new Date(confirmedAt), deps.confirmationTtlHours)) {
      if (doc.status === 'unconfirmed') await deps.index.update(userId, { status: 'expired' });
      log.info('confirmation refused: the registration had expired');
      return { queued: false, status: 'expired' };
    }
    const duplicateOf = await claimIdentities(doc, deps);
    const patch: Partial<UserDocument> = {
      status: duplicateOf ? 'duplicate' : 'pending',
      ...(duplicateOf ? { duplicateOf } : {}),
      confirmedAt,
      // Indexed as pending now: reconciliation's grace period counts from here.
      indexedAt: now(deps).toISOString(),
    };
    if (!(await deps.index.update(userId, patch)))
      throw new TransientError(`user ${userId} left the search index while being confirmed`);
    doc = { ...doc, ...patch };
  }
  return queueIfPending(doc, event.correlationId, log, deps);
}

async function queueIfPending(
  doc: UserDocument,
  correlationId: string,
  log: Logger,
  deps: ForwardRegistrationDeps,
): Promise<ForwardOutcome> {
  if (doc.status !== 'pending') {
    log.info({ status: doc.status, duplicateOf: doc.duplicateOf }, 'registration not queued for review');
    return { queued: false, status: doc.status, ...(doc.duplicateOf ? { duplicateOf: doc.duplicateOf } : {}) };
  }
  const message = eventMessage(toReviewMessage(doc, correlationId));
  await deps.reviewQueue.send(QUEUES.review, message.value, message.headers);
  log.info('registration indexed and queued for review');
  return { queued: true };
}

const now = (deps: ForwardRegistrationDeps): Date => deps.now?.() ?? new Date();

/** `duplicateOf`: the holder of a claim (duplicate), null (pending), or 'unconfirmed' (no claims made yet). */
function toDocument(
  event: UserRegistrationRequested,
  now: Date,
  duplicateOf: string | null | 'unconfirmed',
): UserDocument {
  if (duplicateOf === 'unconfirmed') return { ...event.data, status: 'unconfirmed', indexedAt: now.toISOString() };
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
  user: Pick<UserRegistrationRequested['data'], 'id' | 'email' | 'cpf'>,
  deps: ForwardRegistrationDeps,
): Promise<string | null> {
  const identities = registrationIdentities(user);
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

/** The review message carries the registration as accepted (only its own fields, not the index's). */
function toReviewMessage(doc: UserDocument, correlationId: string): ReviewMessage {
  const { status, decidedAt, decidedBy, reason, duplicateOf, confirmedAt, ...registration } = doc;
  void [status, decidedAt, decidedBy, reason, duplicateOf, confirmedAt];
  return {
    type: 'RegistrationQueuedForReview',
    version: 1,
    eventId: newId(),
    occurredAt: new Date().toISOString(),
    correlationId,
    data: registration,
  };
}
