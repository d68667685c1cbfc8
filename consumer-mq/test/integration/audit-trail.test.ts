import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import pg from 'pg';
import { createLogger, newId } from '@regflow/common';
import { type ConsumerService } from '../../src/service';
import { StagingStore } from '../../src/data-access/staging-store';
import { signIn } from '../../../test/support/services';
import { createTestAdmin, deleteTestAdmins } from '../../../test/security/support';
import { startConsumerAlone } from '../../../test/support/consumer';

/** What the admin API writes in the audit trail, on the real servers: sign-ins and decisions. */
describe('audit trail of sign-ins and decisions', () => {
  let service: ConsumerService;
  let store: StagingStore;
  let db: pg.Client;
  const emails: string[] = [];

  beforeAll(async () => {
    const env = inject('stackEnv');
    service = await startConsumerAlone({ TRUST_PROXY: 'true' });
    store = await StagingStore.connect(env.REDIS_URL, createLogger('test', 'silent'));
    db = new pg.Client({ connectionString: env.DATABASE_URL });
    await db.connect();
  });

  afterAll(async () => {
    await store?.close();
    await db?.end();
    await service?.stop();
    await deleteTestAdmins(inject('stackEnv').DATABASE_URL, emails);
  });

  const stage = async () => {
    const id = newId();
    const now = new Date().toISOString();
    expect(
      await store.stage({ id, name: 'Audit Test', email: `audit.${id}@example.com`, registeredAt: now, stagedAt: now }),
    ).toBe('staged');
    return id;
  };
  const entries = async (where: string, value: string) =>
    (
      await db.query(
        `select actor, actor_id, action, registration_id, correlation_id, detail from audit_log where ${where} = $1 order by id`,
        [value],
      )
    ).rows as Array<Record<string, unknown>>;

  it('when someone signs in with a wrong password and then the right one, then both are recorded, the failure under the email attempted', async () => {
    const account = await createTestAdmin(inject('stackEnv').DATABASE_URL, 'audit-signin', 'reviewer');
    emails.push(account.email);
    const wrong = await fetch(`${service.url}/admin/session`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-forwarded-for': '198.51.100.77',
        'x-correlation-id': 'audit-wrong',
      },
      body: JSON.stringify({ email: account.email, password: 'not-the-password' }),
    });
    expect(wrong.status).toBe(401);
    const unknown = `nobody.${newId()}@security.test`;
    expect(
      (
        await fetch(`${service.url}/admin/session`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-forwarded-for': '198.51.100.78' },
          body: JSON.stringify({ email: unknown, password: 'whatever-it-is' }),
        })
      ).status,
    ).toBe(401);
    await signIn(service.url, account);

    const [{ id: accountId }] = (await db.query('select id from admins where email = $1', [account.email])).rows as [
      { id: string },
    ];
    expect(await entries('actor', account.email)).toEqual([
      expect.objectContaining({
        action: 'session.sign-in-failed',
        actor_id: accountId,
        detail: { reason: 'wrong-password' },
      }),
      expect.objectContaining({ action: 'session.signed-in', actor_id: accountId, detail: { role: 'reviewer' } }),
    ]);
    expect(await entries('actor', unknown)).toEqual([
      expect.objectContaining({
        action: 'session.sign-in-failed',
        actor_id: null,
        detail: { reason: 'unknown-account' },
      }),
    ]);
  });

  it('when a reviewer decides one, then a batch, then tries one already decided, then each decision and each refused attempt is recorded with who and the request id, never the reason text', async () => {
    const account = await createTestAdmin(inject('stackEnv').DATABASE_URL, 'audit-decide', 'reviewer');
    emails.push(account.email);
    const session = await signIn(service.url, account);
    const [{ id: accountId }] = (await db.query('select id from admins where email = $1', [account.email])).rows as [
      { id: string },
    ];
    const [single, batchA, batchB] = [await stage(), await stage(), await stage()];

    const approved = await fetch(`${service.url}/admin/users/${single}/approve`, {
      method: 'POST',
      headers: { ...session, 'x-correlation-id': 'audit-approve-1' },
    });
    expect(approved.status).toBe(200);
    const batch = await fetch(`${service.url}/admin/decisions`, {
      method: 'POST',
      headers: { ...session, 'content-type': 'application/json', 'x-correlation-id': 'audit-batch-1' },
      body: JSON.stringify({
        ids: [batchA, batchB, single],
        outcome: 'rejected',
        reason: 'CPF of Maria Silva is invalid',
      }),
    });
    expect(batch.status).toBe(200);
    const again = await fetch(`${service.url}/admin/users/${single}/reject`, {
      method: 'POST',
      headers: { ...session, 'content-type': 'application/json', 'x-correlation-id': 'audit-again-1' },
      body: '{}',
    });
    expect(again.status).toBe(409);

    const who = { actor: account.email, actor_id: accountId };
    expect(await entries('registration_id', single)).toEqual([
      {
        ...who,
        action: 'decision.approved',
        registration_id: single,
        correlation_id: 'audit-approve-1',
        detail: { batch: false, reasonGiven: false, reasonShared: false },
      },
      {
        ...who,
        action: 'decision.refused',
        registration_id: single,
        correlation_id: 'audit-batch-1',
        detail: { attempted: 'rejected', batch: true, decidedOutcome: 'approved', decidedBy: account.email },
      },
      {
        ...who,
        action: 'decision.refused',
        registration_id: single,
        correlation_id: 'audit-again-1',
        detail: { attempted: 'rejected', batch: false, decidedOutcome: 'approved', decidedBy: account.email },
      },
    ]);
    for (const id of [batchA, batchB]) {
      expect(await entries('registration_id', id)).toEqual([
        {
          ...who,
          action: 'decision.rejected',
          registration_id: id,
          correlation_id: 'audit-batch-1',
          detail: { batch: true, reasonGiven: true, reasonShared: false },
        },
      ]);
    }
    const all = JSON.stringify(await entries('actor', account.email));
    expect(all).not.toContain('Maria');
  });
});
