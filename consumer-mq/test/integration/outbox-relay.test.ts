import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { createLogger, type Decision, type DecisionOutcome } from '@regflow/common';
import { EventPublisher, createKafka, createTopics, runConsumer, type RunningConsumer } from '@regflow/common/kafka';
import { createDatabase, migrateWithLock, type Database } from '../../src/data-access/db/database';
import { DecisionsRepository, type OutboxEvent } from '../../src/data-access/decisions-repository';
import { OutboxRelay } from '../../src/workers/outbox-relay.worker';
import { committedToEnd } from '../../../test/support/kafka';

/**
 * The decision write (one statement: decision, approved user, outbox row) and the relay (one locked
 * batch of rows per round, marked in the same transaction) against real Postgres and Kafka, in a
 * database of their own so no other test's rows are relayed.
 */
const logger = createLogger('outbox-relay-test', 'silent');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function registration(id: string) {
  return {
    id,
    name: 'Relay Test',
    email: `relay.${id}@example.com`,
    cpf: '52998224725',
    registeredAt: new Date().toISOString(),
  };
}

/**
 * A fresh topic, created as the services create theirs (the broker never auto-creates): every row a
 * test leaves in the outbox names a topic that exists, so a later test's relay can publish it.
 */
async function newTopic(): Promise<string> {
  const topic = `test.outbox.${randomUUID()}`;
  await createTopics(
    createKafka({ clientId: 'outbox-relay-test', brokers: inject('stackEnv').KAFKA_BROKERS.split(','), logger }),
    [{ topic, partitions: 4, replicationFactor: 1 }],
    logger,
  );
  return topic;
}

function event(topic: string, userId: string, seq = 0): OutboxEvent {
  return { topic, key: userId, value: JSON.stringify({ userId, seq }), headers: { 'x-test': 'outbox-relay' } };
}

