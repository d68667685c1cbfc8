import { Writable } from 'node:stream';
import { randomInt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, formatCpf, randomCpf } from '@regflow/common';
import { linkIn, messagesTo } from '../support/mail-inbox';
import { eventually, signIn, startServices } from '../support/services';
import { createTestAdmin, deleteTestAdmins } from './support';

/**
 * The three services log at debug into memory while one person signs up and an admin looks them up and
 * approves them; afterwards no line may hold a secret or a whole piece of personal data.
 */

describe('logs hold no secrets and no whole personal data', () => {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  const logger = (name: string) => createLogger(name, 'debug', sink);
  let stop: () => Promise<void> = async () => {};
  let urls: { access: string; orchestrator: string; consumer: string; inbox: string };
  let admin: { email: string; password: string };
  let databaseUrl: string;

  const tag = `${Date.now().toString(36)}${randomInt(1000)}`;
  const person = {
    name: 'Lia Mascarenhas',
    email: `Lia.Mascarenhas.${tag}@Example.com`,
    cpf: formatCpf(randomCpf()),
    phone: `+55 (21) 9${String(randomInt(10_000_000, 99_999_999))}`,
    note: 'Please review soon',
  };
  const secrets: Record<string, string> = {};

  beforeAll(async () => {
    const sys = await startServices({ LOG_LEVEL: 'debug' }, logger);
    databaseUrl = sys.env.DATABASE_URL;
    urls = {
      access: sys.access.url,
      orchestrator: sys.orchestrator.url,
      consumer: sys.consumer.url,
      inbox: sys.env.MAIL_INBOX_URL,
    };
    stop = sys.stop;
    admin = await createTestAdmin(databaseUrl, 'logs');
  });

  afterAll(async () => {
    await stop();
    if (admin) await deleteTestAdmins(databaseUrl, [admin.email]);
  });

  it('when a person signs up, confirms their email and an admin finds and approves them, then no log line holds a password, session id, CSRF token, confirmation link, or a whole email, CPF or phone number', async () => {
    // A failed sign-in first: the attempt is logged, the password typed must not be.
    const typo = `${admin.password}-typo`;
    expect(
      (
        await fetch(`${urls.consumer}/admin/session`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email: admin.email, password: typo }),
        })
      ).status,
    ).toBe(401);
    const session = await signIn(urls.consumer, admin);

    const posted = await fetch(`${urls.access}/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-correlation-id': `logs-${tag}` },
      body: JSON.stringify(person),
    });
    expect(posted.status).toBe(202);
    const { id } = (await posted.json()) as { id: string };
    // The confirmation email, and its link followed: the token must not be logged either.
    const [email] = await eventually(
      async () => {
        const found = await messagesTo(urls.inbox, person.email);
        return found.length > 0 && found;
      },
      60_000,
      'the confirmation email',
    );
    const link = linkIn(email!, `${urls.access}/confirmations/`)!;
    expect((await fetch(link)).status).toBe(200);
    const token = link.split('/confirmations/')[1]!;
    await eventually(
      async () => {
        const res = await fetch(`${urls.consumer}/admin/users/${id}`, { headers: session });
        return (
          res.status === 200 && Boolean(((await res.json()) as { timeline: { stagedAt?: string } }).timeline.stagedAt)
        );
      },
      60_000,
      'the registration to be staged',
    );

    // What an admin does in the console: the queue, a search by email and by CPF, the detail, approve.
    expect((await fetch(`${urls.consumer}/admin/pending?limit=5`, { headers: session })).status).toBe(200);
    const byEmail = await fetch(`${urls.consumer}/admin/search?q=${encodeURIComponent(person.email)}`, {
      headers: session,
    });
    expect(byEmail.status).toBe(200);
    expect((await fetch(`${urls.orchestrator}/users/search?q=${encodeURIComponent(person.cpf)}`)).status).toBe(200);
    expect((await fetch(`${urls.consumer}/admin/users/${id}`, { headers: session })).status).toBe(200);
    expect(
      (await fetch(`${urls.consumer}/admin/users/${id}/approve`, { method: 'POST', headers: session })).status,
    ).toBe(200);
    await eventually(
      async () => {
        const res = await fetch(`${urls.access}/users/${id}`);
        return res.status === 200 && ((await res.json()) as { status: string }).status === 'approved';
      },
      60_000,
      'the decision to reach the search index',
    );
    expect((await fetch(`${urls.consumer}/admin/session`, { method: 'DELETE', headers: session })).status).toBe(204);
    await stop();
    stop = async () => {};

    Object.assign(secrets, {
      'admin password': admin.password,
      'mistyped password': typo,
      'session id': session.cookie!.split('=')[1]!,
      'CSRF token': session['x-csrf-token']!,
      'confirmation token': token,
      'confirmation token signature': token.split('.')[2]!,
      'applicant email': person.email.toLowerCase(),
      'admin email': admin.email,
      CPF: person.cpf.replace(/\D/g, ''),
      'formatted CPF': person.cpf,
      phone: person.phone.replace(/[^\d+]/g, ''),
      'phone digits': person.phone.replace(/\D/g, ''),
      'formatted phone': person.phone,
    });

    // The capture worked: the flow's own lines are here (so an empty log cannot pass).
    const all = lines.join('\n');
    expect(lines.length).toBeGreaterThan(15);
    expect(all).toContain(id);
    expect(all).toContain(`logs-${tag}`);

    const leaks: string[] = [];
    for (const line of lines) {
      // Compared without case and with percent-encoding undone, so `Lia%40Example.com` counts too.
      let decoded = line;
      try {
        decoded = decodeURIComponent(line);
      } catch {
        // a line with a stray % is compared as it is
      }
      const haystacks = [line.toLowerCase(), decoded.toLowerCase()];
      for (const [what, value] of Object.entries(secrets)) {
        if (haystacks.some((h) => h.includes(value.toLowerCase()))) leaks.push(`${what}: ${line.slice(0, 400)}`);
      }
    }
    expect(leaks).toEqual([]);
  });
});
