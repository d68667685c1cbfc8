import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync, inflateSync } from 'node:zlib';
import { executeBulk } from './bulk';
import { applyFilterPath } from './filter-path';
import { executeMget, getResult, sourceSpecFromParams } from './mget';
import { EsError, illegalArgument, indexNotFound, unsupported, xContentParse } from './errors';
import { mergeMappings, parseMappings, renderMapping } from './mapping';
import { executeCount, executeSearch, filterSource } from './search';
import { isObject, unflattenSettings } from './settings';
import { Cluster, parseUpdateBody, writeResponseBody, type IndexState, type Preconditions } from './store';

/** The version the stand-in claims; the client only requires the same major (9). */
export const ES_VERSION = '9.2.0';

const MAX_BODY_BYTES = 100 * 1024 * 1024;

export interface EsStandinOptions {
  port?: number;
  host?: string;
}

export interface EsStandin {
  url: string;
  close(): Promise<void>;
}

interface Request {
  method: string;
  path: string;
  segments: string[];
  params: URLSearchParams;
  body: Buffer;
}

interface Reply {
  status: number;
  body?: unknown;
}

type Handler = (req: Request, p: Record<string, string>) => Reply;

interface Route {
  pattern: string[];
  methods: Partial<Record<string, Handler>>;
  params: string[];
  /** Known to ES on this route but not emulated: answered with a 400 instead of ignored. */
  refuse?: string[];
}

const COMMON_PARAMS = ['pretty', 'human', 'error_trace', 'filter_path'];
const WRITE_PARAMS = ['refresh', 'timeout', 'wait_for_active_shards', 'routing', 'require_alias', 'include_source_on_error'];
const PRECONDITION_PARAMS = ['if_seq_no', 'if_primary_term'];
const RESOLVE_PARAMS = ['ignore_unavailable', 'allow_no_indices', 'expand_wildcards'];
const SEARCH_PARAMS = [
  ...RESOLVE_PARAMS, 'from', 'size', 'sort', 'track_total_hits', '_source', '_source_includes', '_source_excludes',
  'seq_no_primary_term', 'version', 'track_scores', 'rest_total_hits_as_int', 'preference', 'routing', 'request_cache',
  'timeout', 'search_type', 'batched_reduce_size', 'ccs_minimize_roundtrips', 'max_concurrent_shard_requests',
  'pre_filter_shard_size', 'allow_partial_search_results', 'typed_keys', 'ignore_throttled', 'q',
];
const MGET_PARAMS = ['preference', 'realtime', 'refresh', 'routing', '_source', '_source_includes', '_source_excludes'];
const COUNT_PARAMS = [...RESOLVE_PARAMS, 'preference', 'routing', 'ignore_throttled', 'q'];
/** Parameters ES knows that would change results here; refused rather than silently ignored. */
const GLOBALLY_REFUSED_PARAMS = ['pipeline', 'version_type', 'stored_fields', 'scroll', 'terminate_after', 'min_score'];
const DOC_REFUSED_PARAMS = ['version'];

function longParam(params: URLSearchParams, name: string): number | undefined {
  const raw = params.get(name);
  if (raw === null) return undefined;
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isInteger(n)) throw illegalArgument(`Failed to parse long parameter [${name}] with value [${raw}]`);
  return n;
}

function preconditions(params: URLSearchParams): Preconditions {
  return { ifSeqNo: longParam(params, 'if_seq_no'), ifPrimaryTerm: longParam(params, 'if_primary_term') };
}

function checkRefresh(params: URLSearchParams): void {
  const refresh = params.get('refresh');
  if (refresh !== null && !['', 'true', 'false', 'wait_for'].includes(refresh)) {
    throw illegalArgument(`Unknown value for refresh: [${refresh}].`);
  }
}

