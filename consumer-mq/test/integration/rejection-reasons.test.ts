import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import pg from 'pg';
import { createLogger, newId } from '@regflow/common';
import { type ConsumerService } from '../../src/service';
import { StagingStore } from '../../src/data-access/staging-store';
import { signIn } from '../../../test/support/services';
import { startConsumerAlone } from '../../../test/support/consumer';

interface Reason {
  id: string;
  label: string;
  text: string;
  shared: boolean;
  retiredAt?: string;
}

/** The catalogue of rejection reasons and the rejections that use it, on the real Postgres and Redis. */
describe('rejection reasons catalogue', () => {
  let service: ConsumerService;
  let store: StagingStore;
  let db: pg.Client;
  let admin: Record<string, string>;

  const send = (method: string, path: string, body?: unknown) =>
    fetch(`${service.url}${path}`, {
      method,
      headers: { ...admin, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const createReason = async (overrides: Partial<Reason> = {}) => {
    const res = await send('POST', '/admin/reasons', {
      label: `Identity ${newId().slice(-6)}`,
      text: 'We could not verify your identity.',
      shared: true,
      ...overrides,
    });
    expect(res.status).toBe(201);
    return (await res.json()) as Reason;
  };
  const listed = async (query = '') =>
    ((await (await send('GET', `/admin/reasons${query}`)).json()) as { items: Reason[] }).items.map((r) => r.id);
  const staged = async () => {
    const id = newId();
    const now = new Date().toISOString();
    await store.stage({ id, name: 'Reason Test', email: `reason.${id}@example.com`, registeredAt: now, stagedAt: now });
    return id;
  };
  const stored = async (id: string) =>
    (
      await db.query(
        `select reason, reason_shared, catalogue_reason_id, catalogue_reason_label, catalogue_reason_text, catalogue_reason_shared
           from decisions where user_id = $1`,
        [id],
      )
    ).rows;

  beforeAll(async () => {
    const env = inject('stackEnv');
    service = await startConsumerAlone();
    admin = await signIn(service.url);
    store = await StagingStore.connect(env.REDIS_URL, createLogger('test', 'silent'));
    db = new pg.Client({ connectionString: env.DATABASE_URL });
    await db.connect();
  });

  afterAll(async () => {
    await store?.close();
    await db?.end();
    await service?.stop();
  });

  it('when an admin creates, edits and retires a reason, then the list follows, retired ones only on request, and each change is audited', async () => {
    const reason = await createReason();
    expect(await listed()).toContain(reason.id);

    const edited = await send('PATCH', `/admin/reasons/${reason.id}`, { text: 'Your documents did not match.' });
    expect(edited.status).toBe(200);
    expect(await edited.json()).toMatchObject({ id: reason.id, text: 'Your documents did not match.', shared: true });

    const retired = (await (await send('PATCH', `/admin/reasons/${reason.id}`, { retired: true })).json()) as Reason;
    expect(retired.retiredAt).toBeDefined();
    expect(await listed()).not.toContain(reason.id);
    expect(await listed('?include=retired')).toContain(reason.id);

    const { rows } = await db.query(
      `select action, detail->>'reasonId' as reason from audit_log where detail->>'reasonId' = $1 order by id`,
      [reason.id],
    );
    expect(rows.map((r: { action: string }) => r.action)).toEqual([
      'reason.created',
      'reason.updated',
      'reason.retired',
    ]);
  });

  it('when a rejection names a catalogue reason, then the decision keeps its id and its text at that time, beside the free text; a later edit of the reason does not change it', async () => {
    const reason = await createReason({ shared: false });
    const id = await staged();
    const res = await send('POST', `/admin/users/${id}/reject`, {
      reasonId: reason.id,
      reason: 'Two accounts with one CPF',
      shareReason: true,
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      status: 'rejected',
      reason: 'Two accounts with one CPF',
      catalogueReason: { id: reason.id, label: reason.label, text: reason.text, shared: false },
    });
    await send('PATCH', `/admin/reasons/${reason.id}`, { text: 'Changed afterwards.', retired: true });

    expect(await stored(id)).toEqual([
      {
        reason: 'Two accounts with one CPF',
        reason_shared: true,
        catalogue_reason_id: reason.id,
        catalogue_reason_label: reason.label,
        catalogue_reason_text: 'We could not verify your identity.',
        catalogue_reason_shared: false,
      },
    ]);
    const detail = (await (await send('GET', `/admin/users/${id}`)).json()) as { decision: unknown };
    expect(detail.decision).toMatchObject({ catalogueReason: { id: reason.id, text: reason.text } });
  });

  it('when the batch rejects with a catalogue reason, then every decision keeps it', async () => {
    const reason = await createReason();
    const ids = [await staged(), await staged()];
    const res = await send('POST', '/admin/decisions', { ids, outcome: 'rejected', reasonId: reason.id });
    expect(res.status).toBe(200);
    for (const id of ids) expect((await stored(id))[0]).toMatchObject({ catalogue_reason_id: reason.id, reason: null });
  });

  it('when the reason is retired, unknown or for an approval, or the catalogue entry is invalid, then 400 names the field and nothing is decided', async () => {
    const retired = await createReason();
    await send('PATCH', `/admin/reasons/${retired.id}`, { retired: true });
    const id = await staged();
    for (const body of [{ reasonId: retired.id }, { reasonId: newId() }, { reasonId: 'nope' }]) {
      const res = await send('POST', `/admin/users/${id}/reject`, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(((await res.json()) as { errors: { field: string }[] }).errors.map((e) => e.field)).toEqual(['reasonId']);
    }
    const approve = await send('POST', '/admin/decisions', { ids: [id], outcome: 'approved', reasonId: retired.id });
    expect(approve.status).toBe(400);
    expect(await stored(id)).toEqual([]);
    expect(await store.get(id)).not.toBeNull();

    for (const body of [
      { label: '', text: 'x', shared: true },
      { label: 'x', text: 'x' },
      { label: 'x', text: 'a\u0000', shared: true },
    ]) {
      expect((await send('POST', '/admin/reasons', body)).status, JSON.stringify(body)).toBe(400);
    }
    expect((await send('PATCH', `/admin/reasons/${retired.id}`, {})).status).toBe(400);
    const missing = await send('PATCH', `/admin/reasons/${newId()}`, { shared: false });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ code: 'REASON.NOT_FOUND' });
  });
});
