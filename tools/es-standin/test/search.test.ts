import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectResponseError, startHarness, USERS_MAPPINGS, type Harness } from './fixture';

let h: Harness;

interface UserDoc {
  id: string;
  name: string;
  email: string;
  status: string;
  registeredAt: string;
  note?: string;
}

const USERS: UserDoc[] = [
  { id: 'u1', name: 'John Smith', email: 'john.smith@example.com', status: 'pending', registeredAt: '2025-03-01T09:00:00Z' },
  { id: 'u2', name: 'Jonh Doe', email: 'jdoe@example.org', status: 'approved', registeredAt: '2025-03-05T09:00:00Z' },
  { id: 'u3', name: 'José Álvarez', email: 'jose.alvarez@example.com', status: 'pending', registeredAt: '2025-02-20T09:00:00Z' },
  { id: 'u4', name: 'Maria Silva', email: 'maria@silva.com.br', status: 'rejected', registeredAt: '2025-03-10T09:00:00Z' },
  { id: 'u5', name: 'Ana Paula', email: 'ana.paula@example.com', status: 'pending', registeredAt: '2025-01-15T09:00:00Z', note: 'john referred her' },
  { id: 'u6', name: 'Johnny Cash', email: 'cash@example.com', status: 'approved', registeredAt: '2025-03-07T09:00:00Z' },
];

beforeAll(async () => {
  h = await startHarness();
  await h.client.indices.create({ index: 'users', mappings: USERS_MAPPINGS });
  await h.client.bulk({
    refresh: 'wait_for',
    operations: USERS.flatMap((u) => [{ index: { _index: 'users', _id: u.id } }, u]),
  });
});

afterAll(async () => {
  await h.close();
});

const ids = (hits: Array<{ _id?: string | undefined }>): string[] => hits.map((hit) => hit._id ?? '');

describe('full-text matching', () => {
  it('when matching "Jonh" with fuzziness AUTO, then "John" is found and the exact "Jonh" ranks first', async () => {
    const res = await h.client.search<UserDoc>({
      index: 'users',
      query: { match: { name: { query: 'Jonh', fuzziness: 'AUTO' } } },
    });
    const found = ids(res.hits.hits);
    expect(found).toContain('u1');
    expect(found[0]).toBe('u2');
    expect(found).not.toContain('u6');
    const exact = res.hits.hits.find((x) => x._id === 'u2')?._score ?? 0;
    const fuzzy = res.hits.hits.find((x) => x._id === 'u1')?._score ?? 0;
    expect(exact).toBeGreaterThan(fuzzy);
    expect(res.hits.max_score).toBe(exact);
  });

  it('when matching a misspelling without fuzziness, then nothing is found', async () => {
    const res = await h.client.search({ index: 'users', query: { match: { name: 'Jhon' } } });
    expect(res.hits.total).toEqual({ value: 0, relation: 'eq' });
    expect(res.hits.max_score).toBeNull();
  });

  it('when fuzziness AUTO meets a two-letter term, then no edits are allowed', async () => {
    const res = await h.client.search({ index: 'users', query: { match: { name: { query: 'Jx', fuzziness: 'AUTO' } } } });
    expect(res.hits.hits).toHaveLength(0);
  });

  it('when a transposition is searched ("Mraia"), then Damerau distance 1 still matches "Maria"', async () => {
    const res = await h.client.search({ index: 'users', query: { match: { name: { query: 'Mraia', fuzziness: 'AUTO' } } } });
    expect(ids(res.hits.hits)).toEqual(['u4']);
  });

  it('when searching without accents, then accented names match', async () => {
    const res = await h.client.search({ index: 'users', query: { match: { name: 'jose alvarez' } } });
    expect(ids(res.hits.hits)).toEqual(['u3']);
  });

  it('when operator is and, then every term must match', async () => {
    const or = await h.client.search({ index: 'users', query: { match: { name: { query: 'john cash' } } } });
    expect(ids(or.hits.hits).sort()).toEqual(['u1', 'u6']);
    const and = await h.client.search({ index: 'users', query: { match: { name: { query: 'johnny cash', operator: 'and' } } } });
    expect(ids(and.hits.hits)).toEqual(['u6']);
  });

  it('when an email is analysed as text, then a search on one of its parts matches it', async () => {
    const res = await h.client.search({ index: 'users', query: { match: { email: 'silva' } } });
    expect(ids(res.hits.hits)).toEqual(['u4']);
  });

  it('when multi_match boosts name over note, then the name match outranks the note match', async () => {
    const res = await h.client.search({
      index: 'users',
      query: { multi_match: { query: 'john', fields: ['name^3', 'note', 'email'], fuzziness: 'AUTO' } },
    });
    const found = ids(res.hits.hits);
    expect(found).toContain('u5');
    expect(found.indexOf('u1')).toBeLessThan(found.indexOf('u5'));
  });
});