function opTypeParam(params: URLSearchParams, fallback: 'index' | 'create'): 'index' | 'create' {
  const raw = params.get('op_type');
  if (raw === null) return fallback;
  if (raw !== 'index' && raw !== 'create') throw illegalArgument(`opType must be 'create' or 'index', found: [${raw}]`);
  return raw;
}

function jsonBody(req: Request, forDocument = false): unknown {
  if (req.body.length === 0) return undefined;
  try {
    return JSON.parse(req.body.toString('utf8')) as unknown;
  } catch (err) {
    const message = (err as Error).message;
    if (forDocument) throw new EsError(400, { type: 'document_parsing_exception', reason: `[1:1] failed to parse: ${message}` });
    throw xContentParse(`[1:1] ${message}`);
  }
}

function settingsView(index: IndexState): Record<string, unknown> {
  const flat = new Map(index.settings);
  if (!flat.has('index.number_of_shards')) flat.set('index.number_of_shards', '1');
  if (!flat.has('index.number_of_replicas')) flat.set('index.number_of_replicas', '1');
  flat.set('index.uuid', index.uuid);
  flat.set('index.provided_name', index.name);
  flat.set('index.creation_date', String(index.creationDate));
  flat.set('index.version.created', '9033000');
  flat.set('index.routing.allocation.include._tier_preference', 'data_content');
  return unflattenSettings(flat);
}

function existsByExpression(cluster: Cluster, expression: string): boolean {
  try {
    return cluster.resolve(expression, { allowNoIndices: false }).length > 0;
  } catch (err) {
    if (err instanceof EsError && err.status === 404) return false;
    throw err;
  }
}

