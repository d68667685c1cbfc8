import { describe, expect, inject, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { Client } from '@elastic/elasticsearch';
import { BulkCreate } from '../../src/data-access/bulk-create';

/**
 * Concurrent creates share one _bulk request, but each caller must get exactly what a lone create
 * would have told it: created, or a conflict when the id exists (also when the id was taken by
 * another item of the same request), or its own error.
 */
describe('BulkCreate against the Elasticsearch API', () => {
  const client = () => new Client({ node: inject('stackEnv').ELASTICSEARCH_URL });

  it('when many creates come at once, some for the same id, then exactly one per id is created and the rest are conflicts', async () => {
    const es = client();
    const index = `test-bulk-${randomUUID()}`;
    await es.indices.create({ index });
    const existing = randomUUID();
    await es.create({ index, id: existing, document: { n: -1 } });
    const bulk = new BulkCreate(es);
    const ids = Array.from({ length: 40 }, () => randomUUID());
    // Each id twice in the same turn, plus one id that already exists.
    const outcomes = await Promise.all([...ids, ...ids, existing].map((id, n) => bulk.create(index, id, { n })));
    expect(outcomes.filter((o) => o === 'created')).toHaveLength(40);
    expect(outcomes.filter((o) => o === 'conflict')).toHaveLength(41);
    expect(outcomes.at(-1)).toBe('conflict');
    for (const id of ids) {
      const doc = await es.get<{ n: number }>({ index, id });
      // The first of the two is the one stored.
      expect(doc._source?.n).toBe(ids.indexOf(id));
    }
    await es.indices.delete({ index });
    await es.close();
  });

  it('when an item is refused, then only its caller gets the error', async () => {
    const es = client();
    const index = `test-bulk-${randomUUID()}`;
    await es.indices.create({ index });
    const bulk = new BulkCreate(es);
    const good = bulk.create(index, randomUUID(), { n: 1 });
    // An empty id is refused by Elasticsearch for that item alone.
    const bad = bulk.create(index, '', { n: 2 });
    await expect(good).resolves.toBe('created');
    await expect(bad).rejects.toThrow();
    await es.indices.delete({ index });
    await es.close();
  });
});
