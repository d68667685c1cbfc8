import nodemailer, { type Transporter } from 'nodemailer';
import type SMTPPool from 'nodemailer/lib/smtp-pool';
import { TransientError, type Logger } from '@regflow/common';
import { EmailRefusedError, type OutgoingEmail } from '../domain/model';

/**
 * The only module that talks SMTP (nodemailer, one small pool of connections). An email is either
 * accepted by the server, or the error says whether trying again can help: the server unreachable,
 * slow or answering 4xx is a TransientError (the Kafka consumer retries with backoff, and the email
 * goes out once the server is back); a 5xx answer (the server refuses this message or recipient for
 * good) is an EmailRefusedError (the consumer dead-letters the request: it can never succeed).
 */
export class Mailer {
  private readonly transport: Transporter<SMTPPool.SentMessageInfo>;

  constructor(
    smtpUrl: string,
    private readonly from: string,
    private readonly logger: Logger,
  ) {
    const url = new URL(smtpUrl);
    this.transport = nodemailer.createTransport({
      pool: true,
      maxConnections: 2,
      host: url.hostname,
      port: Number(url.port || (url.protocol === 'smtps:' ? 465 : 25)),
      secure: url.protocol === 'smtps:',
      auth: url.username
        ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) }
        : undefined,
      // Bounded, because the sent_emails row is held in a transaction while the server answers.
      connectionTimeout: 5_000,
      greetingTimeout: 5_000,
      socketTimeout: 15_000,
    });
  }

  async send(email: OutgoingEmail): Promise<void> {
    try {
      const info = await this.transport.sendMail({
        from: this.from,
        to: email.to,
        subject: email.subject,
        text: email.text,
        html: email.html,
        // Deterministic: the one duplicate the ledger cannot rule out (the server accepted, the record
        // was lost) carries the same Message-ID as the first, so mail clients and people can tell.
        messageId: email.messageId,
        headers: email.headers,
      });
      this.logger.info({ messageId: email.messageId, response: info.response }, 'email accepted by the SMTP server');
    } catch (err) {
      const code = (err as { responseCode?: number }).responseCode;
      if (code !== undefined && code >= 500)
        throw new EmailRefusedError(`the SMTP server refused the email for good (${code}): ${String(err)}`);
      throw new TransientError('the SMTP server did not take the email', { cause: err, outcome: 'unknown' });
    }
  }

  /** Whether the server answers (used by the mail tests; the readiness check leaves SMTP out: see service.ts). */
  async verify(): Promise<void> {
    await this.transport.verify();
  }

  close(): void {
    this.transport.close();
  }
}
