import type { Logger } from '@regflow/common';
import { AUDIT_ACTIONS, type AuditEntry } from './audit';

/** The stores an erasure reaches so far, each marked done once erased (docs/privacy.md). */
export const ERASURE_STEPS = ['postgres', 'redis'] as const;
export type ErasureStep = (typeof ERASURE_STEPS)[number];

export interface ErasureRecord {
  registrationId: string;
  requestedBy: string;
  requestedAt: Date;
  done: Record<ErasureStep, boolean>;
  completedAt: Date | null;
}

export interface EraseRegistrationDeps {
  erasures: {
    request(registrationId: string, requestedBy: string, correlationId: string | null): Promise<ErasureRecord>;
    erasePostgres(registrationId: string): Promise<Record<string, number>>;
    markDone(registrationId: string, step: ErasureStep): Promise<void>;
    complete(registrationId: string, audit: AuditEntry): Promise<boolean>;
  };
  /** Removes the staged registration and leaves a tombstone, so a late redelivery is not staged again. */
  staging: { unstage(id: string, outcome: string): Promise<void> };
  logger: Logger;
}

export interface EraseRequest {
  registrationId: string;
  admin: { id: string; email: string };
  correlationId: string | null;
}

/**
 * Erases a registration from the stores consumer-mq owns: record the request first, then each store
 * not yet marked done, then mark it complete with its audit entry. A crash anywhere leaves the request
 * recorded with the steps done so far; asking again (or resuming) does only the rest, and each step is
 * harmless twice. The audit entry holds ids and counts, never the person.
 *
 * Not reachable from the admin API yet: Elasticsearch and Kafka are not reached (docs/privacy.md), and
 * an erasure that leaves the person there must not be offered as one.
 */
export async function eraseRegistration(
  request: EraseRequest,
  deps: EraseRegistrationDeps,
): Promise<{ erased: 'now' | 'already'; record: ErasureRecord }> {
  const { registrationId, admin, correlationId } = request;
  const record = await deps.erasures.request(registrationId, admin.email, correlationId);
  if (record.completedAt) return { erased: 'already', record };
  let rows: Record<string, number> = {};
  if (!record.done.postgres) rows = await deps.erasures.erasePostgres(registrationId);
  if (!record.done.redis) {
    await deps.staging.unstage(registrationId, 'erased');
    await deps.erasures.markDone(registrationId, 'redis');
  }
  const completed = await deps.erasures.complete(registrationId, {
    actor: admin.email,
    actorId: admin.id,
    action: AUDIT_ACTIONS.registrationErased,
    registrationId,
    correlationId,
    detail: { stores: [...ERASURE_STEPS], rows, resumed: record.done.postgres || record.done.redis },
  });
  deps.logger.info({ registrationId, correlationId, rows }, 'registration erased');
  return {
    erased: completed ? 'now' : 'already',
    record: { ...record, done: { postgres: true, redis: true }, completedAt: record.completedAt ?? new Date() },
  };
}
