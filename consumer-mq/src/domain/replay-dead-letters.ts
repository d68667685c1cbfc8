import { maskEmail, type Logger } from '@regflow/common';
import { AUDIT_ACTIONS, type AuditEntry } from './audit';
import type { DeadLetter } from './model';

export interface ReplayDeps {
  deadLetters: {
    /** Those not replayed yet, oldest first: the given ids, or all. */
    waiting(ids?: number[]): Promise<DeadLetter[]>;
    /** False when it was marked meanwhile (a replay running elsewhere). */
    markReplayed(id: number, by: string): Promise<boolean>;
  };
  /** Resolves once Kafka has the record. */
  publisher: {
    publish(topic: string, record: { key: string; value: string; headers: Record<string, string> }): Promise<void>;
  };
  /** Resolves once the broker has stored the message. */
  stomp: { send(destination: string, body: string, headers: Record<string, string>): Promise<void> };
  audit: { record(entry: AuditEntry): Promise<void> };
  logger: Logger;
}

/** Headers our own pipeline or the broker add; a replay sends the message as it first was. */
const DROPPED_HEADERS =
  /^(dlq-|dlqDeliveryFailureCause$|message-id$|destination$|subscription$|ack$|redelivered$|expires$|timestamp$|priority$|persistent$|content-length$|content-type$|originalExpiration$|original-destination$)/;

/**
 * Sends dead letters back where they failed, one at a time, marking each only after its source has
 * it. The pipeline is idempotent by registration id, so replaying one that half-succeeded is safe.
 */
export async function replayDeadLetters(
  ids: number[] | 'all',
  admin: string,
  deps: ReplayDeps,
  audit: { actorId?: string | null; correlationId?: string } = {},
): Promise<{ replayed: number[]; failed: Array<{ id: number; error: string }> }> {
  const entries = await deps.deadLetters.waiting(ids === 'all' ? undefined : ids);
  const replayed: number[] = [];
  const failed: Array<{ id: number; error: string }> = [];
  for (const entry of entries) {
    try {
      await resend(entry, deps);
      if (await deps.deadLetters.markReplayed(entry.id, admin)) replayed.push(entry.id);
    } catch (err) {
      failed.push({ id: entry.id, error: err instanceof Error ? err.message : String(err) });
    }
  }
  if (replayed.length > 0 || failed.length > 0) {
    await deps.audit.record({
      actor: admin,
      actorId: audit.actorId ?? null,
      action: AUDIT_ACTIONS.deadLettersReplayed,
      correlationId: audit.correlationId ?? null,
      detail: { requested: ids === 'all' ? 'all' : ids.length, replayed, failed: failed.map((f) => f.id) },
    });
  }
  deps.logger.info(
    { replayed: replayed.length, failed: failed.length, admin: maskEmail(admin) },
    'dead letters replayed',
  );
  return { replayed, failed };
}

async function resend(entry: DeadLetter, deps: ReplayDeps): Promise<void> {
  const headers = Object.fromEntries(Object.entries(entry.headers).filter(([k]) => !DROPPED_HEADERS.test(k)));
  if (entry.source === 'kafka') {
    await deps.publisher.publish(entry.destination, { key: entry.key ?? '', value: entry.payload, headers });
  } else {
    await deps.stomp.send(entry.destination, entry.payload, headers);
  }
}
