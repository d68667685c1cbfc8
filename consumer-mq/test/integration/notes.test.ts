import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import pg from 'pg';
import { createLogger, newId } from '@regflow/common';
import { type ConsumerService } from '../../src/service';
import { StagingStore } from '../../src/data-access/staging-store';
import { ADMIN, signIn } from '../../../test/support/services';
import { createTestAdmin, deleteTestAdmins } from '../../../test/security/support';
import { capturingLogger, startConsumerAlone } from '../../../test/support/consumer';

interface Note {
  id: string;
  author: string;
  body: string;
  createdAt: string;
  editedAt?: string;
}

/** Reviewers' notes through the admin API, on the real Postgres and Redis. */
describe('registration notes', () => {
  let service: ConsumerService;
  let store: StagingStore;
  let db: pg.Client;
  let admin: Record<string, string>;
  let other: { email: string; headers: Record<string, string> };
  const lines: Array<Record<string, unknown>> = [];

  const post = (path: string, body: unknown, headers = admin, method = 'POST') =>
    fetch(`${service.url}${path}`, {
      method,
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const detail = async (id: string) =>
    (await (await fetch(`${service.url}/admin/users/${id}`, { headers: admin })).json()) as { notes: Note[] };
  const auditOf = async (registrationId: string) =>
    (
      await db.query<{ actor: string; action: string; detail: unknown }>(
        'select actor, action, detail from audit_log where registration_id = $1 order by id',
        [registrationId],
      )
    ).rows;
  const staged = async () => {
    const id = newId();
    const now = new Date().toISOString();
    expect(
      await store.stage({ id, name: 'Notes Test', email: `notes.${id}@example.com`, registeredAt: now, stagedAt: now }),
    ).toBe('staged');
    return id;
  };

  beforeAll(async () => {
    const env = inject('stackEnv');
    service = await startConsumerAlone({}, capturingLogger('consumer-mq', lines));
    admin = await signIn(service.url);
    const account = await createTestAdmin(env.DATABASE_URL, 'notes');
    other = { email: account.email, headers: await signIn(service.url, account) };
    store = await StagingStore.connect(env.REDIS_URL, createLogger('test', 'silent'));
    db = new pg.Client({ connectionString: env.DATABASE_URL });
    await db.connect();
  });

  afterAll(async () => {
    await store?.close();
    await db?.end();
    await service?.stop();
    if (other) await deleteTestAdmins(inject('stackEnv').DATABASE_URL, [other.email]);
  });

  it('when a reviewer writes a note, then it is stored with who and when, answered 201, listed in the detail, and logged', async () => {
    const id = await staged();
    const before = Date.now();
    const res = await post(`/admin/users/${id}/notes`, { body: '  Called the applicant: CPF confirmed.  ' });
    expect(res.status).toBe(201);
    const note = (await res.json()) as Note;
    expect(note).toMatchObject({ author: ADMIN.email, body: 'Called the applicant: CPF confirmed.' });
    expect(note.editedAt).toBeUndefined();
    expect(Date.parse(note.createdAt)).toBeGreaterThanOrEqual(before - 1000);

    const { rows } = await db.query('select author, body from registration_notes where registration_id = $1', [id]);
    expect(rows).toEqual([{ author: ADMIN.email, body: 'Called the applicant: CPF confirmed.' }]);

    const second = (await (await post(`/admin/users/${id}/notes`, { body: 'Second.' }, other.headers)).json()) as Note;
    expect((await detail(id)).notes.map((n) => [n.id, n.author])).toEqual([
      [note.id, ADMIN.email],
      [second.id, other.email],
    ]);
    expect(lines.find((l) => l.noteId === note.id)).toMatchObject({ registrationId: id, res: { statusCode: 201 } });
    expect(await auditOf(id)).toEqual([
      { actor: ADMIN.email, action: 'note.added', detail: { noteId: note.id } },
      { actor: other.email, action: 'note.added', detail: { noteId: second.id } },
    ]);
  });

  it('when its author edits a note, then the body changes and editedAt is set; when someone else tries, then 403 NOTE.NOT_AUTHOR and nothing changes', async () => {
    const id = await staged();
    const note = (await (await post(`/admin/users/${id}/notes`, { body: 'First draft.' })).json()) as Note;

    const refused = await post(`/admin/users/${id}/notes/${note.id}`, { body: 'Hijacked.' }, other.headers, 'PATCH');
    expect(refused.status).toBe(403);
    expect(refused.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(await refused.json()).toMatchObject({ code: 'NOTE.NOT_AUTHOR', author: ADMIN.email });
    expect((await detail(id)).notes[0]).toMatchObject({ body: 'First draft.' });

    const edited = await post(`/admin/users/${id}/notes/${note.id}`, { body: 'Final.' }, admin, 'PATCH');
    expect(edited.status).toBe(200);
    const after = (await edited.json()) as Note;
    expect(after).toMatchObject({ id: note.id, body: 'Final.', createdAt: note.createdAt });
    expect(Date.parse(after.editedAt!)).toBeGreaterThanOrEqual(Date.parse(note.createdAt));
    expect((await detail(id)).notes).toEqual([after]);
    // The refused attempt left no entry; the edit one, without the note's text.
    expect((await auditOf(id)).map((e) => e.action)).toEqual(['note.added', 'note.edited']);
    expect(JSON.stringify(await auditOf(id))).not.toContain('Final.');
  });

  it('when the note is empty, not plain text, or the ids are unknown, then a problem names the field', async () => {
    const id = await staged();
    for (const body of [
      { body: '   ' },
      { body: 'a\u0000b' },
      { body: 'x'.repeat(2001) },
      {},
      { body: 'ok', extra: 1 },
    ]) {
      const res = await post(`/admin/users/${id}/notes`, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      const problem = (await res.json()) as { errors: Array<{ field: string }> };
      expect(problem.errors.length).toBeGreaterThan(0);
    }
    const empty = (await (await post(`/admin/users/${id}/notes`, { body: '' })).json()) as {
      errors: Array<{ field: string }>;
    };
    expect(empty.errors.map((e) => e.field)).toContain('body');

    expect((await post(`/admin/users/not-a-uuid/notes`, { body: 'x' })).status).toBe(400);
    // Unknown everywhere: not staged, not decided, and the index (an unreachable orchestrator) says 503.
    expect((await post(`/admin/users/${newId()}/notes`, { body: 'x' })).status).toBe(503);
    const missing = await post(`/admin/users/${id}/notes/${newId()}`, { body: 'x' }, admin, 'PATCH');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ code: 'NOTE.NOT_FOUND' });
    expect((await db.query('select 1 from registration_notes where registration_id = $1', [id])).rowCount).toBe(0);
    expect(await auditOf(id)).toEqual([]);
  });

  it('when the CSRF token is missing or there is no session, then the note is refused (403, 401)', async () => {
    const id = await staged();
    const { 'x-csrf-token': _t, ...cookieOnly } = admin;
    expect((await post(`/admin/users/${id}/notes`, { body: 'x' }, cookieOnly)).status).toBe(403);
    expect((await post(`/admin/users/${id}/notes`, { body: 'x' }, {})).status).toBe(401);
  });
});
