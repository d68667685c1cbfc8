import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { TransientError, createLogger } from '@regflow/common';
import { createDatabase, migrateWithLock } from '../../src/data-access/db/database';
import { EmailTemplates } from '../../src/data-access/email-templates';
import { Mailer } from '../../src/data-access/mailer';
import { SentEmailsRepository } from '../../src/data-access/sent-emails-repository';
import type { EmailRequest } from '../../src/domain/model';
import { messageIdFor, sendEmailOnce, type SendEmailOnceDeps } from '../../src/domain/send-email-once';
import { messagesTo } from '../../../test/support/mail-inbox';
import { eventually } from '../../../test/support/services';

/**
 * The mail infrastructure on the real servers: templates from a fixture folder, the sent_emails ledger
 * on real Postgres, nodemailer against the stack's real SMTP server, and the inbox read back through
 * the mail server's HTTP API.
 */
const logger = createLogger('send-email-once-test', 'silent');
const FIXTURES = fileURLToPath(new URL('../fixtures/emails/', import.meta.url));

function request(overrides: Partial<EmailRequest> = {}): EmailRequest {
  const to = `mail.${randomUUID()}@example.com`;
  return {
    kind: 'hello',
    requestEventId: randomUUID(),
    registrationId: randomUUID(),
    to,
    locale: 'en',
    correlationId: `corr-${randomUUID()}`,
    vars: { name: 'Ana <Souza>', code: '42' },
    ...overrides,
  } as EmailRequest;
}

/** A port where nothing listens: an SMTP server that is down. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('sending an email once, on the real Postgres and SMTP server', () => {
  const env = inject('stackEnv');
  let pool: pg.Pool;
  let ledger: SentEmailsRepository;
  let mailer: Mailer;
  let deps: SendEmailOnceDeps;

  beforeAll(async () => {
    ({ pool } = createDatabase(env.DATABASE_URL, logger));
    await migrateWithLock(pool, logger);
    ledger = new SentEmailsRepository(pool);
    mailer = new Mailer(env.SMTP_URL, 'regflow <no-reply@regflow.local>', logger);
    deps = { templates: EmailTemplates.load(FIXTURES), mailer, ledger, logger };
  });

  afterAll(async () => {
    mailer?.close();
    await pool?.end();
  });

  it('when an email is sent, then it arrives in plain text and HTML, in its language, with its deterministic Message-ID', async () => {
    const en = request();
    const pt = request({ locale: 'pt-BR' });
    expect(await sendEmailOnce(en, deps)).toBe('sent');
    expect(await sendEmailOnce(pt, deps)).toBe('sent');

    const [english] = await eventually(
      async () => (await messagesTo(env.MAIL_INBOX_URL, en.to)).length === 1 && messagesTo(env.MAIL_INBOX_URL, en.to),
    );
    expect(english!.subject).toBe('Hello Ana <Souza> & co');
    expect(english!.text).toContain('Hello Ana <Souza>,');
    expect(english!.html).toContain('<p>Hello Ana &lt;Souza&gt;,</p>');
    expect(english!.html).toMatch(/<html lang=["']en["']>/);
    expect(english!.headers['message-id']).toBe(messageIdFor('hello', en.requestEventId));
    const [portuguese] = await messagesTo(env.MAIL_INBOX_URL, pt.to);
    expect(portuguese!.subject).toBe('Olá Ana <Souza> & cia');
    expect(portuguese!.text).toContain('Seu código é 42.');
    expect(portuguese!.html).toMatch(/<html lang=["']pt-BR["']>/);

    const rows = await ledger.forRegistration(en.registrationId);
    expect(rows).toMatchObject([
      { kind: 'hello', requestEventId: en.requestEventId, outcome: 'sent', recipient: en.to },
    ]);
  });

  it('when the same request comes again, and three times at once, then one email is sent', async () => {
    const once = request();
    const outcomes = await Promise.all([
      sendEmailOnce(once, deps),
      sendEmailOnce(once, deps),
      sendEmailOnce(once, deps),
    ]);
    expect(outcomes.sort()).toEqual(['already-sent', 'already-sent', 'sent']);
    expect(await sendEmailOnce(once, deps)).toBe('already-sent');
    // A second request for the same registration is another email.
    expect(await sendEmailOnce({ ...once, requestEventId: randomUUID() }, deps)).toBe('sent');
    await eventually(async () => (await messagesTo(env.MAIL_INBOX_URL, once.to)).length >= 2);
    // Give a stray third message the time to arrive before counting: the server has answered every send already.
    expect(await messagesTo(env.MAIL_INBOX_URL, once.to)).toHaveLength(2);
    expect(await ledger.forRegistration(once.registrationId)).toHaveLength(2);
  });

  it('when the SMTP server is down, then the send fails as transient and claims nothing, and a later try sends it', async () => {
    const down = new Mailer(`smtp://127.0.0.1:${await closedPort()}`, 'regflow <no-reply@regflow.local>', logger);
    const req = request();
    try {
      await expect(sendEmailOnce(req, { ...deps, mailer: down })).rejects.toBeInstanceOf(TransientError);
    } finally {
      down.close();
    }
    expect(await ledger.forRegistration(req.registrationId)).toEqual([]);
    expect(await sendEmailOnce(req, deps)).toBe('sent');
    await eventually(async () => (await messagesTo(env.MAIL_INBOX_URL, req.to)).length === 1);
  });

  it('when a registration asks for more than its per-hour limit, then the ones over it are recorded and not sent', async () => {
    const first = request({ perHourLimit: 2 });
    const outcomes: string[] = [];
    for (let i = 0; i < 4; i++) outcomes.push(await sendEmailOnce({ ...first, requestEventId: randomUUID() }, deps));
    expect(outcomes).toEqual(['sent', 'sent', 'rate-limited', 'rate-limited']);
    const rows = await ledger.forRegistration(first.registrationId);
    expect(rows.map((r) => r.outcome)).toEqual(['sent', 'sent', 'rate-limited', 'rate-limited']);
    await eventually(async () => (await messagesTo(env.MAIL_INBOX_URL, first.to)).length === 2);
  });

  it('when a template names a variable the request does not give, then it throws before claiming anything', async () => {
    const req = request({ vars: { name: 'Ana' } });
    await expect(sendEmailOnce(req, deps)).rejects.toThrow(/code/);
    expect(await ledger.forRegistration(req.registrationId)).toEqual([]);
  });

  it('when a kind lacks a locale, then loading the templates fails naming the missing files', () => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'regflow-emails-'));
    fs.cpSync(FIXTURES, folder, { recursive: true });
    fs.rmSync(path.join(folder, 'hello', 'pt-BR', 'html.hbs'));
    expect(() => EmailTemplates.load(folder)).toThrow(/hello\/pt-BR\/html\.hbs/);
    fs.rmSync(folder, { recursive: true, force: true });
  });
});
