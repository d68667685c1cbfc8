import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { QUEUES, createLogger, newId, type ReviewMessage } from '@regflow/common';
import { StompSession } from '@regflow/common/stomp';
import { type ConsumerService } from '../../src/service';
import { eventually, signIn } from '../../../test/support/services';
import { capturingLogger, startConsumerAlone } from '../../../test/support/consumer';

function buildReviewMessage(overrides: Partial<ReviewMessage['data']> = {}): ReviewMessage {
  const now = new Date().toISOString();
  return {
    type: 'RegistrationQueuedForReview',
    version: 1,
    eventId: newId(),
    occurredAt: now,
    correlationId: `test-${newId()}`,
    data: {
      id: newId(),
      name: 'Queue Test',
      email: `queue.${Date.now()}@example.com`,
      registeredAt: now,
      indexedAt: now,
      ...overrides,
    },
  };
}

describe('consumer-mq review queue on a real ActiveMQ', () => {
  let service: ConsumerService;
  let stomp: StompSession;
  let admin: Record<string, string>;
  const logger = createLogger('test', 'silent');
  // The service's own log lines: "duplicate delivery ignored" is the signal that a redelivery was handled.
  const lines: Array<Record<string, unknown>> = [];
  const ignored = (id: string, result: string) =>
    eventually(
      async () => lines.some((l) => l.msg === 'duplicate delivery ignored' && l.userId === id && l.result === result),
      10_000,
      `the delivery of ${id} ignored as ${result}`,
    );

  const pending = async () => {
    const res = await fetch(`${service.url}/admin/pending?limit=500`, { headers: admin });
    return ((await res.json()) as { items: { id: string }[] }).items.map((i) => i.id);
  };

  beforeAll(async () => {
    const env = inject('stackEnv');
    service = await startConsumerAlone({}, capturingLogger('consumer-mq', lines));
    admin = await signIn(service.url);
    stomp = new StompSession(env.STOMP_URL, logger);
    stomp.start();
  });

  afterAll(async () => {
    await stomp?.close();
    await service?.stop();
  });

  it('when the same registration is delivered twice, then it is staged once', async () => {
    const message = buildReviewMessage();
    await stomp.send(QUEUES.review, JSON.stringify(message));
    await stomp.send(QUEUES.review, JSON.stringify({ ...message, eventId: newId() }));
    await eventually(async () => (await pending()).includes(message.data.id), 10_000, 'staged');
    await ignored(message.data.id, 'already-staged');
    expect((await pending()).filter((id) => id === message.data.id)).toHaveLength(1);
  });

  it('when a message is not a valid registration, then it goes to the dead-letter queue with the reason and the queue moves on', async () => {
    const marker = `poison-${newId()}`;
    await stomp.send(QUEUES.review, JSON.stringify({ type: 'RegistrationQueuedForReview', marker }));
    const next = buildReviewMessage();
    await stomp.send(QUEUES.review, JSON.stringify(next));

    // consumer-mq archives its own dead-letter queue; the archive shows what landed there and why.
    const entry = await eventually(
      async () => {
        const res = await fetch(`${service.url}/admin/dead-letters`, { headers: admin });
        const body = (await res.json()) as {
          items: Array<{ source: string; payload: string; reason: string; destination: string }>;
        };
        return body.items.find((d) => d.payload.includes(marker));
      },
      10_000,
      'the poison message archived from the DLQ',
    );
    expect(entry).toMatchObject({ source: 'activemq', destination: QUEUES.review });
    expect(entry.reason).toMatch(/schema/);
    await eventually(async () => (await pending()).includes(next.data.id), 10_000, 'the next message staged');
  });

  it('when a registration was already decided, then a late duplicate delivery does not bring it back', async () => {
    const message = buildReviewMessage();
    await stomp.send(QUEUES.review, JSON.stringify(message));
    await eventually(async () => (await pending()).includes(message.data.id), 10_000, 'staged');
    const res = await fetch(`${service.url}/admin/users/${message.data.id}/reject`, {
      method: 'POST',
      headers: { ...admin, 'content-type': 'application/json' },
      body: JSON.stringify({ reason: 'spam' }),
    });
    expect(res.status).toBe(200);

    await stomp.send(QUEUES.review, JSON.stringify({ ...message, eventId: newId() }));
    await ignored(message.data.id, 'already-decided');
    expect(await pending()).not.toContain(message.data.id);
  });

  it('when two admins decide the same registration at once, then exactly one wins and the other gets 409', async () => {
    const message = buildReviewMessage();
    await stomp.send(QUEUES.review, JSON.stringify(message));
    await eventually(async () => (await pending()).includes(message.data.id), 10_000, 'staged');
    const second = await signIn(service.url);
    const decide = (headers: Record<string, string>, action: string) =>
      fetch(`${service.url}/admin/users/${message.data.id}/${action}`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: '{}',
      });
    const statuses = (
      await Promise.all([
        decide(admin, 'approve'),
        decide(second, 'reject'),
        decide(admin, 'approve'),
        decide(second, 'approve'),
      ])
    ).map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(3);
  });
});
