import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { createClient } from 'redis';
import { Client as EsClient } from '@elastic/elasticsearch';
import { createKafka, type Kafka } from '@regflow/common/kafka';
import { HEADERS, QUEUES, TOPICS, createLogger, newId } from '@regflow/common';
import { StompSession } from '@regflow/common/stomp';
import { buildRegistration, eventually, signIn, startServices, warmUp } from '../support/services';

type Services = Awaited<ReturnType<typeof startServices>>;

describe('operations: reconciliation and dead letters', () => {
  let sys: Services;
  let admin: Record<string, string>;
  let redis: ReturnType<typeof createClient>;
  let es: EsClient;
  let kafka: Kafka;

  const adminFetch = (path: string, init: RequestInit = {}) =>
    fetch(`${sys.consumer.url}${path}`, {
      ...init,
      headers: { ...admin, 'content-type': 'application/json', ...(init.headers as Record<string, string>) },
    });
  const pendingIds = async () =>
    ((await (await adminFetch('/admin/pending?limit=500')).json()) as { items: { id: string }[] }).items.map(
      (i) => i.id,
    );
  const indexStatus = async (id: string) =>
    ((await (await fetch(`${sys.orchestrator.url}/users/${id}`)).json()) as { status: string }).status;
  const acceptAndStage = async () => {
    const registration = buildRegistration();
    const res = await fetch(`${sys.access.url}/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(registration),
    });
    const { id } = (await res.json()) as { id: string };
    await eventually(async () => (await pendingIds()).includes(id), 30_000, 'staged');
    return { id, email: registration.email };
  };
  /**
   * Reconciliation finds pending documents through search, which sees a write after the next refresh
   * (docs/guarantees.md): wait until search shows the drift, as an operator looking for it would.
   */
  const searchShowsPending = (id: string, email: string) =>
    eventually(
      async () => {
        const res = await fetch(`${sys.orchestrator.url}/users/search?status=pending&q=${encodeURIComponent(email)}`);
        return ((await res.json()) as { items: { id: string }[] }).items.some((i) => i.id === id);
      },
      10_000,
      `search to show ${id} as pending`,
    );
  /** The audit trail's entries with this action (and registration), as Postgres holds them. */
  const audited = async (action: string, registrationId?: string) => {
    const db = new pg.Client({ connectionString: sys.env.DATABASE_URL });
    await db.connect();
    try {
      const { rows } = await db.query(
        'select actor, registration_id, detail from audit_log where action = $1 and ($2::uuid is null or registration_id = $2) order by id',
        [action, registrationId ?? null],
      );
      return rows as Array<{ actor: string; registration_id: string | null; detail: Record<string, unknown> }>;
    } finally {
      await db.end();
    }
  };
  const reconcile = async () => {
    const res = await adminFetch('/admin/reconcile', { method: 'POST' });
    expect(res.status).toBe(200);
    return (await res.json()) as { repaired: Record<string, string[]> };
  };

  beforeAll(async () => {
    sys = await startServices({
      EMAIL_CONFIRMATION: 'off',
      RECONCILE_GRACE_SECONDS: '0',
      RECONCILE_INTERVAL_SECONDS: '0',
    });
    admin = await signIn(sys.consumer.url);
    redis = createClient({ url: sys.env.REDIS_URL });
    redis.on('error', () => {});
    await redis.connect();
    es = new EsClient({ node: sys.env.ELASTICSEARCH_URL });
    kafka = createKafka({
      clientId: 'test',
      brokers: sys.env.KAFKA_BROKERS.split(','),
      logger: createLogger('test', 'silent'),
    });
    await warmUp(sys, admin);
  });

  afterAll(async () => {
    await sys?.stop();
    await redis?.close();
    await es?.close();
  });

  it('when a decided user is back in the Redis queue (a crash between the writes), then reconciliation removes it', async () => {
    const { id } = await acceptAndStage();
    const staged = await redis.hGet(`regflow:user:${id}`, 'json');
    expect((await adminFetch(`/admin/users/${id}/approve`, { method: 'POST' })).status).toBe(200);
    await redis.zAdd('regflow:pending', { score: Date.now(), value: id });
    await redis.hSet(`regflow:user:${id}`, 'json', staged!);
    expect(await pendingIds()).toContain(id);

    const report = await reconcile();
    expect(report.repaired.stagedButDecided).toContain(id);
    expect(await audited('reconciliation.repaired', id)).toContainEqual({
      actor: 'system',
      registration_id: id,
      detail: { repair: 'stagedButDecided' },
    });
    expect(await pendingIds()).not.toContain(id);
  });

  it('when the search index missed a decision, then reconciliation sends it again and search catches up', async () => {
    const { id, email } = await acceptAndStage();
    expect((await adminFetch(`/admin/users/${id}/reject`, { method: 'POST', body: '{"reason":"test"}' })).status).toBe(
      200,
    );
    await eventually(async () => (await indexStatus(id)) === 'rejected', 45_000, 'index rejected');
    await es.update({ index: 'users', id, doc: { status: 'pending' } });
    await searchShowsPending(id, email);

    const report = await reconcile();
    expect(report.repaired.indexBehind).toContain(id);
    expect(await audited('reconciliation.repaired', id)).toContainEqual({
      actor: 'system',
      registration_id: id,
      detail: { repair: 'indexBehind' },
    });
    await eventually(async () => (await indexStatus(id)) === 'rejected', 45_000, 'index repaired');
  });

  it('when a pending registration vanished from Redis, then reconciliation stages it again from the index', async () => {
    const { id, email } = await acceptAndStage();
    await redis.zRem('regflow:pending', id);
    await redis.del(`regflow:user:${id}`);
    await searchShowsPending(id, email);

    const report = await reconcile();
    expect(report.repaired.missingFromQueue).toContain(id);
    expect(await audited('reconciliation.repaired', id)).toContainEqual({
      actor: 'system',
      registration_id: id,
      detail: { repair: 'missingFromQueue' },
    });
    expect(await pendingIds()).toContain(id);
  });

  it('when an event was dead-lettered in Kafka, then it is listed with its reason and a replay sends it through', async () => {
    const id = newId();
    const now = new Date().toISOString();
    const event = {
      type: 'UserRegistrationRequested',
      version: 1,
      eventId: newId(),
      occurredAt: now,
      correlationId: `dlq-${id}`,
      data: { id, name: 'Dead Letter', email: `dl.${id}@example.com`, registeredAt: now },
    };
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: TOPICS.deadLetter,
      messages: [
        {
          key: event.data.email,
          value: JSON.stringify(event),
          headers: {
            [HEADERS.eventType]: event.type,
            'dlq-error': 'TransientError: Elasticsearch was down',
            'dlq-attempts': '8',
            'dlq-original-topic': TOPICS.registrationRequested,
            'dlq-original-partition': '0',
            'dlq-original-offset': `${Date.now()}`,
          },
        },
      ],
    });
    await producer.disconnect();

    const entry = await eventually(
      async () => {
        const list = (await (await adminFetch('/admin/dead-letters')).json()) as {
          items: Array<{ id: number; reason: string; payload: string; source: string }>;
        };
        return list.items.find((i) => i.payload.includes(id));
      },
      20_000,
      'the dead letter archived',
    );
    expect(entry).toMatchObject({ source: 'kafka', reason: 'TransientError: Elasticsearch was down' });

    const replay = (await (
      await adminFetch('/admin/dead-letters/replay', { method: 'POST', body: JSON.stringify({ ids: [entry.id] }) })
    ).json()) as { replayed: number[] };
    expect(replay.replayed).toEqual([entry.id]);
    expect((await audited('dead-letters.replayed')).map((e) => e.detail)).toContainEqual({
      requested: 1,
      replayed: [entry.id],
      failed: [],
    });
    await eventually(async () => (await pendingIds()).includes(id), 15_000, 'the replayed registration staged');
    const again = (await (
      await adminFetch('/admin/dead-letters/replay', { method: 'POST', body: JSON.stringify({ ids: [entry.id] }) })
    ).json()) as { replayed: number[] };
    expect(again.replayed).toEqual([]);
  });

  it('when a record on the dead-letter topic is not ours and holds what Postgres cannot store, then it is archived all the same and the archive moves on', async () => {
    const poison = `nul-${newId()}`;
    const next = `after-${newId()}`;
    const producer = kafka.producer();
    await producer.connect();
    // One key, so one partition: the second is archived only if the first did not stall it.
    await producer.send({
      topic: TOPICS.deadLetter,
      messages: [
        { key: poison, value: `not json \u0000 ${poison}`, headers: { 'dlq-error': 'written by hand\u0000' } },
        { key: poison, value: JSON.stringify({ next }) },
      ],
    });
    await producer.disconnect();

    const items = async () =>
      (
        (await (await adminFetch('/admin/dead-letters?limit=500')).json()) as {
          items: Array<{ source: string; reason: string; payload: string }>;
        }
      ).items;
    await eventually(
      async () => (await items()).some((i) => i.payload.includes(next)),
      20_000,
      'the dead letter after the poisoned one archived',
    );
    const archived = (await items()).find((i) => i.payload.includes(poison));
    expect(archived).toMatchObject({ source: 'kafka', payload: `not json \uFFFD ${poison}` });
    expect(archived!.reason).toMatch(/^written by hand\uFFFD .*NUL/);
  });

  it('when a queue message is invalid, then it is archived from the ActiveMQ dead-letter queue with the reason', async () => {
    const stomp = new StompSession(sys.env.STOMP_URL, createLogger('test', 'silent'));
    stomp.start();
    const marker = `bad-${newId()}`;
    try {
      await stomp.send(QUEUES.review, JSON.stringify({ marker }));
    } finally {
      await stomp.close();
    }
    const entry = await eventually(
      async () => {
        const list = (await (await adminFetch('/admin/dead-letters')).json()) as {
          items: Array<{ source: string; reason: string; payload: string }>;
        };
        return list.items.find((i) => i.payload.includes(marker));
      },
      20_000,
      'the queue dead letter archived',
    );
    expect(entry.source).toBe('activemq');
    expect(entry.reason).toMatch(/schema/);
  });

  it('when signed out, then the operations routes answer 401', async () => {
    expect((await fetch(`${sys.consumer.url}/admin/dead-letters`)).status).toBe(401);
    expect((await fetch(`${sys.consumer.url}/admin/reconcile`, { method: 'POST' })).status).toBe(401);
  });
});
