import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import pg from 'pg';
import { createClient, type RedisClientType } from 'redis';
import { createLogger, newId } from '@regflow/common';
import { type ConsumerService } from '../../src/service';
import { StagingStore } from '../../src/data-access/staging-store';
import { ADMIN, eventually, signIn } from '../../../test/support/services';
import { capturingLogger, startConsumerAlone } from '../../../test/support/consumer';

/** One approval through the admin API, and everything it must leave behind, on the real servers. */
describe('consumer-mq decide path', () => {
  let service: ConsumerService;
  let store: StagingStore;
  let subscriber: RedisClientType;
  let db: pg.Client;
  let admin: Record<string, string>;
  const lines: Array<Record<string, unknown>> = [];
  const liveEvents: Array<{ type: string; data: { id: string; outcome: string } }> = [];

  beforeAll(async () => {
    const env = inject('stackEnv');
    service = await startConsumerAlone({}, capturingLogger('consumer-mq', lines));
    admin = await signIn(service.url);
    store = await StagingStore.connect(env.REDIS_URL, createLogger('test', 'silent'));
    subscriber = createClient({ url: env.REDIS_URL });
    await subscriber.connect();
    await subscriber.subscribe('regflow:admin-events', (message) =>
      liveEvents.push(JSON.parse(message) as (typeof liveEvents)[number]),
    );
    db = new pg.Client({ connectionString: env.DATABASE_URL });
    await db.connect();
  });

  afterAll(async () => {
    await subscriber?.close();
    await store?.close();
    await db?.end();
    await service?.stop();
  });

  it('when an admin approves, then the decision and its event are stored, the user leaves the queue, the consoles hear of it, the event is relayed, and one log line tells it', async () => {
    const id = newId();
    const now = new Date().toISOString();
    const correlationId = `test-${newId()}`;
    expect(
      await store.stage({
        id,
        name: 'Decide Test',
        email: `decide.${id}@example.com`,
        registeredAt: now,
        stagedAt: now,
        correlationId,
      }),
    ).toBe('staged');

    const res = await fetch(`${service.url}/admin/users/${id}/approve`, { method: 'POST', headers: admin });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { status: string; decidedBy: string; decidedAt: string };
    expect(body).toMatchObject({ status: 'approved', decidedBy: ADMIN.email });

    // Answered only after the user left the queue, with a tombstone against late duplicates.
    expect(await store.get(id)).toBeNull();
    expect(
      await store.stage({
        id,
        name: 'Decide Test',
        email: `decide.${id}@example.com`,
        registeredAt: now,
        stagedAt: now,
      }),
    ).toBe('already-decided');
    const { rows } = await db.query<{ outcome: string; correlation_id: string; approved: number; events: number }>(
      `select d.outcome, d.correlation_id,
              (select count(*)::int from approved_users where id = d.user_id) as approved,
              (select count(*)::int from outbox where key = d.user_id::text) as events
         from decisions d where d.user_id = $1`,
      [id],
    );
    expect(rows).toEqual([{ outcome: 'approved', correlation_id: correlationId, approved: 1, events: 1 }]);
    await eventually(
      async () => liveEvents.find((e) => e.type === 'registration.decided' && e.data.id === id),
      5000,
      'the live event',
    );
    // The outbox row is marked only once Kafka acknowledged the event.
    await eventually(
      async () =>
        (await db.query('select 1 from outbox where key = $1 and published_at is not null', [id])).rowCount === 1,
      10_000,
      'the event relayed',
    );

    // The request's own lines: the decision-email listener, reading the relayed event, logs the email it
    // sends under this id too, on its own time.
    const mentioning = lines.filter((l) => 'res' in l && JSON.stringify(l).includes(id));
    expect(mentioning).toHaveLength(1);
    expect(mentioning[0]).toMatchObject({
      msg: 'request completed',
      userId: id,
      outcome: 'approved',
      registrationCorrelationId: correlationId,
      res: { statusCode: 200 },
    });

    const again = await fetch(`${service.url}/admin/users/${id}/approve`, { method: 'POST', headers: admin });
    expect(again.status).toBe(409);
    expect(await again.json()).toMatchObject({
      code: 'REGISTRATION.ALREADY_DECIDED',
      decidedBy: ADMIN.email,
      decidedAt: body.decidedAt,
    });
  });
});
