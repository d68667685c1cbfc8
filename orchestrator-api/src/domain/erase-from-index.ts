import type { Logger } from '@regflow/common';
import { registrationIdentities, type UserDocument } from './user-document';

export interface EraseFromIndexDeps {
  users: { get(id: string): Promise<UserDocument | null>; delete(id: string): Promise<boolean> };
  /** Gives up an identity if the registration holds it; false when a concurrent change won (retry). */
  claims: { release(identity: string, userId: string): Promise<boolean> };
  logger: Logger;
}

/**
 * Erases a registration from the orchestrator's indices (docs/privacy.md): the claims it holds first,
 * then its document, so that a crash in between leaves the document to find the claims by on the next
 * try. Idempotent: a registration already gone is `not-indexed`. `retry`: a claim changed while it was
 * being released; the caller tries again.
 *
 * Not wired to an event yet: the erasure request does not reach the orchestrator (docs/privacy.md).
 */
export async function eraseFromIndex(
  registrationId: string,
  correlationId: string | null,
  deps: EraseFromIndexDeps,
): Promise<'erased' | 'not-indexed' | 'retry'> {
  const doc = await deps.users.get(registrationId);
  if (!doc) return 'not-indexed';
  for (const identity of registrationIdentities(doc))
    if (!(await deps.claims.release(identity, registrationId))) return 'retry';
  await deps.users.delete(registrationId);
  deps.logger.info({ registrationId, correlationId }, 'registration erased from the search indices');
  return 'erased';
}
