import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { Client } from '@elastic/elasticsearch';
import { ClaimsIndex } from '../../src/data-access/claims-index';

/**
 * The identity claims under real concurrency on the real engine: each racer has its own client, so the
 * claims travel as separate HTTP requests handled in parallel by Elasticsearch, as they do from
 * several orchestrator replicas.
 */
describe('ClaimsIndex on the real Elasticsearch', () => {
  const RACERS = 12;
  let index: string;
  let clients: Client[] = [];
  let racers: ClaimsIndex[] = [];

  beforeAll(async () => {
    index = `test-claims-${randomUUID()}`;
    clients = Array.from({ length: RACERS }, () => new Client({ node: inject('stackEnv').ELASTICSEARCH_URL }));
    racers = clients.map((client) => new ClaimsIndex(client, undefined, index));
    await Promise.all(racers.map((claims) => claims.ensureIndex()));
  });

  afterAll(async () => {
    await clients[0]?.indices.delete({ index, ignore_unavailable: true });
    await Promise.all(clients.map((client) => client.close()));
  });

  it('when many registrations claim one identity at once, then exactly one holds it and every other is told who does', async () => {
    const identity = `email:race.${randomUUID()}@example.com`;
    const users = racers.map(() => randomUUID());
    const results = await Promise.all(racers.map((claims, n) => claims.claim(identity, users[n]!)));

    const winners = users.filter((_, n) => results[n]!.held);
    expect(winners).toHaveLength(1);
    for (const result of results) if (!result.held) expect(result.holder).toBe(winners[0]);
    // A redelivery of the winner's event still holds it.
    expect(await racers[0]!.claim(identity, winners[0]!)).toEqual({ held: true });
  });

  it('when several take over a released claim at once from the same version, then exactly one succeeds', async () => {
    const identity = `cpf:${randomUUID()}`;
    const rejected = randomUUID();
    expect(await racers[0]!.claim(identity, rejected)).toEqual({ held: true });
    const users = racers.map(() => randomUUID());
    const seen = await Promise.all(racers.map((claims, n) => claims.claim(identity, users[n]!)));
    for (const result of seen) expect(result).toMatchObject({ held: false, holder: rejected });

    const outcomes = await Promise.all(
      racers.map((claims, n) => {
        const result = seen[n]!;
        if (result.held) throw new Error('unreachable');
        return claims.takeOver(identity, users[n]!, result);
      }),
    );
    const winners = users.filter((_, n) => outcomes[n]);
    expect(winners).toHaveLength(1);
    const now = await racers[1]!.claim(identity, randomUUID());
    expect(now).toMatchObject({ held: false, holder: winners[0] });

    // A takeover from the version every racer saw is stale now.
    const stale = seen[0]!;
    if (stale.held) throw new Error('unreachable');
    expect(await racers[2]!.takeOver(identity, randomUUID(), stale)).toBe(false);
  });

  it('when a registration releases its claims (an erasure), then only the claims it holds are deleted, and releasing twice is harmless', async () => {
    const [claims] = racers;
    const mine = randomUUID();
    const other = randomUUID();
    const held = `email:erased.${randomUUID()}@example.com`;
    const othersIdentity = `cpf:${randomUUID()}`;
    expect(await claims!.claim(held, mine)).toEqual({ held: true });
    expect(await claims!.claim(othersIdentity, other)).toEqual({ held: true });

    expect(await claims!.release(held, mine)).toBe(true);
    expect(await claims!.release(othersIdentity, mine)).toBe(true); // not held by it: left alone
    expect(await claims!.release(held, mine)).toBe(true); // again: nothing left to release

    const get = (id: string) => clients[0]!.get({ index, id }, { ignore: [404] });
    expect((await get(held)).found).toBe(false);
    expect((await get(othersIdentity))._source).toMatchObject({ userId: other });
    // Released, the identity is free for someone else's registration.
    expect(await claims!.claim(held, other)).toEqual({ held: true });
  });
});
