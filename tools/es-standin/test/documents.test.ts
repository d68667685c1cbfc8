import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { expectResponseError, startHarness, USERS_MAPPINGS, type Harness } from './fixture';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});

afterAll(async () => {
  await h.close();
});

beforeEach(async () => {
  await h.client.indices.delete({ index: 'users', ignore_unavailable: true });
});

const user = (id: string, name: string, extra: Record<string, unknown> = {}) => ({
  id,
  name,
  email: `${id}@example.com`,
  status: 'pending',
  registeredAt: '2025-01-01T10:00:00.000Z',
  ...extra,
});

describe('index management', () => {
  it('when an index is created with mappings, then it exists and its mapping reads back', async () => {
    expect(await h.client.indices.exists({ index: 'users' })).toBe(false);
    const created = await h.client.indices.create({
      index: 'users',
      settings: { number_of_shards: 1, number_of_replicas: 0 },
      mappings: USERS_MAPPINGS,
    });
    expect(created).toEqual({ acknowledged: true, shards_acknowledged: true, index: 'users' });
    expect(await h.client.indices.exists({ index: 'users' })).toBe(true);

    const mapping = await h.client.indices.getMapping({ index: 'users' });
    expect(mapping.users?.mappings.dynamic).toBe('strict');
    expect(mapping.users?.mappings.properties?.status).toEqual({ type: 'keyword' });
    expect(mapping.users?.mappings.properties?.name).toEqual({ type: 'text', fields: { keyword: { type: 'keyword' } } });
  });

  it('when the index already exists, then creating it again fails with resource_already_exists_exception', async () => {
    await h.client.indices.create({ index: 'users', mappings: USERS_MAPPINGS });
    const err = await expectResponseError(() => h.client.indices.create({ index: 'users' }));
    expect(err.statusCode).toBe(400);
    expect(err.body).toMatchObject({
      error: {
        type: 'resource_already_exists_exception',
        root_cause: [{ type: 'resource_already_exists_exception', index: 'users' }],
        index: 'users',
      },
      status: 400,
    });
  });

  it('when a mapping has an unknown field type, then index creation fails with mapper_parsing_exception', async () => {
    const err = await expectResponseError(() =>
      h.client.indices.create({ index: 'users', mappings: { properties: { name: { type: 'txt' as 'text' } } } }),
    );
    expect(err.statusCode).toBe(400);
    expect((err.body as { error: { type: string; reason: string } }).error).toMatchObject({
      type: 'mapper_parsing_exception',
      reason: 'No handler for type [txt] declared on field [name]',
    });
  });

  it('when an index is deleted, then later reads answer index_not_found_exception', async () => {
    await h.client.indices.create({ index: 'users' });
    await h.client.indices.delete({ index: 'users' });
    const err = await expectResponseError(() => h.client.get({ index: 'users', id: '1' }));
    expect(err.statusCode).toBe(404);
    expect(err.body).toMatchObject({
      error: { type: 'index_not_found_exception', reason: 'no such index [users]', index: 'users' },
      status: 404,
    });
  });

  it('when a document has a field the strict mapping lacks, then indexing fails with strict_dynamic_mapping_exception', async () => {
    await h.client.indices.create({ index: 'users', mappings: USERS_MAPPINGS });
    const err = await expectResponseError(() => h.client.index({ index: 'users', id: 'u1', document: { ...user('u1', 'Ana'), nickname: 'A' } }));
    expect(err.statusCode).toBe(400);
    expect((err.body as { error: { type: string } }).error.type).toBe('strict_dynamic_mapping_exception');
  });

  it('when a date field receives garbage, then indexing fails with document_parsing_exception', async () => {
    await h.client.indices.create({ index: 'users', mappings: USERS_MAPPINGS });
    const err = await expectResponseError(() =>
      h.client.index({ index: 'users', id: 'u1', document: user('u1', 'Ana', { registeredAt: 'yesterday' }) }),
    );
    expect(err.statusCode).toBe(400);
    expect((err.body as { error: { type: string; reason: string } }).error.type).toBe('document_parsing_exception');
  });

  it('when documents go to an index that does not exist, then it is auto-created with dynamic mapping', async () => {
    await h.client.index({ index: 'users', id: 'u1', document: { name: 'Ana', registeredAt: '2025-01-01T00:00:00Z', age: 30 } });
    const mapping = await h.client.indices.getMapping({ index: 'users' });
    expect(mapping.users?.mappings.properties).toEqual({
      age: { type: 'long' },
      name: { type: 'text', fields: { keyword: { type: 'keyword', ignore_above: 256 } } },
      registeredAt: { type: 'date' },
    });
  });
});

