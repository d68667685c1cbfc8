import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { linkIn, messagesTo } from '../support/mail-inbox';
import { buildRegistration, eventually, signIn, startServices } from '../support/services';

type Services = Awaited<ReturnType<typeof startServices>>;

/**
 * The applicant's whole journey by email, on the real servers and the real SMTP server: sign up in
 * Portuguese, read the confirmation email, follow its link, get approved, and read the decision email.
 */
describe('the decision, by email, end to end', () => {
  let sys: Services;
  let admin: Record<string, string>;

  beforeAll(async () => {
    sys = await startServices();
    admin = await signIn(sys.consumer.url);
  });

  afterAll(async () => {
    await sys?.stop();
  });

  const emailsTo = (address: string, count: number) =>
    eventually(
      async () => {
        const found = await messagesTo(sys.env.MAIL_INBOX_URL, address);
        return found.length >= count && found;
      },
      90_000,
      `${count} email(s) to ${address}`,
    );

  it('when someone signs up in Portuguese, confirms and is approved, then they read one decision email in Portuguese', async () => {
    const registration = buildRegistration({ name: 'Luísa Andrade' });
    const email = String(registration.email).toLowerCase();
    const res = await fetch(`${sys.access.url}/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'accept-language': 'pt-BR,pt;q=0.9,en;q=0.5' },
      body: JSON.stringify(registration),
    });
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };

    const [confirmation] = await emailsTo(email, 1);
    expect(confirmation!.subject).toBe('Confirme seu e-mail para concluir o cadastro');
    const link = linkIn(confirmation!, `${sys.access.url}/confirmations/`);
    expect(link).toBeDefined();
    expect((await fetch(link!)).status).toBe(200);

    await eventually(
      async () => {
        const page = await fetch(`${sys.consumer.url}/admin/pending?limit=500`, { headers: admin });
        return ((await page.json()) as { items: { id: string }[] }).items.some((i) => i.id === id);
      },
      90_000,
      'the confirmed registration in the review queue',
    );
    const approved = await fetch(`${sys.consumer.url}/admin/users/${id}/approve`, { method: 'POST', headers: admin });
    expect(approved.status).toBe(200);

    const messages = await emailsTo(email, 2);
    const decision = messages.find((m) => m.subject === 'Seu cadastro foi aprovado');
    expect(decision).toBeDefined();
    expect(decision!.text).toContain('Olá, Luísa Andrade,');
    expect(decision!.html).toMatch(/<html lang=["']pt-BR["']>/);
    expect(decision!.headers['message-id']).toBe(`<${id}.decision-approved@regflow>`);
    expect(messages).toHaveLength(2);
  });
});
