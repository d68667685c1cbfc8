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
  await h.client.indices.delete({ index: 'users,claims', ignore_unavailable: true });
  await h.client.indices.create({ index: 'users', mappings: USERS_MAPPINGS });
});

const user = (id: string, name: string) => ({
  id,
  name,
  email: `${id}@example.com`,
  status: 'pending',
  registeredAt: '2025-01-01T10:00:00.000Z',
});

type ErrorBody = { error: { type: string; reason: string } };

describe('multi get', () => {
  it('when documents from two indices are fetched, then each item is what its own get answers, in request order', async () => {
    await h.client.index({ index: 'users', id: 'u1', document: user('u1', 'Ana') });
    await h.client.index({ index: 'users', id: 'u1', document: user('u1', 'Ana Maria') });
    await h.client.index({ index: 'claims', id: 'email:ana@example.com', document: { userId: 'u1' } });
    // No refresh: multi get is real-time like get.
    const res = await h.client.mget({
      docs: [
        { _index: 'claims', _id: 'email:ana@example.com' },
        { _index: 'users', _id: 'ghost' },
        { _index: 'users', _id: 'u1' },
      ],
    });
    const claim = await h.client.get({ index: 'claims', id: 'email:ana@example.com' });
    const u1 = await h.client.get({ index: 'users', id: 'u1' });
    const ghost = await expectResponseError(() => h.client.get({ index: 'users', id: 'ghost' }));
    expect(res.docs).toEqual([claim, ghost.body, u1]);
    expect(res.docs[2]).toEqual({
      _index: 'users',
      _id: 'u1',
      _version: 2,
      _seq_no: 1,
      _primary_term: 1,
      found: true,
      _source: user('u1', 'Ana Maria'),
    });
    expect(res.docs[1]).toEqual({ _index: 'users', _id: 'ghost', found: false });
  });

  it('when ids are sent to /{index}/_mget, then they are read from that index, numbers included', async () => {
    await h.client.index({ index: 'users', id: '1', document: user('1', 'One') });
    await h.client.index({ index: 'users', id: 'b', document: user('b', 'Bea') });
    const res = await h.client.mget<{ name: string }>({ index: 'users', ids: [1 as unknown as string, 'missing', 'b'] });
    expect(res.docs.map((d) => ('found' in d ? [d._id, d.found, d._source?.name] : [d._id, 'error']))).toEqual([
      ['1', true, 'One'],
      ['missing', false, undefined],
      ['b', true, 'Bea'],
    ]);
  });

  it('when docs are sent to /{index}/_mget, then the path index is their default and an explicit _index wins', async () => {
    await h.client.index({ index: 'users', id: 'u1', document: user('u1', 'Ana') });
    await h.client.index({ index: 'claims', id: 'u1', document: { userId: 'other' } });
    const res = await h.client.mget({ index: 'users', docs: [{ _id: 'u1' }, { _index: 'claims', _id: 'u1' }] });
    expect(res.docs.map((d) => d._index)).toEqual(['users', 'claims']);
    expect(res.docs.map((d) => ('_source' in d ? d._source : undefined))).toEqual([user('u1', 'Ana'), { userId: 'other' }]);
  });

  it('when one item names an index that does not exist, then only that item carries index_not_found_exception', async () => {
    await h.client.index({ index: 'users', id: 'u1', document: user('u1', 'Ana') });
    const res = await h.client.mget({
      docs: [
        { _index: 'nope', _id: 'u1' },
        { _index: 'users', _id: 'u1' },
      ],
    });
    expect(res.docs[0]).toEqual({
      _index: 'nope',
      _id: 'u1',
      error: {
        root_cause: [
          {
            type: 'index_not_found_exception',
            reason: 'no such index [nope]',
            'resource.type': 'index_or_alias',
            'resource.id': 'nope',
            index_uuid: '_na_',
            index: 'nope',
          },
        ],
        type: 'index_not_found_exception',
        reason: 'no such index [nope]',
        'resource.type': 'index_or_alias',
        'resource.id': 'nope',
        index_uuid: '_na_',
        index: 'nope',
      },
    });
    expect(res.docs[1]).toMatchObject({ _id: 'u1', found: true });
  });

  it('when the path index does not exist, then every item fails on its own and the request still answers 200', async () => {
    const res = await h.client.transport.request<{ docs: unknown[] }>(
      { method: 'POST', path: '/nope/_mget', body: { ids: ['a', 'b'] } },
      { meta: true },
    );
    expect(res.statusCode).toBe(200);
    expect(res.body.docs).toMatchObject([
      { _index: 'nope', _id: 'a', error: { type: 'index_not_found_exception' } },
      { _index: 'nope', _id: 'b', error: { type: 'index_not_found_exception' } },
    ]);
  });

  it('when _source is filtered in the URL and per document, then a document’s own filter replaces the URL default', async () => {
    await h.client.index({ index: 'users', id: 'u1', document: user('u1', 'Ana') });
    const res = await h.client.mget({
      index: 'users',
      _source_includes: ['name'],
      docs: [
        { _id: 'u1' },
        { _id: 'u1', _source: false },
        { _id: 'u1', _source: ['email', 'status'] },
        { _id: 'u1', _source: { excludes: ['email', 'registeredAt'] } },
      ],
    });
    const sources = res.docs.map((d) => ('found' in d ? d._source : 'error'));
    expect(sources).toEqual([
      { name: 'Ana' },
      undefined,
      { email: 'u1@example.com', status: 'pending' },
      { id: 'u1', name: 'Ana', status: 'pending' },
    ]);
  });

  it('when the request has no documents, then it fails validation with no documents to get', async () => {
    for (const body of [{ ids: [] }, { docs: [] }, {}]) {
      const err = await expectResponseError(() => h.client.transport.request({ method: 'POST', path: '/users/_mget', body }));
      expect(err.statusCode).toBe(400);
      expect((err.body as ErrorBody).error).toMatchObject({
        type: 'action_request_validation_exception',
        reason: 'Validation Failed: 1: no documents to get;',
      });
    }
  });

  it('when items lack an index or an id, then the request fails naming each one by position', async () => {
    const noIndex = await expectResponseError(() => h.client.mget({ ids: ['1'] }));
    expect((noIndex.body as ErrorBody).error.reason).toBe('Validation Failed: 1: index is missing for doc 0;');
    const mixed = await expectResponseError(() =>
      h.client.mget({ docs: [{ _index: 'users', _id: '1' }, { _id: '2' }, { _index: 'users' } as unknown as { _id: string }] }),
    );
    expect(mixed.statusCode).toBe(400);
    expect((mixed.body as ErrorBody).error).toMatchObject({
      type: 'action_request_validation_exception',
      reason: 'Validation Failed: 1: index is missing for doc 1;2: id is missing for doc 2;',
    });
  });

  it('when the body has an unknown key or a document an unknown field, then ES’s parse errors come back', async () => {
    const unknownKey = await expectResponseError(() =>
      h.client.transport.request({ method: 'POST', path: '/users/_mget', body: { nope: ['1'] } }),
    );
    expect(unknownKey.statusCode).toBe(400);
    expect((unknownKey.body as ErrorBody).error).toMatchObject({
      type: 'parsing_exception',
      reason: 'unknown key [nope] for a START_ARRAY, expected [docs] or [ids]',
    });
    const unknownField = await expectResponseError(() =>
      h.client.transport.request({ method: 'POST', path: '/users/_mget', body: { docs: [{ _id: '1', x: 1 }] } }),
    );
    expect((unknownField.body as ErrorBody).error).toMatchObject({
      type: 'parse_exception',
      reason: 'failed to parse multi get request. unknown field [x]',
    });
    const noBody = await expectResponseError(() => h.client.transport.request({ method: 'GET', path: '/users/_mget' }));
    expect((noBody.body as ErrorBody).error).toMatchObject({ type: 'parse_exception', reason: 'request body or source parameter is required' });
  });

  it('when stored fields or versions are asked of a document, then the stand-in refuses instead of ignoring them', async () => {
    const stored = await expectResponseError(() => h.client.mget({ index: 'users', docs: [{ _id: '1', stored_fields: ['name'] }] }));
    expect(stored.statusCode).toBe(400);
    expect((stored.body as ErrorBody).error.type).toBe('unsupported_operation_exception');
    const versioned = await expectResponseError(() => h.client.mget({ index: 'users', docs: [{ _id: '1', version: 3 }] }));
    expect((versioned.body as ErrorBody).error.type).toBe('unsupported_operation_exception');
    const synthetic = await expectResponseError(() => h.client.mget({ index: 'users', ids: ['1'], force_synthetic_source: true }));
    expect((synthetic.body as ErrorBody).error.type).toBe('unsupported_operation_exception');
  });
});
