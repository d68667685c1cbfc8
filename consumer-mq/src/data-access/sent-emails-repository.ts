import type pg from 'pg';
import { TransientError } from '@regflow/common';
import type { EmailRequest, SendOnceOutcome } from '../domain/model';
import { withHeldClient } from './db/held-client';

export interface SentEmail {
  kind: string;
  requestEventId: string;
  registrationId: string;
  recipient: string;
  locale: string;
  messageId: string;
  outcome: 'sent' | 'rate-limited';
  createdAt: Date;
}

/**
 * The sent_emails ledger. `sendOnce` claims the request's row BEFORE sending and holds the claim in
 * a transaction for as long as the SMTP server takes to answer:
 *
 * - the same request again (a redelivery, a restart, a second replica) finds the committed row, or
 *   waits on the unique index for the transaction in flight and then finds it: nothing is sent twice;
 * - the send fails (SMTP down): the transaction rolls back, the claim is gone, and the retry sends;
 * - the process dies while sending: Postgres ends the transaction, the claim is gone, and the
 *   redelivered request sends. If the server had already accepted the first one, that is the one
 *   duplicate this cannot rule out (docs/guarantees.md), and it carries the same Message-ID.
 *
 * A per-hour limit per registration and kind is counted under a transaction-level advisory lock on
 * the registration, so replicas handling two requests for one registration count one after the other.
 */
export class SentEmailsRepository {
  constructor(private readonly pool: pg.Pool) {}

  async sendOnce(request: EmailRequest & { messageId: string }, send: () => Promise<void>): Promise<SendOnceOutcome> {
    return withHeldClient(this.pool, async (client) => {
      await client.query('begin');
      try {
        await client.query('select pg_advisory_xact_lock(hashtext($1))', [
          `sent_emails:${request.kind}:${request.registrationId}`,
        ]);
        const claimed = await client.query<{ id: string }>(
          `insert into sent_emails (kind, request_event_id, registration_id, recipient, locale, message_id, outcome, correlation_id)
           values ($1, $2, $3, $4, $5, $6, 'sent', $7)
           on conflict (kind, request_event_id) do nothing
           returning id`,
          [
            request.kind,
            request.requestEventId,
            request.registrationId,
            request.to,
            request.locale,
            request.messageId,
            request.correlationId ?? null,
          ],
        );
        const id = claimed.rows[0]?.id;
        if (id === undefined) {
          await client.query('rollback');
          const existing = await client.query<{ outcome: 'sent' | 'rate-limited' }>(
            'select outcome from sent_emails where kind = $1 and request_event_id = $2',
            [request.kind, request.requestEventId],
          );
          return existing.rows[0]?.outcome === 'rate-limited' ? 'rate-limited' : 'already-sent';
        }
        if (request.perHourLimit !== undefined) {
          const { rows } = await client.query<{ n: number }>(
            `select count(*)::int as n from sent_emails
             where registration_id = $1 and kind = $2 and outcome = 'sent' and id <> $3
               and created_at > now() - interval '1 hour'`,
            [request.registrationId, request.kind, id],
          );
          if ((rows[0]?.n ?? 0) >= request.perHourLimit) {
            await client.query(`update sent_emails set outcome = 'rate-limited' where id = $1`, [id]);
            await client.query('commit');
            return 'rate-limited';
          }
        }
        await send();
        await client.query('commit').catch((err: unknown) => {
          throw new TransientError('the email went out but its record was not committed', {
            cause: err,
            outcome: 'unknown',
          });
        });
        return 'sent';
      } catch (err) {
        await client.query('rollback').catch(() => undefined);
        throw err;
      }
    });
  }

  /** What was sent for a registration, oldest first (tests, and the decision emails' helper). */
  async forRegistration(registrationId: string): Promise<SentEmail[]> {
    const { rows } = await this.pool.query<SentEmail>(
      `select kind, request_event_id as "requestEventId", registration_id as "registrationId", recipient, locale,
              message_id as "messageId", outcome, created_at as "createdAt"
       from sent_emails where registration_id = $1 order by id`,
      [registrationId],
    );
    return rows;
  }
}
