import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { createClient } from 'redis';
import { createKafka, type Kafka } from '@regflow/common/kafka';
import { TOPICS, createLogger, formatCpf, newId, randomCpf } from '@regflow/common';
import { buildRegistration, eventually, signIn, startServices, warmUp } from '../support/services';

type Services = Awaited<ReturnType<typeof startServices>>;

describe('registration pipeline, end to end on the real servers', () => {
  let sys: Services;
  let admin: Record<string, string>;
  let db: pg.Client;
  let redis: ReturnType<typeof createClient>;
  let kafka: Kafka;

  const post = (body: unknown, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
    fetch(`${sys.access.url}/users`, {
      method: 'POST',
      headers,
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  const adminGet = (path: string) => fetch(`${sys.consumer.url}${path}`, { headers: admin });
  const adminPost = (path: string, body?: unknown) =>
    fetch(`${sys.consumer.url}${path}`, {
      method: 'POST',
      headers: { ...admin, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const pendingIds = async () => {
    const res = await adminGet('/admin/pending?limit=500');
    return ((await res.json()) as { items: { id: string }[] }).items.map((i) => i.id);
  };
  const searchStatus = async (id: string, q: string) => {
    const res = await fetch(`${sys.orchestrator.url}/users/search?q=${encodeURIComponent(q)}`);
    const body = (await res.json()) as { items: { id: string; status: string }[] };
    return body.items.find((i) => i.id === id)?.status;
  };
  const topicEnd = async (topic: string) => {
    const adminClient = kafka.admin();
    await adminClient.connect();
    try {
      const offsets = await adminClient.fetchTopicOffsets(topic);
      return offsets.reduce((sum, p) => sum + Number(p.high), 0);
    } finally {
      await adminClient.disconnect();
    }
  };
  const accept = async (overrides: Record<string, unknown> = {}) => {
    const registration = buildRegistration(overrides);
    const res = await post(registration);
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    return { id, registration };
  };

  beforeAll(async () => {
    sys = await startServices({ EMAIL_CONFIRMATION: 'off' });
    admin = await signIn(sys.consumer.url);
    db = new pg.Client({ connectionString: sys.env.DATABASE_URL });
    await db.connect();
    redis = createClient({ url: sys.env.REDIS_URL });
    redis.on('error', () => {});
    await redis.connect();
    kafka = createKafka({
      clientId: 'test',
      brokers: sys.env.KAFKA_BROKERS.split(','),
      logger: createLogger('test', 'silent'),
    });
    await warmUp(sys, admin);
  });

  afterAll(async () => {
    await sys?.stop();
    await db?.end();
    await redis?.close();
  });

  it('when a valid registration is posted, then it answers 202 with a v7 id and Location, and the user is pending within 5 s', async () => {
    // A CPF of its own: a fixed one would be held by this test's registration of an earlier run, still
    // pending, and this one would end as a duplicate.
    const cpf = randomCpf();
    const registration = buildRegistration({
      cpf: formatCpf(cpf),
      phone: '+55 11 98765-4321',
      note: 'Please let me in',
    });
    const res = await post(registration);
    expect(res.status).toBe(202);
    const body = (await res.json()) as { id: string; status: string };
    expect(body.status).toBe('pending');
    expect(body.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(res.headers.get('location')).toBe(`/users/${body.id}`);

    await eventually(
      async () => (await pendingIds()).includes(body.id),
      5000,
      'the registration in GET /admin/pending',
    );
    const page = (await (await adminGet('/admin/pending?limit=500')).json()) as { items: Record<string, string>[] };
    const staged = page.items.find((i) => i.id === body.id)!;
    expect(staged).toMatchObject({ email: registration.email, cpf, phone: '+5511987654321', note: 'Please let me in' });
    const status = await eventually(async () => {
      const r = await fetch(`${sys.access.url}/users/${body.id}`);
      return r.status === 200 ? ((await r.json()) as { status: string }) : null;
    });
    expect(status).toEqual({ id: body.id, status: 'pending' });
  });

  it('when an admin approves, then the user is in Postgres, gone from Redis, recorded as a decision, and search shows approved', async () => {
    const { id, registration } = await accept();
    await eventually(async () => (await pendingIds()).includes(id), 5000, 'staged');

    const res = await adminPost(`/admin/users/${id}/approve`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id, status: 'approved', decidedBy: 'admin@test.local' });

    const row = await db.query('select email, approved_by from approved_users where id = $1', [id]);
    expect(row.rows).toEqual([{ email: registration.email, approved_by: 'admin@test.local' }]);
    const decision = await db.query('select outcome, decided_by from decisions where user_id = $1', [id]);
    expect(decision.rows).toEqual([{ outcome: 'approved', decided_by: 'admin@test.local' }]);
    expect(await redis.exists(`regflow:user:${id}`)).toBe(0);
    expect(await pendingIds()).not.toContain(id);
    expect(
      await eventually(
        async () => (await searchStatus(id, registration.email)) === 'approved',
        45_000,
        'search to show approved',
      ),
    ).toBe(true);
  });

  it('when an admin rejects with a reason, then the user leaves Redis, is not in approved_users, and search shows rejected', async () => {
    const { id, registration } = await accept();
    await eventually(async () => (await pendingIds()).includes(id), 5000, 'staged');

    const res = await adminPost(`/admin/users/${id}/reject`, { reason: 'Duplicate of an older account' });
    expect(res.status).toBe(200);

    expect((await db.query('select 1 from approved_users where id = $1', [id])).rowCount).toBe(0);
    const decision = await db.query('select outcome, reason from decisions where user_id = $1', [id]);
    expect(decision.rows).toEqual([{ outcome: 'rejected', reason: 'Duplicate of an older account' }]);
    expect(await redis.exists(`regflow:user:${id}`)).toBe(0);
    expect(
      await eventually(
        async () => (await searchStatus(id, registration.email)) === 'rejected',
        45_000,
        'search to show rejected',
      ),
    ).toBe(true);
    const detail = (await (await adminGet(`/admin/users/${id}`)).json()) as {
      status: string;
      decision: { reason: string };
    };
    expect(detail).toMatchObject({ status: 'rejected', decision: { reason: 'Duplicate of an older account' } });
  });

  it('when a decided registration is decided again, then it answers 409 problem+json saying who decided and when', async () => {
    const { id } = await accept();
    await eventually(async () => (await pendingIds()).includes(id), 5000, 'staged');
    expect((await adminPost(`/admin/users/${id}/approve`)).status).toBe(200);

    const again = await adminPost(`/admin/users/${id}/reject`, {});
    expect(again.status).toBe(409);
    expect(again.headers.get('content-type')).toContain('application/problem+json');
    expect(await again.json()).toMatchObject({
      code: 'REGISTRATION.ALREADY_DECIDED',
      outcome: 'approved',
      decidedBy: 'admin@test.local',
    });
    const unknown = await adminPost('/admin/users/01890000-0000-7000-8000-000000000000/approve');
    expect(unknown.status).toBe(404);
  });

  it('when the input is invalid, then it answers 4xx problem+json naming each field and publishes nothing', async () => {
    const before = await topicEnd(TOPICS.registrationRequested);

    const bad = await post({ name: '', email: 'not-an-email', cpf: '123.456.789-00', phone: '11 9999', role: 'admin' });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toContain('application/problem+json');
    const problem = (await bad.json()) as { errors: { field: string }[] };
    expect(problem.errors.map((e) => e.field).sort()).toEqual(['cpf', 'email', 'name', 'phone', 'role']);
    expect((await post('name=x', { 'content-type': 'application/x-www-form-urlencoded' })).status).toBe(415);
    expect((await post(JSON.stringify({ name: 'x'.repeat(17 * 1024), email: 'a@b.co' }))).status).toBe(413);
    expect((await post('{"name":')).status).toBe(400);

    // A valid sign-up last: its 202 comes once Kafka has it, and the publisher keeps order, so anything
    // the refused requests had published would be in the topic by then too.
    await accept();
    expect(await topicEnd(TOPICS.registrationRequested)).toBe(before + 1);
  });

  it('when a poisoned event reaches the orchestrator, then it is dead-lettered with the reason and later registrations still flow', async () => {
    const dlqBefore = await topicEnd(TOPICS.deadLetter).catch(() => 0);
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: TOPICS.registrationRequested,
      messages: [{ key: 'poison', value: '{"type":"UserRegistrationRequested","version":1}' }],
    });
    await producer.disconnect();

    await eventually(
      async () => (await topicEnd(TOPICS.deadLetter).catch(() => 0)) > dlqBefore,
      15_000,
      'the poisoned event in the dead-letter topic',
    );
    const { id } = await accept();
    await eventually(async () => (await pendingIds()).includes(id), 5000, 'a later registration to be staged');
  });

  it('when a poisoned decision reaches the orchestrator, then it is dead-lettered with the reason and the next decision on its partition still reaches the index', async () => {
    const { id, registration } = await accept();
    await eventually(async () => (await pendingIds()).includes(id), 5000, 'staged');
    // Keyed by the user id, as decisions are: the poison and the decision after it share a partition.
    const marker = `poison-${newId()}`;
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: TOPICS.registrationDecided,
      messages: [{ key: id, value: JSON.stringify({ type: 'UserRegistrationDecided', version: 1, marker }) }],
    });
    await producer.disconnect();

    // consumer-mq archives the orchestrator's dead letters: the archive says where it failed and why.
    const entry = await eventually(
      async () => {
        const list = (await (await adminGet('/admin/dead-letters?limit=500')).json()) as {
          items: Array<{ source: string; destination: string; reason: string; payload: string }>;
        };
        return list.items.find((i) => i.payload.includes(marker));
      },
      30_000,
      'the poisoned decision archived from the dead-letter topic',
    );
    expect(entry).toMatchObject({ source: 'kafka', destination: TOPICS.registrationDecided });
    expect(entry.reason).toMatch(/schema/);
    expect((await adminPost(`/admin/users/${id}/approve`)).status).toBe(200);
    expect(
      await eventually(
        async () => (await searchStatus(id, registration.email)) === 'approved',
        45_000,
        'search to show approved',
      ),
    ).toBe(true);
  });

  it('when Prometheus scrapes, then each service reports the flow it handled', async () => {
    const text = async (url: string) => (await fetch(`${url}/metrics`)).text();
    const orchestrator = await text(sys.orchestrator.url);
    expect(orchestrator).toMatch(
      /kafka_records_total\{topic="user\.registration\.requested\.v1",outcome="processed",service="orchestrator-api"\} [1-9]/,
    );
    expect(orchestrator).toMatch(
      /kafka_records_total\{topic="user\.registration\.requested\.v1",outcome="dead_lettered",service="orchestrator-api"\} [1-9]/,
    );
    expect(orchestrator).toMatch(/kafka_consumer_lag\{/);
    const consumer = await text(sys.consumer.url);
    expect(consumer).toMatch(
      /queue_messages_total\{destination="\/queue\/user\.registration\.review",event="ack",service="consumer-mq"\} [1-9]/,
    );
    expect(consumer).toMatch(/registrations_pending\{service="consumer-mq"\} \d+/);
    expect(consumer).toMatch(/decisions_today\{outcome="approved",service="consumer-mq"\} [1-9]/);
    expect(await text(sys.access.url)).toMatch(
      /http_requests_total\{method="POST",route="\/users",status="202",service="access-api"\} [1-9]/,
    );
  });

  it('when signed out, then admin routes answer 401 and a wrong password is refused', async () => {
    expect((await fetch(`${sys.consumer.url}/admin/pending`)).status).toBe(401);
    const wrong = await fetch(`${sys.consumer.url}/admin/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'admin@test.local', password: 'nope' }),
    });
    expect(wrong.status).toBe(401);
    const noCsrf = await fetch(`${sys.consumer.url}/admin/users/01890000-0000-7000-8000-000000000000/approve`, {
      method: 'POST',
      headers: { cookie: admin.cookie! },
    });
    expect(noCsrf.status).toBe(403);
  });
});
