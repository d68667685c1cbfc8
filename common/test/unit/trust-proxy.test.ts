import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger';
import { createMetrics, createServiceApp } from '../../src/http';

const appTrusting = (trustProxy: boolean) =>
  createServiceApp(
    {
      logger: createLogger('test', 'silent'),
      metrics: createMetrics('test'),
      readiness: {},
      isShuttingDown: () => false,
      trustProxy,
    },
    (app) => app.get('/ip', (req, res) => void res.json({ ip: req.ip })),
  );

describe('the client address the rate limits and the sign-in throttle count against', () => {
  it('when TRUST_PROXY is on and a client sends its own X-Forwarded-For chain, then only the proxy-added last entry counts', async () => {
    const res = await request(appTrusting(true)).get('/ip').set('x-forwarded-for', '203.0.113.9, 198.51.100.7');
    expect(res.body).toEqual({ ip: '198.51.100.7' });
  });

  it('when TRUST_PROXY is off, then X-Forwarded-For is ignored', async () => {
    const res = await request(appTrusting(false)).get('/ip').set('x-forwarded-for', '198.51.100.7');
    expect(res.body.ip).not.toBe('198.51.100.7');
    expect(res.body.ip).toMatch(/127\.0\.0\.1|::1/);
  });
});