describe('decision outbox on real Postgres and Kafka', () => {
  const name = `regflow_outbox_${Date.now()}`;
  let admin: pg.Client;
  let replicas: Array<{ pool: pg.Pool; db: Database; repo: DecisionsRepository }>;

  beforeAll(async () => {
    admin = new pg.Client({ connectionString: inject('stackEnv').DATABASE_URL });
    await admin.connect();
    await admin.query(`create database ${name}`);
    const u = new URL(inject('stackEnv').DATABASE_URL);
    u.pathname = `/${name}`;
    // Two replicas, each with its own pool, as two consumer-mq processes would be.
    replicas = [createDatabase(u.toString(), logger), createDatabase(u.toString(), logger)].map(({ pool, db }) => ({
      pool,
      db,
      repo: new DecisionsRepository(db),
    }));
    await migrateWithLock(replicas[0]!.pool, logger);
  });

  afterAll(async () => {
    await Promise.allSettled((replicas ?? []).map((r) => r.pool.end()));
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  });

  const query = async <T extends pg.QueryResultRow>(text: string, values: unknown[] = []) =>
    (await replicas[0]!.pool.query<T>(text, values)).rows;

  it('when two relays run while decisions are recorded, then every event reaches Kafka exactly once, in batches, and every row is marked published', async () => {
    const topic = await newTopic();
    const kafka = () =>
      createKafka({ clientId: 'outbox-relay-test', brokers: inject('stackEnv').KAFKA_BROKERS.split(','), logger });
    const publishers = [new EventPublisher(kafka(), logger), new EventPublisher(kafka(), logger)];
    const relays = replicas.map((r, i) => new OutboxRelay(r.repo, publishers[i]!, logger, 100));
    const received = new Map<string, number>();
    let consumer: RunningConsumer | undefined;
    try {
      const groupId = `test-outbox-${randomUUID()}`;
      consumer = await runConsumer({
        kafka: kafka(),
        groupId,
        topics: [topic],
        logger,
        handler: async (record) => {
          received.set(record.key!, (received.get(record.key!) ?? 0) + 1);
        },
      });
      for (const relay of relays) relay.start();

      const users = Array.from({ length: 400 }, () => randomUUID());
      let next = 0;
      // Eight writers at a time, alternating replicas, each waking its own relay as the decide path does.
      await Promise.all(
        Array.from({ length: 8 }, async (_, w) => {
          while (next < users.length) {
            const userId = users[next++]!;
            const outcome = next % 3 === 0 ? 'rejected' : 'approved';
            const decision: Decision = {
              userId,
              outcome,
              decidedBy: `admin${w}@test.local`,
              decidedAt: new Date().toISOString(),
            };
            const result = await replicas[w % 2]!.repo.record(
              decision,
              registration(userId),
              event(topic, userId),
              `corr-${userId}`,
            );
            expect(result.won).toBe(true);
            relays[w % 2]!.wake();
          }
        }),
      );

      const deadline = Date.now() + 60_000;
      while (received.size < users.length && Date.now() < deadline) await sleep(100);
      // Nothing publishes once the relays have stopped; once the consumer has committed the topic's end,
      // it has handled every record ever published, so a duplicate would be counted by now.
      await Promise.all(relays.map((r) => r.stop()));
      await committedToEnd(kafka(), groupId, topic);
      expect(received.size).toBe(users.length);
      expect([...received.values()].every((n) => n === 1)).toBe(true);
      expect(users.every((u) => received.has(u))).toBe(true);

      const [rows] = await query<{ total: number; unpublished: number }>(
        'select count(*)::int as total, count(*) filter (where published_at is null)::int as unpublished from outbox',
      );
      expect(rows).toEqual({ total: users.length, unpublished: 0 });
      const [approved] = await query<{ n: number }>(
        'select count(*)::int as n from approved_users where id = any($1::uuid[])',
        [users],
      );
      expect(approved!.n).toBe(users.filter((_, i) => (i + 1) % 3 !== 0).length);
      // Rounds take what accumulated while the previous one was publishing: fewer rounds than rows.
      const [batches] = await query<{ n: number }>('select count(distinct published_at)::int as n from outbox');
      expect(batches!.n).toBeLessThan(users.length);
    } finally {
      await Promise.allSettled(relays.map((r) => r.stop()));
      await consumer?.stop();
      await Promise.allSettled(publishers.map((p) => p.close()));
    }
  });

  it('when the same user is decided twice at once on two replicas, then one decision, one approved user and one outbox row are written and the loser gets the winner back', async () => {
    const userId = randomUUID();
    const topic = await newTopic();
    const decide = (i: number, outcome: DecisionOutcome) =>
      replicas[i]!.repo.record(
        { userId, outcome, decidedBy: `admin${i}@test.local`, decidedAt: new Date(Date.now() + i).toISOString() },
        registration(userId),
        event(topic, userId, i),
        `corr-${i}`,
      );
    const results = await Promise.all([decide(0, 'approved'), decide(1, 'rejected')]);

    const winners = results.filter((r) => r.won);
    const losers = results.flatMap((r) => (r.won ? [] : [r.existing]));
    expect(winners).toHaveLength(1);
    expect(losers).toHaveLength(1);
    const [stored] = await query<{ outcome: string; decided_by: string; decided_at: Date }>(
      'select outcome, decided_by, decided_at from decisions where user_id = $1',
      [userId],
    );
    expect(losers[0]).toMatchObject({
      userId,
      outcome: stored!.outcome,
      decidedBy: stored!.decided_by,
      decidedAt: stored!.decided_at.toISOString(),
    });
    const [counts] = await query<{ outbox: number; approved: number }>(
      'select (select count(*)::int from outbox where key = $1) as outbox, (select count(*)::int from approved_users where id = $1::uuid) as approved',
      [userId],
    );
    expect(counts).toEqual({ outbox: 1, approved: stored!.outcome === 'approved' ? 1 : 0 });
  });

  it('when many decisions wake an idle relay at once, then their events go out together in one round', async () => {
    const topic = await newTopic();
    const kafka = createKafka({
      clientId: 'outbox-relay-test',
      brokers: inject('stackEnv').KAFKA_BROKERS.split(','),
      logger,
    });
    const publisher = new EventPublisher(kafka, logger);
    // Polling far apart: only wakes can start a round during the test.
    const relay = new OutboxRelay(replicas[0]!.repo, publisher, logger, 60_000);
    try {
      relay.start();
      await sleep(500); // the start-up round has run
      const users = Array.from({ length: 50 }, () => randomUUID());
      await replicas[0]!.pool.query(
        `insert into outbox (topic, key, value, headers) select $1, u::text, '{}', '{}'::jsonb from unnest($2::uuid[]) as u`,
        [topic, users],
      );
      for (let i = 0; i < users.length; i++) relay.wake();

      const deadline = Date.now() + 20_000;
      let rows: Array<{ published: number; rounds: number }> = [];
      while (Date.now() < deadline) {
        rows = await query(
          'select count(published_at)::int as published, count(distinct published_at)::int as rounds from outbox where topic = $1',
          [topic],
        );
        if (rows[0]!.published === users.length) break;
        await sleep(50);
      }
      expect(rows[0]).toEqual({ published: users.length, rounds: 1 });
    } finally {
      await relay.stop();
      await publisher.close();
    }
  });

  it('when publishing a round fails, then nothing is marked and the next round hands over the same rows, oldest first, up to its limit', async () => {
    const topic = await newTopic();
    const repo = replicas[0]!.repo;
    // Rows the other tests here left unpublished (no relay ran for them) would join these rounds.
    while ((await repo.relayBatch(1000, () => Promise.resolve())) > 0);
    const users = Array.from({ length: 5 }, () => randomUUID());
    for (const [i, u] of users.entries()) await repo.enqueue(event(topic, u, i));

    await expect(repo.relayBatch(100, () => Promise.reject(new Error('broker unavailable')))).rejects.toThrow(
      'broker unavailable',
    );
    const [left] = await query<{ n: number }>(
      'select count(*)::int as n from outbox where topic = $1 and published_at is null',
      [topic],
    );
    expect(left!.n).toBe(users.length);

    const rounds: OutboxEvent[][] = [];
    const take = (events: OutboxEvent[]) => {
      rounds.push(events);
      return Promise.resolve();
    };
    expect(await repo.relayBatch(3, take)).toBe(3);
    expect(await repo.relayBatch(3, take)).toBe(2);
    expect(await repo.relayBatch(3, take)).toBe(0);
    expect(rounds.flat().map((e) => e.key)).toEqual(users);
    expect(rounds.flat()[0]).toEqual(event(topic, users[0]!, 0));
    const [unpublished] = await query<{ n: number }>(
      'select count(*)::int as n from outbox where topic = $1 and published_at is null',
      [topic],
    );
    expect(unpublished!.n).toBe(0);
  });
});
