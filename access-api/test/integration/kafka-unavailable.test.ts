import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:net';
import { createLogger } from '@regflow/common';
import { loadAccessApiConfig } from '../../src/config';
import { startAccessApi, type AccessApi } from '../../src/service';

const signUp = (api: AccessApi) =>
  fetch(`${api.url}/users`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'Ana', email: 'ana@example.com' }) });

describe('access-api when Kafka cannot be reached', () => {
  let silent: AccessApi;
  let refused: AccessApi;
  let blackhole: Server;

  beforeAll(async () => {
    // A port that accepts TCP but never speaks Kafka: a broker that hangs, the worst case.
    blackhole = createServer(() => {});
    await new Promise<void>((r) => blackhole.listen(0, '127.0.0.1', () => r()));
    const silentPort = (blackhole.address() as { port: number }).port;
    // A port nobody listens on: every connection is refused.
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()));
    const closedPort = (closed.address() as { port: number }).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const logger = createLogger('access-api', 'silent');
    silent = await startAccessApi(loadAccessApiConfig({ KAFKA_BROKERS: `127.0.0.1:${silentPort}`, PORT: '0' }), logger);
    refused = await startAccessApi(loadAccessApiConfig({ KAFKA_BROKERS: `127.0.0.1:${closedPort}`, PORT: '0' }), logger);
  });

  afterAll(async () => {
    await Promise.allSettled([silent?.stop(), refused?.stop()]);
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

  it('when the broker takes the request but never answers, then it answers 503 saying the outcome is unknown, with the id to check', async () => {
    const res = await signUp(silent);
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
