import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { Client } from '@elastic/elasticsearch';
import { REGISTRATION_STATUSES, createLogger } from '@regflow/common';
import { UsersIndex, type SearchParams, type UserDocument } from '../../src/data-access/users-index';

/**
 * The users index on the real engine: its analyzers, fuzziness and highlighter, the 10,000-hit window,
 * near-real-time search, and the mapping put on an index that already exists. Nothing here refreshes:
 * a search waits for its answer the way a person retrying would.
 */
const logger = createLogger('users-index-test', 'silent');

let seq = 0;
function buildUser(overrides: Partial<UserDocument> = {}): UserDocument {
  seq += 1;
  const registeredAt = new Date(Date.UTC(2026, 0, 1) + seq * 1000).toISOString();
  return {
    id: randomUUID(),
    name: `Maria Teste ${seq}`,
    email: `maria.${seq}.${Date.now().toString(36)}@example.com`,
    status: 'pending',
    registeredAt,
    indexedAt: registeredAt,
    ...overrides,
  };
}

async function until<T>(what: string, fn: () => Promise<T | undefined | null | false>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('UsersIndex on the real Elasticsearch', () => {
  let es: Client;
  let users: UsersIndex;
  const indices: string[] = [];
  const newIndex = (name: string): string => {
    const index = `test-users-${name}-${randomUUID()}`;
    indices.push(index);
    return index;
  };
  const search = (params: Partial<SearchParams>) => users.search({ from: 0, size: 20, ...params });
  /** Searches until the hit for `id` appears (a person pressing Search again), then returns it. */
  const findHit = (id: string, params: Partial<SearchParams>) =>
    until(`${id} in search ${JSON.stringify(params)}`, async () =>
      (await search(params)).items.find((hit) => hit.id === id),
    );

  beforeAll(async () => {
    es = new Client({ node: inject('stackEnv').ELASTICSEARCH_URL });
    users = new UsersIndex(es, logger, newIndex('search'));
    await users.ensureIndex();
  });

  afterAll(async () => {
    await es?.indices.delete({ index: indices.join(','), ignore_unavailable: true });
    await es?.close();
  });

  it('when a registration was just created, then get sees it at once and search within a refresh', async () => {
    const user = buildUser({ name: 'Quitéria Nascimento' });
    expect((await users.createOrGet(user)).created).toBe(true);
    // Get by id is real-time: no refresh stands between the write and this read.
    expect(await users.get(user.id)).toEqual(user);
    expect((await findHit(user.id, { q: 'quiteria' })).name).toBe('Quitéria Nascimento');
  });

  it('when names carry accents, then a search without them finds the person and highlights the words as written', async () => {
    const joao = buildUser({ name: 'João da Conceição' });
    const jose = buildUser({ name: 'Jose Ribeiro' });
    await Promise.all([users.createOrGet(joao), users.createOrGet(jose)]);

    const hit = await findHit(joao.id, { q: 'joao conceicao' });
    expect(hit.highlight?.name).toEqual(['<em>João</em> da <em>Conceição</em>']);
    // And the other way round: the query has the accent, the stored name does not.
    expect((await findHit(jose.id, { q: 'José' })).highlight?.name).toEqual(['<em>Jose</em> Ribeiro']);
  });

  it('when a name is misspelled, then it is still found; with a status filter, only that status is', async () => {
    const pending = buildUser({ name: 'Valdirene Quaresma' });
    const approved = buildUser({
      name: 'Valdirene Quaresma',
      status: 'approved',
      decidedAt: new Date().toISOString(),
      decidedBy: 'admin@test.local',
    });
    await Promise.all([users.createOrGet(pending), users.createOrGet(approved)]);

    await findHit(pending.id, { q: 'valdirene quarezma' });
    await findHit(approved.id, { q: 'valdirene quarezma' });
    const onlyApproved = await search({ q: 'valdirene quarezma', status: 'approved' });
    expect(onlyApproved.items.map((hit) => hit.id)).toEqual([approved.id]);
    expect(onlyApproved.total).toBe(1);
  });

  it('when the query is a CPF, formatted or not, then only that exact CPF matches and it is highlighted', async () => {
    const owner = buildUser({ name: 'Clarice Antunes', cpf: '52998224725' });
    const neighbour = buildUser({ name: 'Clarice Antunes', cpf: '52998224726' });
    await Promise.all([users.createOrGet(owner), users.createOrGet(neighbour)]);
    await findHit(neighbour.id, { q: 'clarice antunes' });

    for (const q of ['529.982.247-25', '52998224725']) {
      const res = await search({ q });
      expect(res.items.map((hit) => hit.id)).toEqual([owner.id]);
      expect(res.items[0]?.highlight?.cpf).toEqual(['<em>52998224725</em>']);
    }
  });

  it('when the index already exists (a restart), then ensureIndex keeps its data and adds the fields the mapping gained', async () => {
    const index = newIndex('restart');
    // The index as an older version of the service left it: strict, without most of today's fields.
    await es.indices.create({
      index,
      settings: { number_of_shards: 1, number_of_replicas: 0 },
      mappings: {
        dynamic: 'strict',
        properties: { id: { type: 'keyword' }, name: { type: 'text' }, status: { type: 'keyword' } },
      },
    });
    const old = randomUUID();
    await es.create({ index, id: old, document: { id: old, name: 'Antiga Cadastrada', status: 'pending' } });

    const restarted = new UsersIndex(es, logger, index);
    await restarted.ensureIndex();
    await restarted.ensureIndex();
    const user = buildUser({ status: 'duplicate', duplicateOf: old, cpf: '11144477735' });
    expect((await restarted.createOrGet(user)).created).toBe(true);
    expect(await restarted.get(old)).toMatchObject({ name: 'Antiga Cadastrada' });
    const mapping = await es.indices.getMapping({ index });
    expect(Object.keys(mapping[index]?.mappings.properties ?? {})).toEqual(
      expect.arrayContaining(['duplicateOf', 'cpf', 'registeredAt']),
    );
  });

  it('when an existing index maps a field incompatibly, then ensureIndex fails the start-up instead of the first write', async () => {
    const index = newIndex('incompatible');
    await es.indices.create({ index, mappings: { properties: { status: { type: 'text' } } } });
    await expect(new UsersIndex(es, logger, index).ensureIndex()).rejects.toThrow(/status/);
  });
});

describe('UsersIndex search past 10,000 hits on the real Elasticsearch', () => {
  const COUNT = 10_050;
  let es: Client;
  let users: UsersIndex;
  let index: string;
  const docs: UserDocument[] = [];

  beforeAll(async () => {
    es = new Client({ node: inject('stackEnv').ELASTICSEARCH_URL, requestTimeout: 60_000 });
    index = `test-users-window-${randomUUID()}`;
    users = new UsersIndex(es, logger, index);
    await users.ensureIndex();
    for (let n = 0; n < COUNT; n++) docs.push(buildUser({ status: REGISTRATION_STATUSES[n % 4]! }));
    for (let start = 0; start < COUNT; start += 2_500) {
      const chunk = docs.slice(start, start + 2_500);
      const res = await es.bulk({
        operations: chunk.flatMap((doc) => [{ create: { _index: index, _id: doc.id } }, doc]),
      });
      expect(res.errors).toBe(false);
    }
  }, 120_000);

  afterAll(async () => {
    await es?.indices.delete({ index, ignore_unavailable: true });
    await es?.close();
  });

  it('when more than 10,000 registrations match, then the total is exact and the last page of the window is served, newest first', async () => {
    const first = await until(
      'every document searchable',
      async () => {
        const res = await users.search({ from: 0, size: 10 });
        return res.total === COUNT ? res : null;
      },
      60_000,
    );
    const newestFirst = [...docs].reverse();
    expect(first.items.map((hit) => hit.id)).toEqual(newestFirst.slice(0, 10).map((doc) => doc.id));

    const last = await users.search({ from: 9_990, size: 10 });
    expect(last.total).toBe(COUNT);
    expect(last.items.map((hit) => hit.id)).toEqual(newestFirst.slice(9_990, 10_000).map((doc) => doc.id));
    // One past the window is Elasticsearch's own refusal (the HTTP route validates before asking).
    await expect(users.search({ from: 9_991, size: 10 })).rejects.toThrow(/result window is too large/i);
  });

  it('when filtering by status, then the total counts that status only', async () => {
    const res = await users.search({ status: 'rejected', from: 0, size: 1 });
    expect(res.total).toBe(docs.filter((doc) => doc.status === 'rejected').length);
  });
});

describe('expiring unconfirmed registrations on the real Elasticsearch', () => {
  let es: Client;
  let users: UsersIndex;
  const index = `test-users-expiry-${randomUUID()}`;

  beforeAll(async () => {
    es = new Client({ node: inject('stackEnv').ELASTICSEARCH_URL });
    users = new UsersIndex(es, logger, index);
    await users.ensureIndex();
  });

  afterAll(async () => {
    await es.indices.delete({ index }, { ignore: [404] });
    await es.close();
  });

  it('when the sweep runs, then only unconfirmed registrations older than the cutoff become expired', async () => {
    const cutoff = new Date(Date.UTC(2026, 5, 1));
    const before = new Date(cutoff.getTime() - 3_600_000).toISOString();
    const after = new Date(cutoff.getTime() + 3_600_000).toISOString();
    const old = buildUser({ status: 'unconfirmed', registeredAt: before });
    const recent = buildUser({ status: 'unconfirmed', registeredAt: after });
    const oldButPending = buildUser({ status: 'pending', registeredAt: before });
    for (const doc of [old, recent, oldButPending]) await users.createOrGet(doc);
    // The sweep searches: wait until the search sees both old documents.
    await until('the documents in search', async () => (await users.search({ from: 0, size: 20 })).total === 3);

    expect(await users.expireUnconfirmed(cutoff)).toBe(1);
    expect((await users.get(old.id))?.status).toBe('expired');
    expect((await users.get(recent.id))?.status).toBe('unconfirmed');
    expect((await users.get(oldButPending.id))?.status).toBe('pending');

    // Swept again: nothing left to expire, and what was expired stays expired.
    expect(await users.expireUnconfirmed(cutoff)).toBe(0);
  });

  it('when the retention sweep runs, then only expired registrations older than its cutoff are deleted', async () => {
    const cutoff = new Date(Date.UTC(2025, 5, 1));
    const before = new Date(cutoff.getTime() - 3_600_000).toISOString();
    const after = new Date(cutoff.getTime() + 3_600_000).toISOString();
    const old = buildUser({ status: 'expired', registeredAt: before });
    const recent = buildUser({ status: 'expired', registeredAt: after });
    const oldButRejected = buildUser({ status: 'rejected', registeredAt: before });
    const oldButUnconfirmed = buildUser({ status: 'unconfirmed', registeredAt: before });
    const docs = [old, recent, oldButRejected, oldButUnconfirmed];
    for (const doc of docs) await users.createOrGet(doc);
    await until('the documents in search', async () => {
      const { items } = await users.search({ from: 0, size: 50 });
      return docs.every((d) => items.some((hit) => hit.id === d.id));
    });

    expect(await users.deleteExpired(cutoff)).toBe(1);
    expect(await users.get(old.id)).toBeNull();
    expect((await users.get(recent.id))?.status).toBe('expired');
    expect((await users.get(oldButRejected.id))?.status).toBe('rejected');
    expect((await users.get(oldButUnconfirmed.id))?.status).toBe('unconfirmed');

    // Swept again once the deletion is visible to search: nothing left to delete.
    await until('the deletion in search', async () => {
      const { items } = await users.search({ from: 0, size: 50 });
      return !items.some((hit) => hit.id === old.id);
    });
    expect(await users.deleteExpired(cutoff)).toBe(0);
  });

  it('when a registration is deleted (an erasure), then get no longer finds it, and deleting it again says there was none', async () => {
    const doc = buildUser({ status: 'approved' });
    await users.createOrGet(doc);
    expect(await users.delete(doc.id)).toBe(true);
    expect(await users.get(doc.id)).toBeNull();
    expect(await users.delete(doc.id)).toBe(false);
  });
});