describe('filters, sorting and paging', () => {
  it('when a bool filters on a keyword status, then only exact status values match and scores are zero', async () => {
    const res = await h.client.search<UserDoc>({
      index: 'users',
      query: { bool: { filter: [{ term: { status: 'pending' } }] } },
    });
    expect(ids(res.hits.hits).sort()).toEqual(['u1', 'u3', 'u5']);
    expect(res.hits.hits.every((x) => x._score === 0)).toBe(true);
    const wrongCase = await h.client.search({ index: 'users', query: { term: { status: 'Pending' } } });
    expect(wrongCase.hits.hits).toHaveLength(0);
  });

  it('when must, should and must_not are combined, then each clause constrains the result', async () => {
    const res = await h.client.search({
      index: 'users',
      query: {
        bool: {
          must: [{ match: { name: { query: 'john', fuzziness: 'AUTO' } } }],
          must_not: [{ terms: { status: ['approved', 'rejected'] } }],
          should: [{ match: { email: 'smith' } }],
        },
      },
    });
    expect(ids(res.hits.hits)).toEqual(['u1']);
  });

  it('when sorting by registeredAt desc, then hits come newest first with epoch-millis sort values and null scores', async () => {
    const res = await h.client.search<UserDoc>({ index: 'users', sort: [{ registeredAt: { order: 'desc' } }] });
    expect(ids(res.hits.hits)).toEqual(['u4', 'u6', 'u2', 'u1', 'u3', 'u5']);
    expect(res.hits.hits[0]?.sort).toEqual([Date.parse('2025-03-10T09:00:00Z')]);
    expect(res.hits.hits[0]?._score).toBeNull();
    expect(res.hits.max_score).toBeNull();
  });

  it('when sorting with the shorthand {field: "asc"} and a keyword tie-breaker, then the order follows both keys', async () => {
    const res = await h.client.search({ index: 'users', sort: [{ status: 'asc' }, 'name.keyword'] });
    expect(ids(res.hits.hits)).toEqual(['u6', 'u2', 'u5', 'u1', 'u3', 'u4']);
    expect(res.hits.hits[0]?.sort).toEqual(['approved', 'Johnny Cash']);
  });

  it('when a range selects March 2025, then only registrations in that month match', async () => {
    const res = await h.client.search({
      index: 'users',
      query: { range: { registeredAt: { gte: '2025-03-01', lt: '2025-04-01' } } },
      sort: ['registeredAt'],
    });
    expect(ids(res.hits.hits)).toEqual(['u1', 'u2', 'u6', 'u4']);
  });

  it('when paging with from/size, then pages do not overlap and the total counts every match', async () => {
    const page1 = await h.client.search({ index: 'users', from: 0, size: 4, sort: [{ registeredAt: 'desc' }], track_total_hits: true });
    const page2 = await h.client.search({ index: 'users', from: 4, size: 4, sort: [{ registeredAt: 'desc' }], track_total_hits: true });
    expect(ids(page1.hits.hits)).toEqual(['u4', 'u6', 'u2', 'u1']);
    expect(ids(page2.hits.hits)).toEqual(['u3', 'u5']);
    expect(page2.hits.total).toEqual({ value: 6, relation: 'eq' });
  });

  it('when size is omitted, then at most ten hits come back', async () => {
    await h.client.bulk({
      index: 'paging',
      operations: Array.from({ length: 12 }, (_, i) => [{ index: { _id: `p${i}` } }, { n: i }]).flat(),
    });
    const res = await h.client.search({ index: 'paging' });
    expect(res.hits.hits).toHaveLength(10);
    expect(res.hits.total).toEqual({ value: 12, relation: 'eq' });
  });

  it('when track_total_hits is a lower bound than the matches, then the total is reported as gte', async () => {
    const res = await h.client.search({ index: 'users', track_total_hits: 2 });
    expect(res.hits.total).toEqual({ value: 2, relation: 'gte' });
  });

  it('when _source lists fields, then hits carry only those fields', async () => {
    const res = await h.client.search({ index: 'users', query: { ids: { values: ['u1'] } }, _source: ['name', 'status'] });
    expect(res.hits.hits[0]?._source).toEqual({ name: 'John Smith', status: 'pending' });
  });
});

