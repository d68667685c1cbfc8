import { TOPICS, retryUntilReady, userRegistrationDecidedSchema, type Logger } from '@regflow/common';
import { parseRecord, runConsumer, type ListenerOptions, type RunningConsumer } from '@regflow/common/kafka';
import { sendDecisionEmail, type SendDecisionEmailDeps } from '../domain/send-decision-email';
import { emailFailure } from './email-failures';

export const DECISION_EMAILS_GROUP = 'consumer-mq-decision-emails';

/**
 * `user.registration.decided.v1` (consumer-mq's own outbox) → the applicant's decision email, in its
 * own consumer group. A record that is not the contract is dead-lettered at once; an SMTP server or
 * Postgres that is down is waited for (email-failures.ts). Two records at a time: each holds a
 * Postgres connection (its ledger row) while the SMTP server answers, and the mailer has two.
 */
export class DecisionEmailsListener {
  private readonly stopping = new AbortController();
  private consumer: Promise<RunningConsumer | undefined> | undefined;

  constructor(
    private readonly listener: ListenerOptions,
    private readonly deps: SendDecisionEmailDeps,
    private readonly logger: Logger,
  ) {}

  /** Joins the group in the background (retried until Kafka answers), so the admin API starts at once. */
  start(): void {
    const maxAttempts = this.listener.maxAttempts ?? 8;
    this.consumer = retryUntilReady(
      'kafka (decision emails)',
      () =>
        runConsumer({
          ...this.listener,
          groupId: DECISION_EMAILS_GROUP,
          topics: [TOPICS.registrationDecided],
          maxAttempts: Number.MAX_SAFE_INTEGER,
          partitionsConsumedConcurrently: 1,
          recordsConcurrently: 2,
          handler: async (record) => {
            try {
              await sendDecisionEmail(parseRecord(userRegistrationDecidedSchema, record), this.deps);
            } catch (err) {
              throw emailFailure(err, record, maxAttempts);
            }
          },
        }),
      { logger: this.logger, signal: this.stopping.signal },
    ).catch(() => undefined); // only an abort ends the retrying: stopped before Kafka was there
  }

  /** Finishes the email in hand (and its ledger row), commits, and leaves the group. */
  async stop(): Promise<void> {
    this.stopping.abort();
    await (await this.consumer)?.stop();
  }
}
