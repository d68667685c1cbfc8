import { EsError, illegalArgument, indexNotFound, parsingError, unsupported, validationFailed } from './errors';
import { filterSource, type SourceSpec } from './search';
import { isObject } from './settings';
import type { Cluster, IndexState } from './store';

/**
 * The multi get API (`/_mget`, `/{index}/_mget`), parsed and validated the way ES's MultiGetRequest
 * does it. Reads are real-time, like GET: every write is visible at once in the stand-in anyway.
 */

interface MgetItem {
  index: string | undefined;
  id: string | undefined;
  /** Undefined: the request-level default (URL parameters) applies. */
  source: SourceSpec | undefined;
}

const FETCH_ALL: SourceSpec = { enabled: true, includes: [], excludes: [] };

function parseError(reason: string): EsError {
  return new EsError(400, { type: 'parse_exception', reason });
}

/** ES's XContent token names, for error messages that read like the real ones. */
function tokenName(value: unknown): string {
  if (Array.isArray(value)) return 'START_ARRAY';
  if (isObject(value)) return 'START_OBJECT';
  if (value === null) return 'VALUE_NULL';
  if (typeof value === 'number') return 'VALUE_NUMBER';
  if (typeof value === 'boolean') return 'VALUE_BOOLEAN';
  return 'VALUE_STRING';
}

function isScalar(value: unknown): value is string | number | boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

/** The source filter of the URL (`_source`, `_source_includes`, `_source_excludes`), as GET reads it. */
export function sourceSpecFromParams(params: URLSearchParams): SourceSpec {
  const sourceParam = params.get('_source');
  return {
    enabled: sourceParam !== 'false',
    includes: [
      ...(params.get('_source_includes')?.split(',') ?? []),
      ...(sourceParam !== null && sourceParam !== 'true' && sourceParam !== 'false' && sourceParam !== '' ? sourceParam.split(',') : []),
    ],
    excludes: params.get('_source_excludes')?.split(',') ?? [],
  };
}

/** The body GET answers for one id (and each _mget item carries): found with its metadata, or found:false. */
export function getResult(index: IndexState, id: string, spec: SourceSpec): Record<string, unknown> {
  const doc = index.docs.get(id);
  if (doc === undefined) return { _index: index.name, _id: id, found: false };
  const body: Record<string, unknown> = {
    _index: index.name,
    _id: doc.id,
    _version: doc.version,
    _seq_no: doc.seqNo,
    _primary_term: doc.primaryTerm,
    found: true,
  };
  if (spec.enabled) body._source = filterSource(doc.source, spec);
  return body;
}

function stringList(value: unknown): string[] {
  const values = Array.isArray(value) ? value : [value];
  return values.map((v) => {
    if (!isScalar(v)) throw parseError('unexpected token while parsing source settings');
    return String(v);
  });
}

/** A document's own `_source`: boolean, one field (not split on commas), a list, or includes/excludes. */
function parseItemSource(value: unknown): SourceSpec {
  if (typeof value === 'boolean') return { ...FETCH_ALL, enabled: value };
  if (typeof value === 'string') return { enabled: true, includes: [value], excludes: [] };
  if (Array.isArray(value)) return { enabled: true, includes: stringList(value), excludes: [] };
  if (isObject(value)) {
    const includes: string[] = [];
    const excludes: string[] = [];
    for (const [key, v] of Object.entries(value)) {
      if (key === 'includes' || key === 'include') includes.push(...stringList(v));
      else if (key === 'excludes' || key === 'exclude') excludes.push(...stringList(v));
      else throw parseError(`source definition may not contain [${key}]`);
    }
    return { enabled: true, includes, excludes };
  }
  throw parseError(`illegal type for _source: [${tokenName(value)}]`);
}

function parseDoc(value: unknown, defaultIndex: string | undefined): MgetItem {
  if (!isObject(value)) throw illegalArgument('docs array element should include an object');
  const item: MgetItem = { index: defaultIndex, id: undefined, source: undefined };
  for (const [key, v] of Object.entries(value)) {
    // ES skips null values: `_id: null` is a missing id, `_index: null` keeps the default.
    if (v === null) continue;
    switch (key) {
      case '_index':
      case '_id':
        if (!isScalar(v)) throw parseError(`failed to parse multi get request. unknown field [${key}]`);
        if (key === '_index') item.index = String(v);
        else item.id = String(v);
        break;
      case 'routing':
        // One shard per index here, so routing cannot change which copy answers.
        if (!isScalar(v)) throw parseError(`failed to parse multi get request. unknown field [${key}]`);
        break;
      case '_source':
        item.source = parseItemSource(v);
        break;
      case 'fields':
        throw parsingError('Unsupported field [fields] used, expected [stored_fields] instead');
      case 'stored_fields':
      case 'version':
      case 'version_type':
        throw unsupported(`[${key}] in multi get documents`);
      default:
        throw parseError(`failed to parse multi get request. unknown field [${key}]`);
    }
  }
  return item;
}

function parseMgetBody(body: unknown, defaultIndex: string | undefined): MgetItem[] {
  if (body === undefined) throw parseError('request body or source parameter is required');
  if (!isObject(body)) throw parsingError(`unexpected token [${tokenName(body)}], expected [START_OBJECT]`);
  const items: MgetItem[] = [];
  for (const [key, value] of Object.entries(body)) {
    if (!Array.isArray(value)) throw parsingError(`unexpected token [${tokenName(value)}], expected [FIELD_NAME] or [START_ARRAY]`);
    if (key === 'docs') {
      for (const doc of value) items.push(parseDoc(doc, defaultIndex));
    } else if (key === 'ids') {
      for (const id of value) {
        if (!isScalar(id)) throw illegalArgument('ids array element should only contain ids');
        items.push({ index: defaultIndex, id: String(id), source: undefined });
      }
    } else {
      throw parsingError(`unknown key [${key}] for a START_ARRAY, expected [docs] or [ids]`);
    }
  }
  const problems: string[] = [];
  if (items.length === 0) problems.push('no documents to get');
  items.forEach((item, i) => {
    if (item.index === undefined) problems.push(`index is missing for doc ${i}`);
    if (item.id === undefined) problems.push(`id is missing for doc ${i}`);
  });
  if (problems.length > 0) throw validationFailed(problems);
  return items;
}

function booleanParam(params: URLSearchParams, name: string): void {
  const raw = params.get(name);
  if (raw !== null && raw !== '' && raw !== 'true' && raw !== 'false') {
    throw illegalArgument(`Failed to parse value [${raw}] as only [true] or [false] are allowed.`);
  }
}

export function executeMget(
  cluster: Cluster,
  defaultIndex: string | undefined,
  body: unknown,
  params: URLSearchParams,
): { docs: Record<string, unknown>[] } {
  booleanParam(params, 'realtime');
  booleanParam(params, 'refresh');
  const items = parseMgetBody(body, defaultIndex);
  const defaultSource = sourceSpecFromParams(params);
  const docs = items.map((item) => {
    const indexName = item.index ?? '';
    const id = item.id ?? '';
    // Index expressions are not expanded: each item names one concrete index, and a missing one
    // fails that item alone, as in ES.
    const index = cluster.indices.get(indexName);
    if (index === undefined) return { _index: indexName, _id: id, error: indexNotFound(indexName).toBody().error };
    return getResult(index, id, item.source ?? defaultSource);
  });
  return { docs };
}