function buildRoutes(cluster: Cluster): Route[] {
  const info: Handler = () => ({
    status: 200,
    body: {
      name: 'es-standin',
      cluster_name: 'es-standin',
      cluster_uuid: cluster.uuid,
      version: {
        number: ES_VERSION,
        build_flavor: 'default',
        build_type: 'docker',
        build_hash: 'es-standin',
        build_date: '2025-10-01T00:00:00.000Z',
        build_snapshot: false,
        lucene_version: '10.3.1',
        minimum_wire_compatibility_version: '8.19.0',
        minimum_index_compatibility_version: '8.0.0',
      },
      tagline: 'You Know, for Search',
    },
  });

  const health = (indices: IndexState[], missing: boolean): Reply => {
    const shards = indices.reduce((n, i) => n + i.numberOfShards, 0);
    return {
      status: missing ? 408 : 200,
      body: {
        cluster_name: 'es-standin',
        status: missing ? 'red' : 'green',
        timed_out: missing,
        number_of_nodes: 1,
        number_of_data_nodes: 1,
        active_primary_shards: shards,
        active_shards: shards,
        relocating_shards: 0,
        initializing_shards: 0,
        unassigned_shards: 0,
        unassigned_primary_shards: 0,
        delayed_unassigned_shards: 0,
        number_of_pending_tasks: 0,
        number_of_in_flight_fetch: 0,
        task_max_waiting_in_queue_millis: 0,
        active_shards_percent_as_number: 100.0,
      },
    };
  };

  const refresh: Handler = (_req, p) => {
    const indices = cluster.resolve(p.index, {});
    const primaries = indices.reduce((n, i) => n + i.numberOfShards, 0);
    const total = indices.reduce((n, i) => n + i.numberOfShards * (1 + i.numberOfReplicas), 0);
    return { status: 200, body: { _shards: { total, successful: primaries, failed: 0 } } };
  };

  const search: Handler = (req, p) => ({ status: 200, body: executeSearch(cluster, p.index, jsonBody(req), req.params) });
  const count: Handler = (req, p) => ({ status: 200, body: executeCount(cluster, p.index, jsonBody(req), req.params) });
  const bulk: Handler = (req, p) => {
    checkRefresh(req.params);
    if (req.params.has('_source')) throw unsupported('the [_source] parameter on bulk');
    return { status: 200, body: executeBulk(cluster, p.index, req.body.toString('utf8')) };
  };

  const indexDoc = (opType: 'index' | 'create', withId: boolean): Handler => (req, p) => {
    checkRefresh(req.params);
    const result = cluster.indexDocument(p.index ?? '', withId ? p.id : undefined, jsonBody(req, true), {
      opType: opTypeParam(req.params, opType),
      ...preconditions(req.params),
    });
    return { status: result.status, body: writeResponseBody(result) };
  };

  const getDoc = (sourceOnly: boolean): Handler => (req, p) => {
    const index = cluster.getIndex(p.index ?? '');
    if (req.params.has('stored_fields')) throw unsupported('the [stored_fields] parameter');
    const spec = sourceSpecFromParams(req.params);
    if (sourceOnly) {
      const doc = index.docs.get(p.id ?? '');
      if (doc === undefined) {
        throw new EsError(404, { type: 'resource_not_found_exception', reason: `Document not found [${index.name}]/[${p.id ?? ''}]` });
      }
      return { status: 200, body: filterSource(doc.source, spec) };
    }
    const body = getResult(index, p.id ?? '', spec);
    return { status: body.found === true ? 200 : 404, body };
  };

  const mget: Handler = (req, p) => ({ status: 200, body: executeMget(cluster, p.index, jsonBody(req), req.params) });

  const deleteDoc: Handler = (req, p) => {
    checkRefresh(req.params);
    const result = cluster.deleteDocument(p.index ?? '', p.id ?? '', preconditions(req.params));
    return { status: result.status, body: writeResponseBody(result) };
  };

  const updateDoc: Handler = (req, p) => {
    checkRefresh(req.params);
    if (req.params.has('_source') || req.params.has('_source_includes') || req.params.has('_source_excludes')) {
      throw unsupported('[_source] in update requests');
    }
    const pre = preconditions(req.params);
    const retry = longParam(req.params, 'retry_on_conflict') ?? 0;
    const update = parseUpdateBody(jsonBody(req), pre, retry);
    const result = cluster.updateDocument(p.index ?? '', p.id ?? '', update, pre);
    return { status: result.status, body: writeResponseBody(result) };
  };

  return [
    { pattern: [], methods: { GET: info, HEAD: info }, params: [] },
    {
      pattern: ['_cluster', 'health'],
      methods: { GET: () => health([...cluster.indices.values()], false) },
      params: ['wait_for_status', 'timeout', 'level', 'local', 'master_timeout', 'wait_for_nodes', 'wait_for_events', 'wait_for_no_relocating_shards', 'wait_for_no_initializing_shards', 'wait_for_active_shards', 'expand_wildcards'],
    },
    {
      pattern: ['_cluster', 'health', ':index'],
      methods: {
        GET: (_req, p) => {
          let indices: IndexState[];
          try {
            indices = cluster.resolve(p.index, { allowNoIndices: false });
          } catch (err) {
            if (err instanceof EsError && err.status === 404) return health([], true);
            throw err;
          }
          return health(indices, false);
        },
      },
      params: ['wait_for_status', 'timeout', 'level', 'local', 'master_timeout', 'wait_for_nodes', 'wait_for_events', 'wait_for_no_relocating_shards', 'wait_for_no_initializing_shards', 'wait_for_active_shards', 'expand_wildcards'],
    },
    { pattern: ['_bulk'], methods: { POST: bulk, PUT: bulk }, params: [...WRITE_PARAMS, '_source', 'list_executed_pipelines', 'require_data_stream'] },
    { pattern: ['_mget'], methods: { GET: mget, POST: mget }, params: MGET_PARAMS, refuse: ['force_synthetic_source'] },
    { pattern: ['_search'], methods: { GET: search, POST: search }, params: SEARCH_PARAMS },
    { pattern: ['_count'], methods: { GET: count, POST: count }, params: COUNT_PARAMS },
    { pattern: ['_refresh'], methods: { GET: refresh, POST: refresh }, params: RESOLVE_PARAMS },
    {
      pattern: [':index'],
      methods: {
        HEAD: (_req, p) => ({ status: existsByExpression(cluster, p.index ?? '') ? 200 : 404 }),
        GET: (_req, p) => {
          const indices = cluster.resolve(p.index, {});
          return {
            status: 200,
            body: Object.fromEntries(
              indices.map((i) => [i.name, { aliases: {}, mappings: renderMapping(i.mapping), settings: settingsView(i) }]),
            ),
          };
        },
        PUT: (req, p) => {
          const index = cluster.createIndex(p.index ?? '', jsonBody(req));
          return { status: 200, body: { acknowledged: true, shards_acknowledged: true, index: index.name } };
        },
        DELETE: (req, p) => {
          const ignore = req.params.get('ignore_unavailable');
          cluster.deleteIndex(p.index ?? '', ignore === '' || ignore === 'true');
          return { status: 200, body: { acknowledged: true } };
        },
      },
      params: [...RESOLVE_PARAMS, 'wait_for_active_shards', 'timeout', 'master_timeout', 'local', 'include_defaults', 'flat_settings', 'features'],
    },
    {
      pattern: [':index', '_mapping'],
      methods: {
        GET: (_req, p) => {
          const indices = cluster.resolve(p.index, {});
          return { status: 200, body: Object.fromEntries(indices.map((i) => [i.name, { mappings: renderMapping(i.mapping) }])) };
        },
        PUT: (req, p) => putMapping(cluster, req, p),
        POST: (req, p) => putMapping(cluster, req, p),
      },
      params: [...RESOLVE_PARAMS, 'local', 'master_timeout', 'timeout', 'write_index_only'],
    },
    {
      pattern: [':index', '_settings'],
      methods: {
        GET: (_req, p) => {
          const indices = cluster.resolve(p.index, {});
          return { status: 200, body: Object.fromEntries(indices.map((i) => [i.name, { settings: settingsView(i) }])) };
        },
      },
      params: [...RESOLVE_PARAMS, 'local', 'master_timeout', 'include_defaults', 'flat_settings'],
    },
    { pattern: [':index', '_refresh'], methods: { GET: refresh, POST: refresh }, params: RESOLVE_PARAMS },
    { pattern: [':index', '_doc'], methods: { POST: indexDoc('create', false) }, params: [...WRITE_PARAMS, 'op_type', 'require_data_stream'] },
    {
      pattern: [':index', '_doc', ':id'],
      methods: {
        PUT: indexDoc('index', true),
        POST: indexDoc('index', true),
        GET: getDoc(false),
        HEAD: getDoc(false),
        DELETE: deleteDoc,
      },
      params: [
        ...WRITE_PARAMS, ...PRECONDITION_PARAMS, 'op_type', 'require_data_stream', '_source', '_source_includes',
        '_source_excludes', 'realtime', 'preference',
      ],
      refuse: DOC_REFUSED_PARAMS,
    },
    {
      pattern: [':index', '_create', ':id'],
      methods: { PUT: indexDoc('create', true), POST: indexDoc('create', true) },
      params: [...WRITE_PARAMS, 'require_data_stream'],
      refuse: DOC_REFUSED_PARAMS,
    },
    {
      pattern: [':index', '_update', ':id'],
      methods: { POST: updateDoc },
      params: [...WRITE_PARAMS, ...PRECONDITION_PARAMS, 'retry_on_conflict', 'lang', '_source', '_source_includes', '_source_excludes'],
      refuse: DOC_REFUSED_PARAMS,
    },
    {
      pattern: [':index', '_source', ':id'],
      methods: { GET: getDoc(true), HEAD: getDoc(true) },
      params: ['_source', '_source_includes', '_source_excludes', 'realtime', 'refresh', 'routing', 'preference'],
      refuse: DOC_REFUSED_PARAMS,
    },
    { pattern: [':index', '_bulk'], methods: { POST: bulk, PUT: bulk }, params: [...WRITE_PARAMS, '_source', 'list_executed_pipelines', 'require_data_stream'] },
    { pattern: [':index', '_mget'], methods: { GET: mget, POST: mget }, params: MGET_PARAMS, refuse: ['force_synthetic_source'] },
    { pattern: [':index', '_search'], methods: { GET: search, POST: search }, params: SEARCH_PARAMS },
    { pattern: [':index', '_count'], methods: { GET: count, POST: count }, params: COUNT_PARAMS },
  ];
}

