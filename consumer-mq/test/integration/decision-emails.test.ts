import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import pg from 'pg';
import { TOPICS, createLogger, newId, type Logger } from '@regflow/common';
import { createKafka, type Kafka } from '@regflow/common/kafka';
import { createContext } from '../../../scripts/stack/servers/context';
import { startMail, type MailServer } from '../../../scripts/stack/servers/mail';
import { freePort } from '../../../scripts/stack/lib/net';
import type { ManagedProcess } from '../../../scripts/stack/lib/processes';
import { REPO_ROOT } from '../../../scripts/stack/stack';
import { loadConsumerConfig, EMAIL_TEMPLATES_FOLDER } from '../../src/config';
import { createDatabase } from '../../src/data-access/db/database';
import { DecisionsRepository } from '../../src/data-access/decisions-repository';
import { EmailTemplates } from '../../src/data-access/email-templates';
import { Mailer } from '../../src/data-access/mailer';
import { SentEmailsRepository } from '../../src/data-access/sent-emails-repository';
import { StagingStore } from '../../src/data-access/staging-store';
import { decisionEvent } from '../../src/domain/decide-registration';
import { sendDecisionEmail } from '../../src/domain/send-decision-email';
import { messageIdFor } from '../../src/domain/send-email-once';
import { DECISION_EMAILS_GROUP } from '../../src/entry-points/decision-emails.kafka';
import { startConsumer, type ConsumerService } from '../../src/service';
import { committedToEnd } from '../../../test/support/kafka';
import { messagesTo, type InboxMessage } from '../../../test/support/mail-inbox';
import { ADMIN, buildRegistration, eventually, signIn, startServices } from '../../../test/support/services';

/**
 * The decision emails on the real servers: registrations go through the real pipeline (access API,
 * Kafka, the orchestrator and its index, ActiveMQ, staging; confirmation off), consumer-mq decides
 * through its admin API, its outbox relays the decision to Kafka, its decision-email listener sends
 * through a real SMTP server (a maildev of this file's own, so that it can be stopped and started again
 * on the same ports), and the inbox is read back through maildev's HTTP API. Every decision here is of
 * an indexed registration, so the orchestrator's decisions group applies them at once (a decision of
 * a registration never indexed would hold its partition through eight retries).
 */
