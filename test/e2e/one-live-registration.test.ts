import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRegistration, eventually, signIn, startServices, warmUp } from '../support/services';

type Services = Awaited<ReturnType<typeof startServices>>;

describe('one person, one live registration', () => {
  let sys: Services;
  let admin: Record<string, string>;

  const post = async (body: unknown) => {
    const res = await fetch(`${sys.access.url}/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(202);
    return ((await res.json()) as { id: string }).id;
  };
  const statusOf = (id: string) =>
    eventually(
      async () => {
        const res = await fetch(`${sys.access.url}/users/${id}`);
        return res.status === 200 ? ((await res.json()) as { status: string }).status : null;
      },
      45_000,
      `status of ${id}`,
    );
  const pendingIds = async () => {
    const res = await fetch(`${sys.consumer.url}/admin/pending?limit=500`, { headers: admin });
    return ((await res.json()) as { items: { id: string }[] }).items.map((i) => i.id);
  };

  beforeAll(async () => {
    sys = await startServices({ EMAIL_CONFIRMATION: 'off' });
    admin = await signIn(sys.consumer.url);
    await warmUp(sys, admin);
  });

  afterAll(async () => {
    await sys?.stop();
  });

  it('when the same email signs up again (in another case), then the later one is duplicate and never queued', async () => {
    const first = buildRegistration();
    const a = await post(first);
    expect(await statusOf(a)).toBe('pending');
    const b = await post({ ...first, email: first.email.toUpperCase(), name: 'Someone Else' });
    expect(await statusOf(b)).toBe('duplicate');
    await eventually(async () => (await pendingIds()).includes(a), 5000, 'first staged');
    expect(await pendingIds()).not.toContain(b);
  });

  it('when eight sign-ups with one email arrive at the same instant, then exactly one is pending', async () => {
    const same = buildRegistration();
    const ids = await Promise.all(Array.from({ length: 8 }, () => post(same)));
    const statuses = await Promise.all(ids.map(statusOf));
    expect(statuses.filter((s) => s === 'pending')).toHaveLength(1);
    expect(statuses.filter((s) => s === 'duplicate')).toHaveLength(7);
  });

  it('when two emails share one CPF at the same instant, then exactly one is pending', async () => {
    const cpf = '111.444.777-35';
    const ids = await Promise.all([post(buildRegistration({ cpf })), post(buildRegistration({ cpf }))]);
    const statuses = (await Promise.all(ids.map(statusOf))).sort();
    expect(statuses).toEqual(['duplicate', 'pending']);
    // Reject the live one so other tests (and re-runs) may use this CPF again.
    const pendingId = (await statusOf(ids[0]!)) === 'pending' ? ids[0]! : ids[1]!;
    await eventually(async () => (await pendingIds()).includes(pendingId), 5000, 'staged');
    const res = await fetch(`${sys.consumer.url}/admin/users/${pendingId}/reject`, {
      method: 'POST',
      headers: { ...admin, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(res.status).toBe(200);
  });

  it('when a rejected person signs up again, then the new registration is pending', async () => {
    const person = buildRegistration();
    const first = await post(person);
    await eventually(async () => (await pendingIds()).includes(first), 5000, 'staged');
    const res = await fetch(`${sys.consumer.url}/admin/users/${first}/reject`, {
      method: 'POST',
      headers: { ...admin, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(res.status).toBe(200);
    await eventually(async () => (await statusOf(first)) === 'rejected', 45_000, 'search to show rejected');

    const again = await post(person);
    expect(await statusOf(again)).toBe('pending');
  });
});