function putMapping(cluster: Cluster, req: Request, p: Record<string, string>): Reply {
  const indices = cluster.resolve(p.index, {});
  if (indices.length === 0) throw indexNotFound(p.index ?? '');
  const body = jsonBody(req);
  if (!isObject(body)) throw new EsError(400, { type: 'action_request_validation_exception', reason: 'Validation Failed: 1: mapping source is missing;' });
  // Validate against every target first so a conflict leaves all mappings untouched.
  const merged = indices.map((index) => mergeMappings(index.mapping, parseMappings(body, index.settings)));
  indices.forEach((index, i) => {
    index.mapping = merged[i] ?? index.mapping;
  });
  return { status: 200, body: { acknowledged: true } };
}

function matchRoute(routes: Route[], segments: string[]): { route: Route; params: Record<string, string> } | undefined {
  for (const route of routes) {
    if (route.pattern.length !== segments.length) continue;
    const params: Record<string, string> = {};
    let ok = true;
    for (let i = 0; i < segments.length; i++) {
      const pat = route.pattern[i] ?? '';
      const seg = segments[i] ?? '';
      if (pat.startsWith(':')) {
        // Index names never start with '_', so `/_foo` is an endpoint, not an index.
        if (pat === ':index' && seg.startsWith('_')) {
          ok = false;
          break;
        }
        params[pat.slice(1)] = seg;
      } else if (pat !== seg) {
        ok = false;
        break;
      }
    }
    if (ok) return { route, params };
  }
  return undefined;
}