describe('single-document writes', () => {
  beforeEach(async () => {
    await h.client.indices.create({ index: 'users', mappings: USERS_MAPPINGS });
  });

  it('when a document is indexed, then a real-time get returns it without a refresh', async () => {
    const res = await h.client.index({ index: 'users', id: 'u1', document: user('u1', 'Ana') });
    expect(res).toMatchObject({ _index: 'users', _id: 'u1', _version: 1, result: 'created', _seq_no: 0, _primary_term: 1 });
    expect(res._shards).toEqual({ total: 2, successful: 1, failed: 0 });

    const got = await h.client.get({ index: 'users', id: 'u1' });
    expect(got).toMatchObject({ _index: 'users', _id: 'u1', _version: 1, _seq_no: 0, _primary_term: 1, found: true });
    expect(got._source).toEqual(user('u1', 'Ana'));
  });

  it('when a document is indexed twice, then the second write is an update with the next version', async () => {
    await h.client.index({ index: 'users', id: 'u1', document: user('u1', 'Ana') });
    const second = await h.client.index({ index: 'users', id: 'u1', document: user('u1', 'Ana Maria'), refresh: 'wait_for' });
    expect(second).toMatchObject({ result: 'updated', _version: 2, _seq_no: 1 });
  });

  it('when create is used for an id that exists, then it fails with a 409 version_conflict_engine_exception', async () => {
    const first = await h.client.create({ index: 'users', id: 'u1', document: user('u1', 'Ana') });
    expect(first.result).toBe('created');
    const err = await expectResponseError(() => h.client.create({ index: 'users', id: 'u1', document: user('u1', 'Other') }));
    expect(err.statusCode).toBe(409);
    expect(err.body).toEqual({
      error: {
        root_cause: [
          {
            type: 'version_conflict_engine_exception',
            reason: '[u1]: version conflict, document already exists (current version [1])',
            index_uuid: expect.any(String),
            shard: '0',
            index: 'users',
          },
        ],
        type: 'version_conflict_engine_exception',
        reason: '[u1]: version conflict, document already exists (current version [1])',
        index_uuid: expect.any(String),
        shard: '0',
        index: 'users',
      },
      status: 409,
    });
    const got = await h.client.get<{ name: string }>({ index: 'users', id: 'u1' });
    expect(got._source?.name).toBe('Ana');
  });

  it('when op_type=create is passed to the index API for an existing id, then it also answers 409', async () => {
    await h.client.index({ index: 'users', id: 'u1', document: user('u1', 'Ana') });
    const err = await expectResponseError(() =>
      h.client.index({ index: 'users', id: 'u1', document: user('u1', 'Ana'), op_type: 'create' }),
    );
    expect(err.statusCode).toBe(409);
  });

  it('when if_seq_no does not match the stored document, then the write fails with 409 and nothing changes', async () => {
    const first = await h.client.index({ index: 'users', id: 'u1', document: user('u1', 'Ana') });
    await h.client.index({ index: 'users', id: 'u1', document: user('u1', 'Ana B') });
    const err = await expectResponseError(() =>
      h.client.index({
        index: 'users',
        id: 'u1',
        document: user('u1', 'Stale'),
        if_seq_no: first._seq_no,
        if_primary_term: first._primary_term,
      }),
    );
    expect(err.statusCode).toBe(409);
    expect((err.body as { error: { reason: string } }).error.reason).toBe(
      '[u1]: version conflict, required seqNo [0], primary term [1]. current document has seqNo [1] and primary term [1]',
    );
    const got = await h.client.get<{ name: string }>({ index: 'users', id: 'u1' });
    expect(got._source?.name).toBe('Ana B');
  });

  it('when if_seq_no matches, then the conditional write succeeds', async () => {
    const first = await h.client.index({ index: 'users', id: 'u1', document: user('u1', 'Ana') });
    const res = await h.client.index({
      index: 'users',
      id: 'u1',
      document: user('u1', 'Ana C'),
      if_seq_no: first._seq_no,
      if_primary_term: first._primary_term,
    });
    expect(res).toMatchObject({ result: 'updated', _version: 2 });
  });

  it('when if_seq_no is sent without if_primary_term, then the request fails validation', async () => {
    const err = await expectResponseError(() =>
      h.client.transport.request({ method: 'PUT', path: '/users/_doc/u1', querystring: { if_seq_no: 0 }, body: user('u1', 'Ana') }),
    );
    expect(err.statusCode).toBe(400);
    expect(err.body).toMatchObject({
      error: { type: 'action_request_validation_exception', reason: 'Validation Failed: 1: ifSeqNo is set, but primary term is [0];' },
    });
  });

  it('when a partial update changes a field, then the result is updated and the source is merged', async () => {
    await h.client.index({ index: 'users', id: 'u1', document: user('u1', 'Ana') });
    const res = await h.client.update({ index: 'users', id: 'u1', doc: { status: 'approved', decidedAt: '2025-01-02T00:00:00Z' } });
    expect(res).toMatchObject({ result: 'updated', _version: 2, _seq_no: 1 });
    const got = await h.client.get<Record<string, unknown>>({ index: 'users', id: 'u1' });
    expect(got._source).toEqual({ ...user('u1', 'Ana'), status: 'approved', decidedAt: '2025-01-02T00:00:00Z' });
  });

  it('when a partial update changes nothing, then the result is noop and the version stays', async () => {
    await h.client.index({ index: 'users', id: 'u1', document: user('u1', 'Ana') });
    const res = await h.client.update({ index: 'users', id: 'u1', doc: { status: 'pending' } });
    expect(res).toMatchObject({ result: 'noop', _version: 1, _seq_no: 0 });
    expect(res._shards).toEqual({ total: 0, successful: 0, failed: 0 });
  });

  it('when updating a missing document without upsert, then it fails with 404 document_missing_exception', async () => {
    const err = await expectResponseError(() => h.client.update({ index: 'users', id: 'nope', doc: { status: 'approved' } }));
    expect(err.statusCode).toBe(404);
    expect(err.body).toMatchObject({
      error: { type: 'document_missing_exception', reason: '[nope]: document missing', index: 'users', shard: '0' },
      status: 404,
    });
  });

  it('when doc_as_upsert targets a missing document, then it is created from the doc', async () => {
    const res = await h.client.update({ index: 'users', id: 'u2', doc: user('u2', 'Bia'), doc_as_upsert: true });
    expect(res).toMatchObject({ result: 'created', _version: 1 });
    const got = await h.client.get<{ name: string }>({ index: 'users', id: 'u2' });
    expect(got._source?.name).toBe('Bia');
  });

  it('when upsert is given with doc, then a missing document gets the upsert body and an existing one the doc', async () => {
    const created = await h.client.update({ index: 'users', id: 'u3', doc: { status: 'approved' }, upsert: user('u3', 'Caio') });
    expect(created.result).toBe('created');
    expect((await h.client.get<{ status: string }>({ index: 'users', id: 'u3' }))._source?.status).toBe('pending');
    const updated = await h.client.update({ index: 'users', id: 'u3', doc: { status: 'approved' }, upsert: user('u3', 'Caio') });
    expect(updated.result).toBe('updated');
    expect((await h.client.get<{ status: string }>({ index: 'users', id: 'u3' }))._source?.status).toBe('approved');
  });

  it('when an update carries a stale if_seq_no, then it fails with 409', async () => {
    await h.client.index({ index: 'users', id: 'u1', document: user('u1', 'Ana') });
    await h.client.update({ index: 'users', id: 'u1', doc: { status: 'approved' } });
    const err = await expectResponseError(() =>
      h.client.update({ index: 'users', id: 'u1', doc: { status: 'rejected' }, if_seq_no: 0, if_primary_term: 1 }),
    );
    expect(err.statusCode).toBe(409);
    expect((err.body as { error: { type: string } }).error.type).toBe('version_conflict_engine_exception');
  });

  it('when retry_on_conflict is combined with if_seq_no, then the update is rejected like ES does', async () => {
    await h.client.index({ index: 'users', id: 'u1', document: user('u1', 'Ana') });
    const err = await expectResponseError(() =>
      h.client.update({ index: 'users', id: 'u1', doc: { status: 'x' }, if_seq_no: 0, if_primary_term: 1, retry_on_conflict: 3 }),
    );
    expect(err.statusCode).toBe(400);
    expect((err.body as { error: { reason: string } }).error.reason).toContain('compare and write operations can not be retried');
  });

  it('when a document is missing, then get answers found:false with 404 and exists answers false', async () => {
    const err = await expectResponseError(() => h.client.get({ index: 'users', id: 'ghost' }));
    expect(err.statusCode).toBe(404);
    expect(err.body).toEqual({ _index: 'users', _id: 'ghost', found: false });
    expect(await h.client.exists({ index: 'users', id: 'ghost' })).toBe(false);
    await h.client.index({ index: 'users', id: 'ghost', document: user('ghost', 'Gil') });
    expect(await h.client.exists({ index: 'users', id: 'ghost' })).toBe(true);
  });

  it('when a document is deleted and re-created, then versions continue and deleting again answers not_found', async () => {
    await h.client.index({ index: 'users', id: 'u1', document: user('u1', 'Ana') });
    const del = await h.client.delete({ index: 'users', id: 'u1' });
    expect(del).toMatchObject({ result: 'deleted', _version: 2 });
    const again = await expectResponseError(() => h.client.delete({ index: 'users', id: 'u1' }));
    expect(again.statusCode).toBe(404);
    expect(again.body).toMatchObject({ result: 'not_found', _id: 'u1' });
    const recreated = await h.client.index({ index: 'users', id: 'u1', document: user('u1', 'Ana') });
    expect(recreated).toMatchObject({ result: 'created', _version: 4 });
  });
});

