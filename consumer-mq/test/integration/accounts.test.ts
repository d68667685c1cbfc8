import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import pg from 'pg';
import { newId } from '@regflow/common';
import { type ConsumerService } from '../../src/service';
import { eventually, signIn } from '../../../test/support/services';
import { linkIn, messagesTo } from '../../../test/support/mail-inbox';
import { createTestAdmin, deleteTestAdmins } from '../../../test/security/support';
import { startConsumerAlone } from '../../../test/support/consumer';

const CONSOLE = 'http://console.test.local';

/**
 * Admin management on the real servers: invite by email (the link really sent over SMTP), set the
 * password once, disable and enable, reset, change the role; each ends the person's sessions at once
 * where it says so, and each is in the audit trail.
 */
describe('managing the people who use the console', () => {
  let service: ConsumerService;
  let db: pg.Client;
  const emails: string[] = [];

  beforeAll(async () => {
    const env = inject('stackEnv');
    service = await startConsumerAlone({ CONSOLE_ORIGIN: CONSOLE });
    db = new pg.Client({ connectionString: env.DATABASE_URL });
    await db.connect();
  });

  afterAll(async () => {
    await db?.end();
    await service?.stop();
    await deleteTestAdmins(inject('stackEnv').DATABASE_URL, emails);
  });

  const post = (path: string, headers: Record<string, string>, body?: unknown) =>
    fetch(`${service.url}${path}`, {
      method: 'POST',
      headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const linkFor = async (address: string, count: number) => {
    const messages = await eventually(
      async () => {
        const all = await messagesTo(inject('stackEnv').MAIL_INBOX_URL, address);
        return all.length >= count ? all : undefined;
      },
      15_000,
      `email ${count} to ${address}`,
    );
    const link = linkIn(messages[count - 1]!, `${CONSOLE}/set-password?token=`);
    expect(link).toBeDefined();
    return decodeURIComponent(new URL(link!).searchParams.get('token')!);
  };
  const alive = async (session: Record<string, string>) =>
    (await fetch(`${service.url}/admin/session`, { headers: session })).status;

  it('when an admin invites, disables, enables, resets and promotes a reviewer, then each works as said, ends sessions where it should, and is audited', async () => {
    const adminAccount = await createTestAdmin(inject('stackEnv').DATABASE_URL, 'accounts-admin', 'admin');
    emails.push(adminAccount.email);
    const admin = await signIn(service.url, adminAccount);
    const person = `invited.${newId().slice(0, 8)}@security.test`;
    emails.push(person);

    // Invite: the account exists, cannot sign in yet, and a set-password link is emailed.
    const invited = await post('/admin/accounts', admin, { email: person.toUpperCase(), role: 'reviewer' });
    expect(invited.status).toBe(201);
    const { id } = (await invited.json()) as { id: string };
    expect((await post('/admin/accounts', admin, { email: person, role: 'admin' })).status).toBe(409);
    const token = await linkFor(person, 1);

    const weak = await post('/admin/password', {}, { token, password: 'short' });
    expect(weak.status).toBe(400);
    expect(await weak.json()).toMatchObject({ errors: [{ field: 'password' }] });
    const password = 'Invited-Passw0rd!';
    expect((await post('/admin/password', {}, { token, password })).status).toBe(204);
    // Used: the link works once.
    expect((await post('/admin/password', {}, { token, password: 'Another-Passw0rd!' })).status).toBe(410);
    expect((await post('/admin/password', {}, { token: 'v1.forged.token', password })).status).toBe(410);

    const first = await signIn(service.url, { email: person, password });
    const second = await signIn(service.url, { email: person, password });
    expect(await (await fetch(`${service.url}/admin/session`, { headers: first })).json()).toMatchObject({
      role: 'reviewer',
    });
    const list = (await (await fetch(`${service.url}/admin/accounts`, { headers: admin })).json()) as {
      items: Array<{ id: string; email: string; role: string; disabled: boolean }>;
    };
    expect(list.items).toContainEqual(
      expect.objectContaining({ id, email: person, role: 'reviewer', disabled: false }),
    );

    // Disable: both sessions end at once, and signing in is refused like a wrong password.
    const disabled = await post(`/admin/accounts/${id}/disable`, admin);
    expect(await disabled.json()).toEqual({ sessionsEnded: 2 });
    expect(await alive(first)).toBe(401);
    expect(await alive(second)).toBe(401);
    await expect(signIn(service.url, { email: person, password })).rejects.toThrow(/401/);

    // Enable: the same password works again.
    expect((await post(`/admin/accounts/${id}/enable`, admin)).status).toBe(200);
    const third = await signIn(service.url, { email: person, password });

    // Reset: the session ends, the old password stops working, and a new link sets a new one.
    expect(await (await post(`/admin/accounts/${id}/reset-password`, admin)).json()).toEqual({ sessionsEnded: 1 });
    expect(await alive(third)).toBe(401);
    await expect(signIn(service.url, { email: person, password })).rejects.toThrow(/401/);
    const resetToken = await linkFor(person, 2);
    const newPassword = 'Reset-Passw0rd!!';
    expect((await post('/admin/password', {}, { token: resetToken, password: newPassword })).status).toBe(204);
    const fourth = await signIn(service.url, { email: person, password: newPassword });

    // Promote: the session carrying the old role ends; the next one is an admin's.
    const promoted = await fetch(`${service.url}/admin/accounts/${id}/role`, {
      method: 'PUT',
      headers: { ...admin, 'content-type': 'application/json' },
      body: JSON.stringify({ role: 'admin' }),
    });
    expect(await promoted.json()).toEqual({ sessionsEnded: 1 });
    expect(await alive(fourth)).toBe(401);
    const promotedSession = await signIn(service.url, { email: person, password: newPassword });
    expect((await fetch(`${service.url}/admin/accounts`, { headers: promotedSession })).status).toBe(200);

    // An admin cannot lock themselves out.
    const [{ id: adminId }] = (await db.query('select id from admins where email = $1', [adminAccount.email])).rows as [
      { id: string },
    ];
    expect((await post(`/admin/accounts/${adminId}/disable`, admin)).status).toBe(409);

    const { rows } = await db.query(
      "select actor, action, detail from audit_log where detail->>'accountId' = $1 or (actor = $2 and action = 'account.password-set') order by id",
      [id, person],
    );
    expect(rows.map((r: { action: string }) => r.action)).toEqual([
      'account.invited',
      'account.password-set',
      'account.disabled',
      'account.enabled',
      'account.password-reset',
      'account.password-set',
      'account.role-changed',
    ]);
    expect(rows.filter((r: { actor: string }) => r.actor === adminAccount.email)).toHaveLength(5);
    expect(rows.find((r: { action: string }) => r.action === 'account.role-changed').detail).toMatchObject({
      from: 'reviewer',
      to: 'admin',
    });
  });

  it('when the service crashed between disabling an account and ending its sessions, then its restart ends them', async () => {
    const person = await createTestAdmin(inject('stackEnv').DATABASE_URL, 'crash-disabled', 'reviewer');
    emails.push(person.email);
    const session = await signIn(service.url, person);
    // The disable's first half only, as a crash would leave it: the flag set, the session not ended.
    await db.query('update admins set disabled_at = now() where email = $1', [person.email]);
    expect(await alive(session)).toBe(200);

    await service.stop();
    service = await startConsumerAlone({ CONSOLE_ORIGIN: CONSOLE });
    expect(await alive(session)).toBe(401);
  });
});
