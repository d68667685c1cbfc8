import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  HEADERS,
  TOPICS,
  createLogger,
  newId,
  signConfirmationToken,
  type UserEmailConfirmed,
  type UserRegistrationRequested,
} from '@regflow/common';
import { createKafka, type Kafka } from '@regflow/common/kafka';
import { loadAccessApiConfig } from '../../access-api/src/config';
import { startAccessApi } from '../../access-api/src/service';
import { loadConsumerConfig } from '../../consumer-mq/src/config';
import { startConsumer } from '../../consumer-mq/src/service';
import { freePort } from '../../scripts/stack/lib/net';
import type { ManagedProcess } from '../../scripts/stack/lib/processes';
import { REPO_ROOT } from '../../scripts/stack/lib/repo-root';
import { createContext } from '../../scripts/stack/servers/context';
import { startMail } from '../../scripts/stack/servers/mail';
import { committedToEnd } from '../support/kafka';
import { linkIn, messagesTo, type InboxMessage } from '../support/mail-inbox';
import { ADMIN, EMAIL_TOKEN_SECRET, buildRegistration, eventually, signIn, startServices } from '../support/services';

type Services = Awaited<ReturnType<typeof startServices>>;
const logger = createLogger('email-confirmation-test', 'silent');

/** Sign-up, the email, the link and what follows, on the real servers: Kafka, Elasticsearch, ActiveMQ, Redis, Postgres, and the real SMTP server whose inbox is read over its HTTP API. */
describe('email confirmation before review, end to end', () => {
  let sys: Services;
  let admin: Record<string, string>;
  let kafka: Kafka;

  const signUp = async (overrides: Record<string, unknown> = {}, headers: Record<string, string> = {}) => {
    const registration = buildRegistration(overrides);
    const res = await fetch(`${sys.access.url}/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(registration),
    });
    expect(res.status).toBe(202);
    const body = (await res.json()) as { id: string; status: string };
    return { ...body, email: String(registration.email).toLowerCase() };
  };
  const inbox = (email: string) => messagesTo(sys.env.MAIL_INBOX_URL, email);
  const emailsTo = (email: string, count = 1) =>
    eventually(
      async () => {
        const found = await inbox(email);
        return found.length >= count && found;
      },
      60_000,
      `${count} email(s) to ${email}`,
    );
  const linkOf = (message: InboxMessage) => linkIn(message, `${sys.access.url}/confirmations/`)!;
  const statusOf = async (id: string) => {
    const res = await fetch(`${sys.access.url}/users/${id}`);
    return res.status === 200 ? ((await res.json()) as { status: string }).status : `http ${res.status}`;
  };
  const waitForStatus = (id: string, status: string) =>
    eventually(async () => (await statusOf(id)) === status, 60_000, `${id} to be ${status}`);
  const pendingIds = async () => {
    const res = await fetch(`${sys.consumer.url}/admin/pending?limit=500`, { headers: admin });
    return ((await res.json()) as { items: { id: string }[] }).items.map((i) => i.id);
  };
  const page = async (url: string, init: RequestInit = {}) => {
    const res = await fetch(url, { redirect: 'manual', ...init });
    return { status: res.status, type: res.headers.get('content-type') ?? '', html: await res.text(), res };
  };
  const publish = async (key: string, event: object) => {
    const producer = kafka.producer();
    await producer.connect();
    try {
      await producer.send({
        topic: TOPICS.registrationRequested,
        messages: [
          {
            key,
            value: JSON.stringify(event),
            headers: { [HEADERS.eventType]: String((event as { type?: string }).type) },
          },
        ],
      });
    } finally {
      await producer.disconnect();
    }
  };

  beforeAll(async () => {
    sys = await startServices();
    admin = await signIn(sys.consumer.url);
    kafka = createKafka({ clientId: 'email-confirmation-test', brokers: sys.env.KAFKA_BROKERS.split(','), logger });
  });

  afterAll(async () => {
    await sys?.stop();
  });

  it('when someone signs up, then they are unconfirmed, get one email in English with a link, and following it sends them to review; the link again says already confirmed', async () => {
    const { id, status, email } = await signUp({}, { 'accept-language': 'en-GB,en;q=0.9' });
    expect(status).toBe('unconfirmed');
    await waitForStatus(id, 'unconfirmed');

    const [message] = await emailsTo(email);
    expect(message!.subject).toBe('Confirm your email to finish signing up');
    expect(message!.text).toContain('To confirm it and send your registration');
    expect(message!.html).toMatch(/<a\s[^>]*href=["']http:\/\/127\.0\.0\.1:\d+\/confirmations\/v1\./);
    expect(message!.headers['message-id']).toMatch(/^<[0-9a-f-]{36}\.confirmation@regflow>$/);
    // Not in review before the link is followed.
    expect(await pendingIds()).not.toContain(id);

    const confirmed = await page(linkOf(message!));
    expect(confirmed.status).toBe(200);
    expect(confirmed.type).toContain('text/html');
    expect(confirmed.html).toContain('Email confirmed');
    expect(confirmed.res.headers.get('cache-control')).toBe('no-store');

    await waitForStatus(id, 'pending');
    await eventually(async () => (await pendingIds()).includes(id), 60_000, 'the confirmed registration to be staged');

    const again = await page(linkOf(message!));
    expect(again.status).toBe(200);
    expect(again.html).toContain('Already confirmed');
    await committedToEnd(kafka, 'consumer-mq-emails', TOPICS.registrationRequested);
    expect(await inbox(email)).toHaveLength(1);
  });

  it('when a Portuguese speaker signs up, then the email and the page are in Portuguese', async () => {
    const { id, email } = await signUp({}, { 'accept-language': 'pt-BR,pt;q=0.9,en;q=0.5' });
    const [message] = await emailsTo(email);
    expect(message!.subject).toBe('Confirme seu e-mail para concluir o cadastro');
    expect(message!.text).toContain('Para confirmá-lo e enviar seu');
    expect(message!.html).toMatch(/<html lang=["']pt-BR["']>/);
    expect(message!.html).toContain('Confirmar meu e-mail');
    const confirmed = await page(linkOf(message!), { headers: { 'accept-language': 'pt-PT' } });
    expect(confirmed.html).toContain('E-mail confirmado');
    expect(confirmed.html).toContain('<html lang="pt-BR">');
    await waitForStatus(id, 'pending');
  });

  it('when the link is tampered with, then the page says it is not valid (400, no stack trace) and nothing is confirmed', async () => {
    const { id, email } = await signUp();
    const [message] = await emailsTo(email);
    const link = linkOf(message!);
    const [base, token] = link.split('/confirmations/') as [string, string];
    const [v, payload, sig] = token.split('.') as [string, string, string];
    const forged = signConfirmationToken(
      { userId: id, email, expiresAt: Date.now() + 3_600_000, nonce: newId() },
      'not-the-secret-but-long-enough-0123456789',
    );
    for (const bad of [
      `${v}.${payload}.${sig.slice(0, -2)}AA`,
      `${v}.${payload.slice(0, -2)}xx.${sig}`,
      forged,
      'nonsense',
      '%F0%9F%92%A9',
    ]) {
      const answer = await page(`${base}/confirmations/${bad}`);
      expect(answer.status, bad).toBe(400);
      expect(answer.html).toContain('This link is not valid');
      expect(answer.html).not.toMatch(/Error|at \w+ \(/);
    }
    expect(await statusOf(id)).toBe('unconfirmed');
  });

  it('when a link has expired but the registration has not, then the page offers a new link, and asking for it sends a second email whose link works', async () => {
    const { id, email } = await signUp();
    await emailsTo(email);
    await waitForStatus(id, 'unconfirmed');
    // Signed with the services' secret, as consumer-mq signs them, with an expiry in the past.
    const expired = signConfirmationToken(
      { userId: id, email, expiresAt: Date.now() - 60_000, nonce: newId() },
      EMAIL_TOKEN_SECRET,
    );
    const answer = await page(`${sys.access.url}/confirmations/${expired}`);
    expect(answer.status).toBe(410);
    expect(answer.html).toContain('This link has expired');
    const action = /<form method="post" action="([^"]+)"/.exec(answer.html)?.[1];
    expect(action).toBe(`/confirmations/${expired}/resend`);
    expect(await statusOf(id)).toBe('unconfirmed');

    const resent = await page(`${sys.access.url}${action}`, { method: 'POST' });
    expect(resent.status).toBe(202);
    expect(resent.html).toContain('A new link is on its way');
    const messages = await emailsTo(email, 2);
    expect(linkOf(messages[1]!)).not.toBe(linkOf(messages[0]!));
    expect((await page(linkOf(messages[1]!))).html).toContain('Email confirmed');
    await waitForStatus(id, 'pending');
  });

  it('when the email is asked for again too often, then the API answers 429 with Retry-After, and the sender holds its own limit', async () => {
    const { id, email } = await signUp();
    await waitForStatus(id, 'unconfirmed');
    const resend = () => fetch(`${sys.access.url}/users/${id}/confirmation-email`, { method: 'POST' });
    for (let i = 0; i < 3; i++) {
      const res = await resend();
      expect(res.status).toBe(202);
      expect(await res.json()).toEqual({ id, status: 'unconfirmed' });
    }
    const limited = await resend();
    expect(limited.status).toBe(429);
    expect(limited.headers.get('content-type')).toContain('application/problem+json');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    // The sign-up's email and the three resends: four, within the sender's limit of five an hour.
    await emailsTo(email, 4);

    // Resend requests straight on the topic (as other replicas of the access API would add them): the
    // sender stops at five emails an hour for the registration.
    const registration = (await (await fetch(`${sys.orchestrator.url}/users/${id}`)).json()) as { name: string };
    for (let i = 0; i < 3; i++)
      await publish(email, {
        type: 'ConfirmationEmailRequested',
        version: 1,
        eventId: newId(),
        occurredAt: new Date().toISOString(),
        correlationId: `resend-${i}`,
        data: { userId: id, name: registration.name, email, locale: 'en', requestedAt: new Date().toISOString() },
      });
    await committedToEnd(kafka, 'consumer-mq-emails', TOPICS.registrationRequested);
    expect(await inbox(email)).toHaveLength(5);
    // Counted too: the two over the limit (only this test reaches it, in this consumer-mq).
    const metrics = await (await fetch(`${sys.consumer.url}/metrics`)).text();
    expect(metrics).toMatch(/^emails_total\{kind="confirmation",outcome="rate-limited",service="consumer-mq"\} 2$/m);
    expect(metrics).toMatch(/^emails_total\{kind="confirmation",outcome="sent",service="consumer-mq"\} \d+$/m);

    const unknown = await fetch(`${sys.access.url}/users/${newId()}/confirmation-email`, { method: 'POST' });
    expect(unknown.status).toBe(404);
  });

  it('when an unconfirmed registration holds an email, then another sign-up with it is not blocked, and the one confirmed first wins', async () => {
    const first = await signUp();
    const second = await signUp({ email: first.email });
    const [a, b] = await emailsTo(first.email, 2);
    await waitForStatus(first.id, 'unconfirmed');
    await waitForStatus(second.id, 'unconfirmed');
    const linkFor = (id: string) => [a!, b!].map(linkOf).find((l) => tokenUser(l) === id)!;
    expect((await page(linkFor(second.id))).html).toContain('Email confirmed');
    await waitForStatus(second.id, 'pending');
    expect((await page(linkFor(first.id))).html).toContain('Email confirmed');
    await waitForStatus(first.id, 'duplicate');
    expect((await fetch(`${sys.access.url}/users/${second.id}/confirmation-email`, { method: 'POST' })).status).toBe(
      409,
    );
  });

  it('when a registration was not confirmed in time, then it reads expired, its link says so, and a late confirmation changes nothing', async () => {
    const id = newId();
    const email = `late.${id}@example.com`;
    const registeredAt = new Date(Date.now() - 72 * 3_600_000).toISOString();
    const requested: UserRegistrationRequested = {
      type: 'UserRegistrationRequested',
      version: 1,
      eventId: newId(),
      occurredAt: registeredAt,
      correlationId: `late-${id}`,
      data: { id, name: 'Late Applicant', email, registeredAt, locale: 'en', emailConfirmation: 'required' },
    };
    await publish(email, requested);
    await waitForStatus(id, 'expired');
    const link = signConfirmationToken(
      { userId: id, email, expiresAt: Date.now() + 3_600_000, nonce: newId() },
      EMAIL_TOKEN_SECRET,
    );
    const answer = await page(`${sys.access.url}/confirmations/${link}`);
    expect(answer.status).toBe(410);
    expect(answer.html).toContain('This registration has expired');
    // A confirmation for it on the topic anyway (one clicked just before the status changed): refused.
    const late: UserEmailConfirmed = {
      type: 'UserEmailConfirmed',
      version: 1,
      eventId: newId(),
      occurredAt: new Date().toISOString(),
      correlationId: `late-${id}`,
      data: { userId: id, email, linkNonce: newId(), confirmedAt: new Date().toISOString() },
    };
    await publish(email, late);
    await committedToEnd(kafka, 'orchestrator-registrations', TOPICS.registrationRequested);
    expect(await statusOf(id)).toBe('expired');
    expect(await pendingIds()).not.toContain(id);
    // It held no claim: the same email signs up and goes through.
    const again = await signUp({ email });
    const messages = await emailsTo(email, 1);
    expect((await page(linkOf(messages[messages.length - 1]!))).html).toContain('Email confirmed');
    await waitForStatus(again.id, 'pending');
  });

  it('when the same registration event is delivered again, then no second email is sent', async () => {
    const id = newId();
    const email = `again.${id}@example.com`;
    const registeredAt = new Date().toISOString();
    const requested: UserRegistrationRequested = {
      type: 'UserRegistrationRequested',
      version: 1,
      eventId: newId(),
      occurredAt: registeredAt,
      correlationId: `again-${id}`,
      data: { id, name: 'Twice Delivered', email, registeredAt, locale: 'en', emailConfirmation: 'required' },
    };
    await publish(email, requested);
    await publish(email, requested);
    await committedToEnd(kafka, 'consumer-mq-emails', TOPICS.registrationRequested);
    expect(await inbox(email)).toHaveLength(1);
  });

  it('when a poisoned event reaches the email consumer, then it is dead-lettered with the reason and the next email on its partition still goes out', async () => {
    const marker = `poison-${newId()}`;
    const key = `poison.${newId()}@example.com`;
    await publish(key, { type: 'SomethingElseEntirely', version: 1, marker });
    const found = await readDeadLetter(kafka, marker, 'consumer-mq-emails');
    expect(found.headers['dlq-error']).toMatch(/PoisonMessageError/);
    // Same key, same partition: the registration after the poison is handled.
    const after = await signUp({ email: key });
    await emailsTo(after.email);
  });

  it('when the operator sets a redirect URL, then the link answers 303 there with its status and id', async () => {
    const redirecting = await startAccessApi(
      loadAccessApiConfig({
        ...sys.env,
        PORT: '0',
        EMAIL_TOKEN_SECRET,
        CONFIRMATION_REDIRECT_URL: 'https://example.com/welcome?from=regflow',
        ORCHESTRATOR_URL: sys.orchestrator.url,
      }),
      logger,
    );
    try {
      const { id, email } = await signUp();
      const [message] = await emailsTo(email);
      const token = linkOf(message!).split('/confirmations/')[1]!;
      const answer = await page(`${redirecting.url}/confirmations/${token}`);
      expect(answer.status).toBe(303);
      const target = new URL(answer.res.headers.get('location')!);
      expect(target.origin + target.pathname).toBe('https://example.com/welcome');
      expect(Object.fromEntries(target.searchParams)).toEqual({ from: 'regflow', status: 'confirmed', id });
      await waitForStatus(id, 'pending');
      const invalid = await page(`${redirecting.url}/confirmations/nonsense`);
      expect(invalid.status).toBe(303);
      expect(new URL(invalid.res.headers.get('location')!).searchParams.get('status')).toBe('invalid');
    } finally {
      await redirecting.stop();
    }
  });

  it('when confirmation is off, then a sign-up is pending at once, goes to review and gets no email', async () => {
    const off = await startAccessApi(
      loadAccessApiConfig({
        ...sys.env,
        PORT: '0',
        EMAIL_TOKEN_SECRET,
        EMAIL_CONFIRMATION: 'off',
        ORCHESTRATOR_URL: sys.orchestrator.url,
      }),
      logger,
    );
    try {
      const registration = buildRegistration();
      const res = await fetch(`${off.url}/users`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(registration),
      });
      expect(res.status).toBe(202);
      const { id, status } = (await res.json()) as { id: string; status: string };
      expect(status).toBe('pending');
      await eventually(async () => (await pendingIds()).includes(id), 60_000, 'staged without confirmation');
      await committedToEnd(kafka, 'consumer-mq-emails', TOPICS.registrationRequested);
      expect(await inbox(String(registration.email).toLowerCase())).toEqual([]);
    } finally {
      await off.stop();
    }
  });
});

/** The user id a confirmation link is for (read from the token's payload, as the test signed nothing). */
function tokenUser(link: string): string {
  const payload = link.split('/confirmations/')[1]!.split('.')[1]!;
  return (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { u: string }).u;
}

/** Reads the dead-letter topic from the start until the record holding `marker` dead-lettered by `group`. */
async function readDeadLetter(
  kafka: Kafka,
  marker: string,
  group: string,
): Promise<{ headers: Record<string, string> }> {
  const consumer = kafka.consumer({ groupId: `email-test-dlq-${newId()}` });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic: TOPICS.deadLetter, fromBeginning: true });
    return await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no dead letter from ${group} holding ${marker}`)), 60_000);
      void consumer.run({
        eachMessage: async ({ message }) => {
          const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]));
          if (message.value?.toString().includes(marker) && headers['dlq-consumer-group'] === group) {
            clearTimeout(timer);
            resolve({ headers });
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
}

/**
 * The SMTP server down at sign-up, then up: nothing is lost, the email goes out once it is back, and a
 * restarted consumer-mq sends no second one. The services' SMTP_URL names a port where nothing listens
 * until the test starts a mail server of its own there.
 */
describe('email confirmation while the SMTP server is down', () => {
  let sys: Services;
  let restarted: Awaited<ReturnType<typeof startConsumer>> | undefined;
  let kafka: Kafka;
  let smtpPort: number;
  let webPort: number;
  const procs: ManagedProcess[] = [];
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'regflow-mail-down-'));
  /** consumer-mq's warnings: the positive signal that a send failed while the server was down. */
  const warnings: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      warnings.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });

  beforeAll(async () => {
    smtpPort = await freePort();
    webPort = await freePort();
    sys = await startServices({ SMTP_URL: `smtp://127.0.0.1:${smtpPort}` }, (name) =>
      createLogger(name, name === 'consumer-mq' ? 'warn' : 'silent', sink),
    );
    kafka = createKafka({ clientId: 'email-down-test', brokers: sys.env.KAFKA_BROKERS.split(','), logger });
  });

  afterAll(async () => {
    await restarted?.stop();
    await sys?.stop();
    await Promise.all(procs.map((p) => p.stop()));
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('when the SMTP server comes back, then the email goes out once, and a restart of consumer-mq sends no second one', async () => {
    const registration = buildRegistration();
    const email = String(registration.email).toLowerCase();
    const res = await fetch(`${sys.access.url}/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(registration),
    });
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    await eventually(async () => (await fetch(`${sys.access.url}/users/${id}`)).status === 200, 60_000, 'indexed');
    // The email consumer has tried and failed: it retries with backoff, holding the record.
    await eventually(
      async () => warnings.some((line) => line.includes('SMTP server did not take the email')),
      60_000,
      'a failed send while the SMTP server is down',
    );

    const ctx = createContext({ dataDir, repoRoot: REPO_ROOT, log: () => undefined, track: (p) => procs.push(p) });
    const mail = await startMail(ctx, { smtp: smtpPort, web: webPort });
    const [message] = await eventually(
      async () => {
        const found = await messagesTo(mail.MAIL_INBOX_URL, email);
        return found.length > 0 && found;
      },
      60_000,
      'the email once the SMTP server is back',
    );
    expect(message!.subject).toBe('Confirm your email to finish signing up');

    // consumer-mq restarted (a new process would do the same: its group's offsets and the sent_emails ledger are all it has).
    await sys.consumer.stop();
    restarted = await startConsumer(
      loadConsumerConfig({
        ...sys.env,
        ORCHESTRATOR_URL: sys.orchestrator.url,
        PUBLIC_ACCESS_API_URL: sys.access.url,
        ADMIN_EMAIL: ADMIN.email,
        ADMIN_PASSWORD: ADMIN.password,
      }),
      logger,
    );
    await committedToEnd(kafka, 'consumer-mq-emails', TOPICS.registrationRequested);
    expect(await messagesTo(mail.MAIL_INBOX_URL, email)).toHaveLength(1);
  });
});