describe('bulk', () => {
  beforeEach(async () => {
    await h.client.indices.create({ index: 'users', mappings: USERS_MAPPINGS });
  });

  it('when a bulk mixes index, create, update and delete, then each item reports its own outcome', async () => {
    await h.client.index({ index: 'users', id: 'dup', document: user('dup', 'Dup') });
    const res = await h.client.bulk({
      refresh: true,
      operations: [
        { index: { _index: 'users', _id: 'a' } },
        user('a', 'Ana'),
        { create: { _index: 'users', _id: 'dup' } },
        user('dup', 'Dup again'),
        { update: { _index: 'users', _id: 'a' } },
        { doc: { status: 'approved' } },
        { update: { _index: 'users', _id: 'missing' } },
        { doc: { status: 'approved' } },
        { delete: { _index: 'users', _id: 'dup' } },
        { delete: { _index: 'users', _id: 'never' } },
      ],
    });
    expect(res.errors).toBe(true);
    expect(res.items).toHaveLength(6);
    expect(res.items[0]?.index).toMatchObject({ _index: 'users', _id: 'a', result: 'created', status: 201, _version: 1 });
    expect(res.items[1]?.create).toMatchObject({ _id: 'dup', status: 409, error: { type: 'version_conflict_engine_exception' } });
    expect(res.items[2]?.update).toMatchObject({ _id: 'a', result: 'updated', status: 200, _version: 2 });
    expect(res.items[3]?.update).toMatchObject({ _id: 'missing', status: 404, error: { type: 'document_missing_exception' } });
    expect(res.items[4]?.delete).toMatchObject({ _id: 'dup', result: 'deleted', status: 200 });
    expect(res.items[5]?.delete).toMatchObject({ _id: 'never', result: 'not_found', status: 404 });
    expect(res.items[5]?.delete?.error).toBeUndefined();

    const got = await h.client.get<{ status: string }>({ index: 'users', id: 'a' });
    expect(got._source?.status).toBe('approved');
    expect(await h.client.exists({ index: 'users', id: 'dup' })).toBe(false);
  });

  it('when every bulk item succeeds against the path index, then errors is false and documents are searchable', async () => {
    const res = await h.client.bulk({
      index: 'users',
      operations: [{ index: { _id: 'x' } }, user('x', 'Xavier'), { index: {} }, user('auto', 'Auto Id')],
    });
    expect(res.errors).toBe(false);
    expect(res.items[1]?.index?._id).toMatch(/^[A-Za-z0-9_-]{20}$/);
    const count = await h.client.count({ index: 'users' });
    expect(count.count).toBe(2);
  });

  it('when a bulk action line is malformed, then the whole request fails with illegal_argument_exception', async () => {
    const err = await expectResponseError(() =>
      h.client.bulk({ operations: [{ upsert: { _index: 'users', _id: '1' } } as never, { a: 1 }] }),
    );
    expect(err.statusCode).toBe(400);
    expect((err.body as { error: { type: string; reason: string } }).error).toMatchObject({
      type: 'illegal_argument_exception',
      reason: 'Malformed action/metadata line [1], expected one of [create, delete, index, update] but found [upsert]',
    });
  });
});
