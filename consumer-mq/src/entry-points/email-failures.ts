import { TransientError } from '@regflow/common';
import { PoisonMessageError, type ConsumedRecord } from '@regflow/common/kafka';
import { EmailRefusedError } from '../domain/model';

/**
 * What an email listener's failure means for its record, for runConsumer (run with unlimited
 * attempts, so this decides): an email the SMTP server refuses for good (5xx) can never go out and is
 * dead-lettered at once; a server that is down or unreachable (SMTP, Postgres) is waited for, retried
 * with backoff however long it takes, so the emails go out when it is back; anything else (a bug, a
 * template error) is retried and dead-lettered after `maxAttempts`.
 */
export function emailFailure(err: unknown, record: ConsumedRecord, maxAttempts: number): unknown {
  if (err instanceof PoisonMessageError) return err;
  if (err instanceof EmailRefusedError) return new PoisonMessageError(err.message);
  if (!isOutage(err) && record.attempt >= maxAttempts)
    return new PoisonMessageError(err instanceof Error ? `${err.name}: ${err.message}` : String(err));
  return err;
}

/** A server that is down or unreachable (SMTP, Postgres): worth waiting for, however long. */
export function isOutage(err: unknown): boolean {
  if (err instanceof TransientError) return true;
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return false;
  // Node's socket errors, and Postgres' connection (08), shutdown (57P0x) and too-many-connections classes.
  return /^(E(CONNREFUSED|CONNRESET|PIPE|TIMEDOUT|HOSTUNREACH|NETUNREACH|AI_AGAIN)|ENOTFOUND|08...|57P0.|53300)$/.test(
    code,
  );
}