describe('decision emails', () => {
  const env = inject('stackEnv');
  const mailDir = fs.mkdtempSync(path.join(os.tmpdir(), 'regflow-decision-mail-'));
  const procs: ManagedProcess[] = [];
  const ctx = createContext({
    dataDir: mailDir,
    repoRoot: REPO_ROOT,
    log: () => undefined,
    track: (p) => procs.push(p),
  });
  const lines: Array<Record<string, unknown>> = [];
  let ports: { smtp: number; web: number };
  let mail: MailServer;
  let sys: Awaited<ReturnType<typeof startServices>>;
  let service: ConsumerService;
  let admin: Record<string, string>;
  let store: StagingStore;
  let pool: pg.Pool;
  let decisions: DecisionsRepository;
  let kafka: Kafka;
  let logger: Logger;

  /** consumer-mq again, as startServices started it (a restart). */
  const startService = async () =>
    startConsumer(
      loadConsumerConfig({
        ...sys.env,
        ORCHESTRATOR_URL: sys.orchestrator.url,
        PUBLIC_ACCESS_API_URL: sys.access.url,
        ADMIN_EMAIL: ADMIN.email,
        ADMIN_PASSWORD: ADMIN.password,
      }),
      logger,
    );

  beforeAll(async () => {
    ports = { smtp: await freePort(), web: await freePort() };
    mail = await startMail(ctx, ports);
    const destination = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const line of chunk.toString().split('\n'))
          if (line) lines.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    });
    logger = createLogger('consumer-mq', 'info', destination);
    const silent = createLogger('test', 'silent');
    sys = await startServices(
      { EMAIL_CONFIRMATION: 'off', SMTP_URL: mail.SMTP_URL, RECONCILE_INTERVAL_SECONDS: '0' },
      (name) => (name === 'consumer-mq' ? logger : silent),
    );
    service = sys.consumer;
    admin = await signIn(service.url);
    store = await StagingStore.connect(env.REDIS_URL, createLogger('test', 'silent'));
    const database = createDatabase(env.DATABASE_URL, createLogger('test', 'silent'));
    pool = database.pool;
    decisions = new DecisionsRepository(database.db);
    kafka = createKafka({ clientId: 'decision-emails-test', brokers: env.KAFKA_BROKERS.split(','), logger });
  });

  afterAll(async () => {
    await Promise.allSettled([sys?.access.stop(), sys?.orchestrator.stop(), service?.stop()]);
    await store?.close();
    await pool?.end();
    await Promise.allSettled(procs.map((p) => p.stop()));
    fs.rmSync(mailDir, { recursive: true, force: true });
  });

  /** Someone who signed up in their language and is now in the review queue (the real pipeline). */
  async function staged(locale: 'en' | 'pt-BR', name = 'Joana Decisão') {
    const registration = buildRegistration({ name });
    const res = await fetch(`${sys.access.url}/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'accept-language': locale === 'pt-BR' ? 'pt-BR,pt;q=0.9' : 'en' },
      body: JSON.stringify(registration),
    });
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    const user = await eventually(() => store.get(id), 90_000, `${id} staged for review`);
    return { ...user, correlationId: user.correlationId! };
  }

  const post = (url: string, body?: unknown) =>
    fetch(`${service.url}${url}`, {
      method: 'POST',
      headers: { ...admin, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  const inbox = (address: string) => messagesTo(mail.MAIL_INBOX_URL, address);
  const oneEmail = async (address: string, timeoutMs = 45_000): Promise<InboxMessage> =>
    (await eventually(async () => (await inbox(address))[0], timeoutMs, `an email to ${address}`))!;
  /** The positive signal that the listener has handled every decision event so far. */
  const caughtUp = () => committedToEnd(kafka, DECISION_EMAILS_GROUP, TOPICS.registrationDecided);
  const ledger = () => new SentEmailsRepository(pool);

  it('when an admin approves, then the applicant gets exactly one email, in their language, in plain text and HTML', async () => {
    const user = await staged('pt-BR');
    expect((await post(`/admin/users/${user.id}/approve`)).status).toBe(200);

    const email = await oneEmail(user.email);
    expect(email.subject).toBe('Seu cadastro foi aprovado');
    expect(email.text).toContain('Olá, Joana Decisão,');
    expect(email.text).toContain('seu cadastro foi analisado e aprovado');
    expect(email.html).toMatch(/<html lang=["']pt-BR["']>/);
    expect(email.html).toContain('<p>Olá, Joana Decisão,</p>');
    expect(email.headers['message-id']).toBe(messageIdFor('decision-approved', user.id));
    expect(email.headers['x-correlation-id']).toBe(user.correlationId);

    await caughtUp();
    expect(await inbox(user.email)).toHaveLength(1);
    expect(await ledger().forRegistration(user.id)).toMatchObject([
      { kind: 'decision-approved', requestEventId: user.id, recipient: user.email, locale: 'pt-BR', outcome: 'sent' },
    ]);
    // And it is counted.
    expect(await (await fetch(`${service.url}/metrics`)).text()).toMatch(
      /emails_total\{kind="decision-approved",outcome="sent",service="consumer-mq"\} [1-9]/,
    );
  });

  it('when an admin rejects and shares the reason, then the email quotes it; unshared, then it does not', async () => {
    const shared = await staged('en', 'Ana Shared');
    const unshared = await staged('en', 'Ana Unshared');
    const reason = 'The document photo is unreadable <please resend>';
    const res = await post(`/admin/users/${shared.id}/reject`, { reason, shareReason: true });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'rejected', reason, reasonShared: true });
    // The batch endpoint, with the default (not shared).
    const batch = await post('/admin/decisions', { ids: [unshared.id], outcome: 'rejected', reason });
    expect(await batch.json()).toMatchObject({ results: [{ id: unshared.id, ok: true }] });

    const withReason = await oneEmail(shared.email);
    expect(withReason.subject).toBe('About your registration');
    expect(withReason.text).toContain('was not approved');
    expect(withReason.text).toContain(reason);
    expect(withReason.html).toContain('The document photo is unreadable &lt;please resend&gt;');

    const withoutReason = await oneEmail(unshared.email);
    expect(withoutReason.text).toContain('was not approved');
    expect(withoutReason.text).not.toContain('unreadable');
    expect(withoutReason.html).not.toContain('unreadable');
    expect(withoutReason.text).not.toContain("reviewer's reason");

    // The admin sees whether it was shared.
    const detail = (await (await fetch(`${service.url}/admin/users/${unshared.id}`, { headers: admin })).json()) as {
      decision: { reason: string; reasonShared: boolean };
    };
    expect(detail.decision).toMatchObject({ reason, reasonShared: false });
  });

  it('when shareReason is not a boolean, then the answer is a problem naming the field and nothing is decided', async () => {
    const user = await staged('en');
    const res = await post(`/admin/users/${user.id}/reject`, { reason: 'x', shareReason: 'yes' });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
    const body = (await res.json()) as { errors: Array<{ field: string }> };
    expect(body.errors.map((e) => e.field)).toContain('shareReason');
    expect(await store.get(user.id)).not.toBeNull();
  });

  it('when the decision event comes again (redelivered, re-announced, after a restart) or replicas race, then one email is sent', async () => {
    const user = await staged('en');
    expect((await post(`/admin/users/${user.id}/approve`)).status).toBe(200);
    await oneEmail(user.email);
    const { rows } = await pool.query<{ value: string; headers: Record<string, string> }>(
      'select value, headers from outbox where key = $1',
      [user.id],
    );
    expect(rows).toHaveLength(1);

    // A restart of the service, then the same record again and the decision re-announced under a new
    // event id (what reconciliation does).
    await service.stop();
    service = await startService();
    admin = await signIn(service.url);
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: TOPICS.registrationDecided,
      messages: [{ key: user.id, value: rows[0]!.value, headers: rows[0]!.headers }],
    });
    await producer.disconnect();
    const stored = (await decisions.find(user.id))!;
    await decisions.enqueue(decisionEvent(stored, `reconcile-${newId()}`));
    await eventually(async () => {
      const { rows: left } = await pool.query('select 1 from outbox where key = $1 and published_at is null', [
        user.id,
      ]);
      return left.length === 0;
    });
    await caughtUp();

    // Three replicas handling the same event at once.
    const deps = {
      templates: EmailTemplates.load(EMAIL_TEMPLATES_FOLDER),
      mailer: new Mailer(mail.SMTP_URL, 'regflow <no-reply@regflow.local>', logger),
      ledger: ledger(),
      decisions,
      logger,
    };
    const event = JSON.parse(rows[0]!.value) as Parameters<typeof sendDecisionEmail>[0];
    try {
      expect(await Promise.all([1, 2, 3].map(() => sendDecisionEmail(event, deps)))).toEqual([
        'already-sent',
        'already-sent',
        'already-sent',
      ]);
    } finally {
      deps.mailer.close();
    }

    expect(await inbox(user.email)).toHaveLength(1);
    expect(await ledger().forRegistration(user.id)).toHaveLength(1);
  });

  it('when a decision is recorded and three replicas race its listener for the email, then one is sent', async () => {
    const user = await staged('en');
    const decidedAt = new Date().toISOString();
    const decision = { userId: user.id, outcome: 'approved' as const, decidedBy: ADMIN.email, decidedAt };
    const outboxEvent = decisionEvent(decision, user.correlationId!);
    const { correlationId: _c, ...registration } = user;
    expect(await decisions.record(decision, registration, outboxEvent, user.correlationId)).toEqual({ won: true });
    await store.unstage(user.id, 'approved');
    const deps = {
      templates: EmailTemplates.load(EMAIL_TEMPLATES_FOLDER),
      mailer: new Mailer(mail.SMTP_URL, 'regflow <no-reply@regflow.local>', logger),
      ledger: ledger(),
      decisions,
      logger,
    };
    const event = JSON.parse(outboxEvent.value) as Parameters<typeof sendDecisionEmail>[0];
    let outcomes: string[];
    try {
      outcomes = await Promise.all([1, 2, 3].map(() => sendDecisionEmail(event, deps)));
    } finally {
      deps.mailer.close();
    }
    await caughtUp();
    // The listener (a fourth racer, through the outbox) may have won: then all three found its row.
    expect(outcomes.filter((o) => o === 'sent').length).toBeLessThanOrEqual(1);
    expect(outcomes.every((o) => o === 'sent' || o === 'already-sent')).toBe(true);
    await oneEmail(user.email);
    expect(await inbox(user.email)).toHaveLength(1);
    expect(await ledger().forRegistration(user.id)).toHaveLength(1);
  });

  it('when the SMTP server is down, then nothing is recorded as sent, and the email goes out once it is back', async () => {
    const mailProc = procs.find((p) => p.spec.name === 'mail')!;
    await mailProc.stop();
    procs.splice(procs.indexOf(mailProc), 1);
    const user = await staged('pt-BR', 'Carla Sem Servidor');
    const retriesBefore = lines.filter((l) => l.msg === 'record failed; pausing partition before retry').length;
    expect((await post(`/admin/users/${user.id}/reject`, { reason: 'CPF divergente', shareReason: true })).status).toBe(
      200,
    );
    // The positive signal that the listener tried and will try again: its retry, logged.
    await eventually(
      async () => lines.filter((l) => l.msg === 'record failed; pausing partition before retry').length > retriesBefore,
      45_000,
      'the listener to retry the email while SMTP is down',
    );
    expect(await ledger().forRegistration(user.id)).toEqual([]);

    mail = await startMail(ctx, ports);
    const email = await oneEmail(user.email, 60_000);
    expect(email.subject).toBe('Sobre o seu cadastro');
    expect(email.text).toContain('Motivo informado pela equipe de análise:');
    expect(email.text).toContain('CPF divergente');
    await caughtUp();
    expect(await inbox(user.email)).toHaveLength(1);
    expect(await ledger().forRegistration(user.id)).toMatchObject([{ kind: 'decision-rejected', outcome: 'sent' }]);
  });

  it('when a poisoned decision event arrives, then it is dead-lettered by this listener and the next decision on its partition is emailed', async () => {
    const user = await staged('en');
    const marker = `poison-${newId()}`;
    const producer = kafka.producer();
    await producer.connect();
    const [sent] = await producer.send({
      topic: TOPICS.registrationDecided,
      // Keyed like the decision after it: the same partition.
      messages: [{ key: user.id, value: JSON.stringify({ type: 'UserRegistrationDecided', version: 1, marker }) }],
    });
    await producer.disconnect();
    // This listener dead-letters it (its log says where from; the orchestrator's group does too, quietly
    // here), and consumer-mq archives the dead letter once whichever group sent it first.
    const deadLettered = await eventually(
      async () =>
        lines.find(
          (l) =>
            l.msg === 'record dead-lettered' &&
            l.topic === TOPICS.registrationDecided &&
            l.partition === sent!.partition &&
            l.offset === sent!.baseOffset,
        ),
      30_000,
      'the decision-email listener to dead-letter the poisoned event',
    );
    expect(JSON.stringify(deadLettered.err)).toMatch(/schema/);
    const origin = `${TOPICS.registrationDecided}/${sent!.partition}/${sent!.baseOffset}`;
    const archived = await eventually(
      async () => {
        const { rows } = await pool.query<{ reason: string; payload: string }>(
          `select reason, payload from dead_letters where origin = $1`,
          [origin],
        );
        return rows[0];
      },
      30_000,
      'the poisoned decision event archived',
    );
    expect(archived.payload).toContain(marker);
    expect(archived.reason).toMatch(/schema/);

    expect((await post(`/admin/users/${user.id}/approve`)).status).toBe(200);
    expect((await oneEmail(user.email)).subject).toBe('Your registration has been approved');
  });
});