describe('highlight and count', () => {
  it('when highlighting name and email, then matched tokens are wrapped in <em> tags', async () => {
    const res = await h.client.search({
      index: 'users',
      query: { multi_match: { query: 'smith', fields: ['name', 'email'] } },
      highlight: { fields: { name: {}, email: {} } },
    });
    expect(res.hits.hits[0]?._id).toBe('u1');
    expect(res.hits.hits[0]?.highlight).toEqual({
      name: ['John <em>Smith</em>'],
      email: ['john.<em>smith</em>@example.com'],
    });
  });

  it('when a fuzzy match is highlighted with custom tags, then the fuzzy token is marked with them', async () => {
    const res = await h.client.search({
      index: 'users',
      query: { match: { name: { query: 'Mraia', fuzziness: 'AUTO' } } },
      highlight: { pre_tags: ['<b>'], post_tags: ['</b>'], fields: { name: {} } },
    });
    expect(res.hits.hits[0]?.highlight).toEqual({ name: ['<b>Maria</b> Silva'] });
  });

  it('when counting with and without a query, then _count returns the matching number', async () => {
    expect((await h.client.count({ index: 'users' })).count).toBe(6);
    const pending = await h.client.count({ index: 'users', query: { term: { status: 'pending' } } });
    expect(pending).toEqual({ count: 3, _shards: { total: 1, successful: 1, skipped: 0, failed: 0 } });
  });
});

describe('search errors', () => {
  it('when a query clause is not emulated, then the stand-in answers 400 naming it', async () => {
    const err = await expectResponseError(() =>
      h.client.search({ index: 'users', query: { query_string: { query: 'john' } } }),
    );
    expect(err.statusCode).toBe(400);
    expect(err.body).toMatchObject({
      error: { type: 'unsupported_operation_exception', reason: 'es-standin does not support query [query_string]' },
      status: 400,
    });
  });

  it('when aggregations are requested, then the stand-in refuses instead of omitting them', async () => {
    const err = await expectResponseError(() =>
      h.client.search({ index: 'users', size: 0, aggs: { by_status: { terms: { field: 'status' } } } }),
    );
    expect(err.statusCode).toBe(400);
    expect((err.body as { error: { reason: string } }).error.reason).toContain('[aggs]');
  });

  it('when sorting on a text field, then it fails like ES with a fielddata error inside search_phase_execution_exception', async () => {
    const err = await expectResponseError(() => h.client.search({ index: 'users', sort: ['name'] }));
    expect(err.statusCode).toBe(400);
    const body = err.body as { error: { type: string; root_cause: Array<{ type: string; reason: string }> } };
    expect(body.error.type).toBe('search_phase_execution_exception');
    expect(body.error.root_cause[0]?.type).toBe('illegal_argument_exception');
    expect(body.error.root_cause[0]?.reason).toContain('Fielddata is disabled on [name] in [users]');
  });

  it('when an unknown query type is sent, then a parsing_exception comes back', async () => {
    const err = await expectResponseError(() => h.client.search({ index: 'users', query: { mtach: {} } as never }));
    expect(err.statusCode).toBe(400);
    expect((err.body as { error: { type: string; reason: string } }).error).toMatchObject({
      type: 'parsing_exception',
      reason: 'unknown query [mtach]',
    });
  });

  it('when searching an index that does not exist, then 404 index_not_found_exception', async () => {
    const err = await expectResponseError(() => h.client.search({ index: 'nope' }));
    expect(err.statusCode).toBe(404);
    expect((err.body as { error: { type: string } }).error.type).toBe('index_not_found_exception');
  });
});
