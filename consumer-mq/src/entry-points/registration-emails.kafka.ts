import { TOPICS, registrationTopicEventSchema, retryUntilReady, type Logger } from '@regflow/common';
import {
  parseRecord,
  runConsumer,
  type ConsumedRecord,
  type ListenerOptions,
  type RunningConsumer,
} from '@regflow/common/kafka';
import { sendConfirmationEmail, type SendConfirmationDeps } from '../domain/send-confirmation-email';
import { emailFailure } from './email-failures';

const GROUP_ID = 'consumer-mq-emails';

/**
 * `user.registration.requested.v1` → the applicant's emails, in its own consumer group, dispatched by
 * event type: a registration that needs confirmation, or a request for the email again → the
 * confirmation email; a confirmation → nothing to send. A record that is not one of the topic's
 * contracts (an unknown type too), or an email the SMTP server refuses for good, is dead-lettered at
 * once. An SMTP server or Postgres that is down is waited for (retried with backoff, without limit,
 * the partition held): the emails go out, in order, when it is back. Any other failure is retried and
 * dead-lettered after `maxAttempts`.
 */
export class RegistrationEmailsListener {
  private readonly stopping = new AbortController();
  private consumer: Promise<RunningConsumer | undefined> | undefined;

  constructor(
    private readonly listener: ListenerOptions,
    private readonly deps: SendConfirmationDeps,
    private readonly logger: Logger,
  ) {}

  /** Joins the group in the background (retried until Kafka answers), so the admin API starts at once. */
  start(): void {
    const maxAttempts = this.listener.maxAttempts ?? 8;
    this.consumer = retryUntilReady(
      'kafka (registration emails)',
      () =>
        runConsumer({
          ...this.listener,
          groupId: GROUP_ID,
          topics: [TOPICS.registrationRequested],
          // Counted here instead: an outage is waited for, a bug is not (see the class comment).
          maxAttempts: Number.MAX_SAFE_INTEGER,
          // Each email in flight holds a pooled Postgres connection (its ledger row) while SMTP answers.
          recordsConcurrently: 4,
          handler: async (record) => {
            try {
              await this.handle(record);
            } catch (err) {
              throw emailFailure(err, record, maxAttempts);
            }
          },
        }),
      { logger: this.logger, signal: this.stopping.signal },
    ).catch(() => undefined); // only an abort ends the retrying: stopped before Kafka was there
  }

  private async handle(record: ConsumedRecord): Promise<void> {
    const event = parseRecord(registrationTopicEventSchema, record);
    switch (event.type) {
      case 'UserRegistrationRequested':
      case 'ConfirmationEmailRequested':
        await sendConfirmationEmail(event, this.deps);
        return;
      case 'UserEmailConfirmed':
        return;
    }
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    await (await this.consumer)?.stop();
  }
}
