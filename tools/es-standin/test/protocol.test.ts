import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectResponseError, startHarness, type Harness } from './fixture';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});

afterAll(async () => {
  await h.close();
});

async function raw(method: string, path: string, body?: string, contentType = 'application/json'): Promise<Response> {
  return fetch(`${h.standin.url}${path}`, {
    method,
    ...(body === undefined ? {} : { body, headers: { 'content-type': contentType } }),
  });
}

describe('cluster endpoints', () => {
  it('when the client asks for info, then a 9.x version body comes back', async () => {
    const info = await h.client.info();
    expect(info.version.number).toMatch(/^9\.\d+\.\d+$/);
    expect(info.tagline).toBe('You Know, for Search');
    expect(info.cluster_name).toBe('es-standin');
    expect(typeof info.cluster_uuid).toBe('string');
  });

  it('when the client pings, then HEAD / answers true', async () => {
    expect(await h.client.ping()).toBe(true);
  });

  it('when cluster health is requested, then the status is green', async () => {
    const health = await h.client.cluster.health();
    expect(health.status).toBe('green');
    expect(health.number_of_nodes).toBe(1);
  });

  it('when an index is refreshed, then the shard header reports success', async () => {
    await h.client.indices.create({ index: 'refreshing' });
    const res = await h.client.indices.refresh({ index: 'refreshing' });
    expect(res._shards).toEqual({ total: 2, successful: 1, failed: 0 });
  });
});

describe('wire protocol', () => {
  it('when any request is answered, success or error, then x-elastic-product is Elasticsearch', async () => {
    const responses = await Promise.all([
      raw('GET', '/'),
      raw('HEAD', '/'),
      raw('HEAD', '/missing-index'),
      raw('GET', '/missing-index/_doc/1'),
      raw('GET', '/_nodes/stats'),
      raw('PATCH', '/x/_doc/1'),
      raw('POST', '/x/_search', '{not json'),
    ]);
    expect(responses.map((r) => r.status)).toEqual([200, 200, 404, 404, 400, 405, 400]);
    for (const r of responses) expect(r.headers.get('x-elastic-product')).toBe('Elasticsearch');
  });

  it('when the client sends its compatibility media type, then the response uses it too', async () => {
    const r = await fetch(`${h.standin.url}/`, { headers: { accept: 'application/vnd.elasticsearch+json; compatible-with=9' } });
    expect(r.headers.get('content-type')).toBe('application/vnd.elasticsearch+json;compatible-with=9');
  });

  it('when an endpoint is not implemented, then 400 comes back in ES error shape naming the uri', async () => {
    const r = await raw('GET', '/_nodes/stats');
    expect(await r.json()).toEqual({
      error: {
        root_cause: [
          {
            type: 'unsupported_operation_exception',
            reason: 'no handler found for uri [/_nodes/stats] and method [GET] (es-standin implements only the endpoints the services use)',
          },
        ],
        type: 'unsupported_operation_exception',
        reason: 'no handler found for uri [/_nodes/stats] and method [GET] (es-standin implements only the endpoints the services use)',
      },
      status: 400,
    });
  });

  it('when a query string parameter is unknown, then the request is rejected like ES does', async () => {
    const err = await expectResponseError(() =>
      h.client.transport.request({ method: 'GET', path: '/', querystring: { bogus: 'x' } }),
    );
    expect(err.statusCode).toBe(400);
    expect((err.body as { error: { type: string; reason: string } }).error).toMatchObject({
      type: 'illegal_argument_exception',
      reason: 'request [/] contains unrecognized parameter: [bogus]',
    });
  });

  it('when a body is sent as text/plain, then 406 refuses the media type', async () => {
    const r = await raw('POST', '/x/_search', '{}', 'text/plain');
    expect(r.status).toBe(406);
    expect(((await r.json()) as { error: { type: string } }).error.type).toBe('media_type_header_exception');
  });

  it('when filter_path is given, then only the selected parts of the response come back', async () => {
    const r = await raw('GET', '/?filter_path=version.number,-version.build_*');
    expect(await r.json()).toEqual({ version: { number: expect.stringMatching(/^9\./) } });
  });

  it('when the client search helper is used (it adds filter_path), then it returns just the documents and their ids', async () => {
    await h.client.index({ index: 'helpers', id: '1', document: { name: 'Ana' } });
    await h.client.index({ index: 'helpers', id: '2', document: { name: 'Bia' } });
    const docs = await h.client.helpers.search<{ name: string }>({ index: 'helpers', sort: ['name.keyword'] });
    expect(docs).toEqual([{ _id: '1', name: 'Ana' }, { _id: '2', name: 'Bia' }]);
  });

  it('when an ingest pipeline is requested, then the stand-in refuses instead of indexing unprocessed documents', async () => {
    const err = await expectResponseError(() =>
      h.client.index({ index: 'helpers', id: '3', document: { name: 'Caio' }, pipeline: 'enrich' }),
    );
    expect(err.statusCode).toBe(400);
    expect((err.body as { error: { type: string; reason: string } }).error).toMatchObject({
      type: 'unsupported_operation_exception',
      reason: 'es-standin does not support the [pipeline] parameter on [PUT /helpers/_doc/3]',
    });
    expect(await h.client.exists({ index: 'helpers', id: '3' })).toBe(false);
  });
});

describe('cli', () => {
  it('when started with --port 0, then it prints one listening line, serves, and exits 0 on SIGTERM', async () => {
    const cli = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', cli, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      stdout += chunk;
    });
    try {
      const deadline = Date.now() + 20_000;
      while (!stdout.includes('\n') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      const match = /^es-standin listening on (http:\/\/127\.0\.0\.1:(\d+))\n$/.exec(stdout);
      expect(match).not.toBeNull();
      const res = await fetch(`${match?.[1] ?? ''}/`);
      expect(((await res.json()) as { version: { number: string } }).version.number).toMatch(/^9\./);
    } finally {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const [code] = (await exited) as [number | null];
      expect(code).toBe(0);
    }
    expect(stdout.split('\n').filter((l) => l !== '')).toHaveLength(1);
  }, 30_000);
});
