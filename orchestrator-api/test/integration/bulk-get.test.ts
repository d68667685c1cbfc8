import { afterEach, describe, expect, inject, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { Client, errors } from '@elastic/elasticsearch';
import { createLogger } from '@regflow/common';
import { BulkGet } from '../../src/data-access/bulk-get';
import { UsersIndex, type UserDocument } from '../../src/data-access/users-index';

/**
 * Concurrent gets share one _mget request, but each caller must get exactly what a lone get would
 * have told it: the document as it is right now (no refresh needed), not found, or its own error.
 */
describe('BulkGet against the Elasticsearch API', () => {
  const clients: Client[] = [];
  const indices: string[] = [];

  /** A client that records the path of every request it sends. */
  const client = (): { es: Client; paths: string[] } => {
    const es = new Client({ node: inject('stackEnv').ELASTICSEARCH_URL });
    const paths: string[] = [];
    es.diagnostic.on('request', (_err, meta) => {
      if (meta) paths.push(`${meta.meta.request.params.method} ${meta.meta.request.params.path}`);
    });
    clients.push(es);
    return { es, paths };
  };

  const newIndex = async (es: Client): Promise<string> => {
    const index = `test-bulk-get-${randomUUID()}`;
    await es.indices.create({ index });
    indices.push(index);
    return index;
  };

  afterEach(async () => {
    const es = clients[0];
    if (es && indices.length > 0) await es.indices.delete({ index: indices.join(','), ignore_unavailable: true });
    indices.length = 0;
    for (const c of clients.splice(0)) await c.close();
  });

  it('when many gets come at once, some for documents written a moment ago, then one _mget answers each with its own result', async () => {
    const { es, paths } = client();
    const users = await newIndex(es);
    const claims = await newIndex(es);
    const ids = Array.from({ length: 30 }, () => randomUUID());
    // Written without a refresh: the gets must be real-time, as a plain get is.
    for (const [n, id] of ids.entries()) await es.index({ index: users, id, document: { n } });
    await es.index({ index: claims, id: 'email:a@example.com', document: { userId: ids[0] } });
    await es.index({ index: users, id: ids[1]!, document: { n: 100 } });
    paths.length = 0;

    const bulk = new BulkGet(es);
    const missing = randomUUID();
    // All issued in the same turn, before anything is awaited.
    const [found, missingRes, claimRes, again] = await Promise.all([
      Promise.all(ids.map((id) => bulk.get<{ n: number }>(users, id))),
      bulk.get<{ n: number }>(users, missing),
      bulk.get<{ userId: string }>(claims, 'email:a@example.com'),
      bulk.get<{ n: number }>(users, ids[2]!),
    ]);

    expect(paths).toEqual(['POST /_mget']);
    expect(found.map((r) => [r._id, r.found, r._source?.n])).toEqual(ids.map((id, n) => [id, true, n === 1 ? 100 : n]));
    expect(found[1]).toMatchObject({ _index: users, _version: 2, _seq_no: 30, _primary_term: 1 });
    expect(missingRes).toEqual({ _index: users, _id: missing, found: false });
    expect(claimRes).toMatchObject({
      _index: claims,
      _id: 'email:a@example.com',
      found: true,
      _source: { userId: ids[0] },
    });
    expect(again).toEqual(found[2]);
  });

  it('when one get in a batch names a missing index, then only its caller fails, with the 404 its own get would give', async () => {
    const { es } = client();
    const users = await newIndex(es);
    const id = randomUUID();
    await es.index({ index: users, id, document: { n: 1 } });
    const bulk = new BulkGet(es);
    const good = bulk.get(users, id);
    const bad = bulk.get(`test-bulk-get-missing-${randomUUID()}`, id);
    await expect(good).resolves.toMatchObject({ _id: id, found: true, _source: { n: 1 } });
    const err: unknown = await bad.then(
      () => new Error('expected the get on a missing index to fail'),
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(errors.ResponseError);
    expect((err as errors.ResponseError).statusCode).toBe(404);
    expect((err as errors.ResponseError).body).toMatchObject({ error: { type: 'index_not_found_exception' } });
  });

  it('when a get comes alone, then it is sent as a plain get and a missing document is found:false', async () => {
    const { es, paths } = client();
    const users = await newIndex(es);
    paths.length = 0;
    const bulk = new BulkGet(es);
    const id = randomUUID();
    await expect(bulk.get(users, id)).resolves.toEqual({ _index: users, _id: id, found: false });
    expect(paths).toEqual([`GET /${users}/_doc/${id}`]);
  });

  it('when UsersIndex reads concurrently, then it keeps its contract: the document, or null when missing', async () => {
    const { es, paths } = client();
    const index = await newIndex(es);
    const users = new UsersIndex(es, createLogger('bulk-get-test', 'silent'), index);
    const doc: UserDocument = {
      id: randomUUID(),
      name: 'Ana',
      email: 'ana@example.com',
      status: 'pending',
      registeredAt: '2025-01-01T00:00:00.000Z',
      indexedAt: '2025-01-01T00:00:01.000Z',
    };
    await es.index({ index, id: doc.id, document: doc });
    paths.length = 0;
    const [found, missing] = await Promise.all([users.get(doc.id), users.get(randomUUID())]);
    expect(found).toEqual(doc);
    expect(missing).toBeNull();
    expect(paths).toEqual(['POST /_mget']);
  });
});
