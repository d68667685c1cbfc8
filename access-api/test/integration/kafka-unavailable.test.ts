import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:net';
import { createLogger } from '@regflow/common';
import { loadAccessApiConfig } from '../../src/config';
import { startAccessApi, type AccessApi } from '../../src/service';

describe('access-api when Kafka cannot be reached', () => {
  let api: AccessApi;
  let blackhole: Server;

  beforeAll(async () => {
    // A port that accepts TCP but never speaks Kafka: the worst case, a broker that hangs.
    blackhole = createServer(() => {});
    await new Promise<void>((r) => blackhole.listen(0, '127.0.0.1', () => r()));
    const port = (blackhole.address() as { port: number }).port;
    api = await startAccessApi(loadAccessApiConfig({ KAFKA_BROKERS: `127.0.0.1:${port}`, PORT: '0' }), createLogger('access-api', 'silent'));
  });

  afterAll(async () => {
    await api?.stop();
    blackhole?.close();
  });

  it('when a valid sign-up arrives, then it answers 503 problem+json with Retry-After and no id', async () => {
    const res = await fetch(`${api.url}/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Ana', email: 'ana@example.com' }),
    });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    const body = (await res.json()) as Record<string, unknown>;
    expect(body.code).toBe('DEPENDENCY.UNAVAILABLE');
    expect(body).not.toHaveProperty('id');
  });

  it('when asked for readiness, then /readyz is 503 naming kafka while /healthz is 200', async () => {
    expect((await fetch(`${api.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${api.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(((await ready.json()) as { checks: Record<string, string> }).checks.kafka).not.toBe('ok');
  });
});
