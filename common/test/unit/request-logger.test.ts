import { describe, expect, it } from 'vitest';
import express from 'express';
import request from 'supertest';
import { Writable } from 'node:stream';
import { createLogger } from '../../src/logger';
import { logFields, requestLogger } from '../../src/http/correlation';

function appWithLog() {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean))
        lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const logger = createLogger('test', 'info', sink);
  const app = express();
  app.use(requestLogger(logger));
  app.get('/healthz', (_req, res) => void res.send('ok'));
  app.post('/things', (req, res) => {
    req.log.info({ step: 'handler' }, 'inside');
    logFields(res, { thingId: 't-1' });
    res.status(202).json({ ok: true });
  });
  app.get('/missing', (_req, res) => void res.status(404).end());
  app.get('/broken', (_req, res) => void res.status(500).end());
  return { app, lines };
}

const settle = () => new Promise((r) => setImmediate(r));

describe('requestLogger', () => {
  it('when a request carries a sane correlation id, then it is echoed, on req.log lines and on the one request line with the handler fields and no query values', async () => {
    const { app, lines } = appWithLog();
    const res = await request(app)
      .post('/things?email=ana@example.com&q=x')
      .set('x-correlation-id', 'abc-123')
      .send({});
    await settle();
    expect(res.headers['x-correlation-id']).toBe('abc-123');
    const inside = lines.find((l) => l.msg === 'inside');
    expect(inside).toMatchObject({ correlationId: 'abc-123', step: 'handler', level: 'info' });
    const done = lines.filter((l) => l.msg === 'request completed');
    expect(done).toHaveLength(1);
    expect(done[0]).toMatchObject({
      correlationId: 'abc-123',
      req: { method: 'POST', url: '/things?email=***&q=***' },
      res: { statusCode: 202 },
      thingId: 't-1',
      level: 'info',
    });
    expect(typeof done[0]!.responseTime).toBe('number');
    expect(JSON.stringify(lines)).not.toContain('ana@example.com');
  });

  it('when the caller sends no id or an unsafe one, then a UUID is generated', async () => {
    const { app } = appWithLog();
    const res = await request(app).post('/things').set('x-correlation-id', 'bad id\twith spaces').send({});
    expect(res.headers['x-correlation-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('when requests fail or are probes, then 4xx logs warn, 5xx logs error, and health probes are not logged', async () => {
    const { app, lines } = appWithLog();
    await request(app).get('/missing');
    await request(app).get('/broken');
    await request(app).get('/healthz');
    await settle();
    expect(lines.map((l) => [l.level, (l.res as { statusCode: number }).statusCode])).toEqual([
      ['warn', 404],
      ['error', 500],
    ]);
  });
});