const ACCEPTED_MEDIA = /^application\/(json|x-ndjson|vnd\.elasticsearch\+json|vnd\.elasticsearch\+x-ndjson)\b/i;

function checkMediaTypes(headers: http.IncomingHttpHeaders, hasBody: boolean): void {
  for (const header of [headers.accept, headers['content-type']]) {
    const compat = /compatible-with=(\d+)/i.exec(header ?? '');
    if (compat && compat[1] !== '8' && compat[1] !== '9') {
      throw new EsError(400, {
        type: 'media_type_header_exception',
        reason: 'Invalid media-type value on headers [Accept, Content-Type]',
        caused_by: { type: 'status_exception', reason: `A compatible version is required on both Content-Type and Accept headers and must be 8 or 9, found ${compat[1]}` },
      });
    }
  }
  if (!hasBody) return;
  const contentType = headers['content-type'];
  if (contentType === undefined) {
    throw new EsError(406, { type: 'media_type_header_exception', reason: 'Content-Type header is missing' });
  }
  if (!ACCEPTED_MEDIA.test(contentType)) {
    throw new EsError(406, { type: 'media_type_header_exception', reason: `Content-Type header [${contentType}] is not supported` });
  }
}

function handle(routes: Route[], req: Request, headers: http.IncomingHttpHeaders): Reply {
  checkMediaTypes(headers, req.body.length > 0);
  const matched = matchRoute(routes, req.segments);
  if (matched === undefined) {
    throw new EsError(400, {
      type: 'unsupported_operation_exception',
      reason: `no handler found for uri [${req.path}] and method [${req.method}] (es-standin implements only the endpoints the services use)`,
    });
  }
  const handler = matched.route.methods[req.method];
  if (handler === undefined) {
    const allowed = Object.keys(matched.route.methods).join(', ');
    throw new EsError(405, {
      type: 'method_not_allowed_exception',
      reason: `Incorrect HTTP method for uri [${req.path}] and method [${req.method}], allowed: [${allowed}]`,
    });
  }
  const allowedParams = new Set([...COMMON_PARAMS, ...matched.route.params]);
  const refused = new Set([...GLOBALLY_REFUSED_PARAMS, ...(matched.route.refuse ?? [])]);
  const unknown: string[] = [];
  for (const key of new Set(req.params.keys())) {
    if (refused.has(key)) throw unsupported(`the [${key}] parameter on [${req.method} ${req.path}]`);
    if (!allowedParams.has(key)) unknown.push(key);
  }
  if (unknown.length > 0) {
    const list = unknown.map((k) => `[${k}]`).join(', ');
    throw illegalArgument(`request [${req.path}] contains unrecognized parameter${unknown.length > 1 ? 's' : ''}: ${list}`);
  }
  return handler(req, matched.params);
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new EsError(413, { type: 'content_too_long_exception', reason: `request body is larger than ${MAX_BODY_BYTES} bytes` }));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const encoding = (req.headers['content-encoding'] ?? '').toLowerCase();
      try {
        resolve(encoding.includes('gzip') ? gunzipSync(raw) : encoding.includes('deflate') ? inflateSync(raw) : raw);
      } catch (err) {
        reject(new EsError(400, { type: 'parse_exception', reason: `could not decompress body: ${(err as Error).message}` }));
      }
    });
    req.on('error', reject);
  });
}

