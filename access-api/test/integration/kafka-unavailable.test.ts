import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createServer, type Server } from 'node:net';
import { createLogger } from '@regflow/common';
import { KafkaProxy } from '../../../scripts/faults/kafka-proxy';
import { loadAccessApiConfig } from '../../src/config';
import { startAccessApi, type AccessApi } from '../../src/service';
import { EMAIL_TOKEN_SECRET } from '../../../test/support/services';

const signUp = (api: AccessApi, email = 'ana@example.com') =>
  fetch(`${api.url}/users`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Ana', email }),
  });

describe('access-api when Kafka cannot be reached', () => {
  let silent: AccessApi;
  let refused: AccessApi;
  let stalling: AccessApi;
  let blackhole: Server;
  let proxy: KafkaProxy;

  beforeAll(async () => {
    // A port that accepts TCP but never speaks Kafka: a broker that hangs from the start.
    blackhole = createServer(() => {});
    await new Promise<void>((r) => blackhole.listen(0, '127.0.0.1', () => r()));
    const silentPort = (blackhole.address() as { port: number }).port;
    // A port nobody listens on: every connection is refused.
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()));
    const closedPort = (closed.address() as { port: number }).port;
    await new Promise<void>((r) => closed.close(() => r()));
    // The real broker behind the fault suite's Kafka proxy, which can go silent mid-conversation.
    proxy = await KafkaProxy.start(inject('stackEnv').KAFKA_BROKERS);
    const logger = createLogger('access-api', 'silent');
    silent = await startAccessApi(
      loadAccessApiConfig({ KAFKA_BROKERS: `127.0.0.1:${silentPort}`, PORT: '0', EMAIL_TOKEN_SECRET }),
      logger,
    );
    refused = await startAccessApi(
      loadAccessApiConfig({ KAFKA_BROKERS: `127.0.0.1:${closedPort}`, PORT: '0', EMAIL_TOKEN_SECRET }),
      logger,
    );
    stalling = await startAccessApi(
      loadAccessApiConfig({ KAFKA_BROKERS: proxy.address, PORT: '0', EMAIL_TOKEN_SECRET }),
      logger,
    );
  });

  afterAll(async () => {
    await proxy?.close();
    await Promise.allSettled([silent?.stop(), refused?.stop(), stalling?.stop()]);
    blackhole?.close();
  });

  it('when every connection is refused, then it answers 503 problem+json with Retry-After, saying nothing was saved, and no id', async () => {
    const res = await signUp(refused);
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ code: 'DEPENDENCY.UNAVAILABLE' });
    expect(body.detail).toMatch(/nothing was saved/);
    expect(body).not.toHaveProperty('id');
  });

  it('when the broker accepts connections but never answers, then the sign-up never left: 503 saying nothing was saved', async () => {
    const res = await signUp(silent);
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ code: 'DEPENDENCY.UNAVAILABLE' });
    expect(body.detail).toMatch(/nothing was saved/);
    expect(body).not.toHaveProperty('id');
  });

  it('when the broker stalls after taking the request, then it answers 503 saying the outcome is unknown, with the id to check', async () => {
    // Connected, topic in place, producer id assigned: the next produce request goes on the wire.
    expect((await signUp(stalling, 'first@example.com')).status).toBe(202);
    await proxy.setMode('blackhole');
    const res = await signUp(stalling, 'second@example.com');
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
    const body = (await res.json()) as { code: string; id: string; location: string; detail: string };
    expect(body.code).toBe('REGISTRATION.UNCONFIRMED');
    expect(body.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(body.location).toBe(`/users/${body.id}`);
    expect(body.detail).not.toMatch(/nothing was saved/);
  });

  it('when asked for readiness, then /readyz is 503 naming kafka while /healthz is 200', async () => {
    expect((await fetch(`${silent.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${silent.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(((await ready.json()) as { checks: Record<string, string> }).checks.kafka).not.toBe('ok');
  });
});