function send(res: http.ServerResponse, req: http.IncomingMessage, params: URLSearchParams, reply: Reply): void {
  const accept = `${req.headers.accept ?? ''} ${req.headers['content-type'] ?? ''}`;
  const contentType = /vnd\.elasticsearch\+/i.test(accept)
    ? 'application/vnd.elasticsearch+json;compatible-with=9'
    : 'application/json';
  const pretty = params.has('pretty') && params.get('pretty') !== 'false';
  const filterPath = params.get('filter_path');
  const body = filterPath !== null && reply.body !== undefined && reply.status < 300 ? applyFilterPath(reply.body, filterPath) : reply.body;
  const payload = body === undefined ? '' : `${JSON.stringify(body, null, pretty ? 2 : undefined)}${pretty ? '\n' : ''}`;
  // The official client refuses any 2xx response without this header.
  res.setHeader('x-elastic-product', 'Elasticsearch');
  if (reply.body !== undefined) res.setHeader('content-type', contentType);
  res.setHeader('content-length', Buffer.byteLength(payload));
  res.statusCode = reply.status;
  res.end(req.method === 'HEAD' ? undefined : payload);
}

export async function startEsStandin(options: EsStandinOptions = {}): Promise<EsStandin> {
  const host = options.host ?? '127.0.0.1';
  const cluster = new Cluster();
  const routes = buildRoutes(cluster);

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://es-standin');
    const params = url.searchParams;
    readBody(req)
      .then((body) => {
        const segments = url.pathname.split('/').filter((s) => s !== '').map((s) => decodeURIComponent(s));
        const request: Request = { method: req.method ?? 'GET', path: url.pathname, segments, params, body };
        return handle(routes, request, req.headers);
      })
      .then(
        (reply) => send(res, req, params, reply),
        (err: unknown) => {
          if (err instanceof EsError) {
            // HEAD answers carry no body in ES either, only the status.
            send(res, req, params, { status: err.status, body: req.method === 'HEAD' ? undefined : err.toBody() });
            return;
          }
          process.stderr.write(`es-standin: internal error on ${req.method} ${req.url}: ${(err as Error).stack ?? String(err)}\n`);
          const internal = new EsError(500, { type: 'exception', reason: (err as Error).message ?? String(err) });
          send(res, req, params, { status: 500, body: internal.toBody() });
        },
      );
  });
  server.keepAliveTimeout = 60_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const hostForUrl = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${hostForUrl}:${address.port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
