import { EsError, illegalArgument, unsupported, validationFailed } from './errors';
import { isObject } from './settings';
import { parseUpdateBody, writeResponseBody, type Cluster, type Preconditions, type WriteResult } from './store';

type Action = 'index' | 'create' | 'update' | 'delete';
const ACTIONS: Action[] = ['create', 'delete', 'index', 'update'];
const METADATA_KEYS = new Set([
  '_index', '_id', 'if_seq_no', 'if_primary_term', 'retry_on_conflict', 'routing', 'require_alias', 'op_type',
  'pipeline', 'version', 'version_type', 'dynamic_templates', '_source', 'list_executed_pipelines',
  'require_data_stream',
]);

interface BulkItem {
  action: Action;
  index: string;
  id: string | undefined;
  preconditions: Preconditions;
  retryOnConflict: number;
  opType: 'index' | 'create';
  /** Parsed source/update body, or the parse failure that fails only this item. */
  payload: { ok: true; value: unknown } | { ok: false; error: EsError };
}

function parseJsonLine(line: string): unknown {
  return JSON.parse(line) as unknown;
}

function optionalInt(value: unknown, name: string, line: number): number | undefined {
  if (value === undefined || value === null) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n)) throw illegalArgument(`Action/metadata line [${line}] has an invalid value for [${name}]: [${String(value)}]`);
  return n;
}

function parseBulkBody(raw: string, defaultIndex: string | undefined): BulkItem[] {
  if (raw.length > 0 && !raw.endsWith('\n')) throw illegalArgument('The bulk request must be terminated by a newline [\\n]');
  const lines = raw.split('\n');
  const items: BulkItem[] = [];
  const missingIndex: string[] = [];
  let i = 0;
  while (i < lines.length) {
    const lineNo = i + 1;
    const line = lines[i] ?? '';
    i++;
    if (line.trim() === '') continue;
    let meta: unknown;
    try {
      meta = parseJsonLine(line);
    } catch {
      throw illegalArgument(`Malformed action/metadata line [${lineNo}], expected START_OBJECT or END_OBJECT but found [VALUE_STRING]`);
    }
    if (!isObject(meta)) throw illegalArgument(`Malformed action/metadata line [${lineNo}], expected START_OBJECT but found [${Array.isArray(meta) ? 'START_ARRAY' : 'VALUE_STRING'}]`);
    const entries = Object.entries(meta);
    if (entries.length !== 1) throw illegalArgument(`Malformed action/metadata line [${lineNo}], expected a simple value for field [${entries[1]?.[0] ?? ''}] but found [START_OBJECT]`);
    const [actionName, params] = entries[0] as [string, unknown];
    if (!ACTIONS.includes(actionName as Action)) {
      throw illegalArgument(`Malformed action/metadata line [${lineNo}], expected one of [create, delete, index, update] but found [${actionName}]`);
    }
    const action = actionName as Action;
    if (!isObject(params)) throw illegalArgument(`Malformed action/metadata line [${lineNo}], expected START_OBJECT but found [VALUE_STRING]`);
    for (const key of Object.keys(params)) {
      if (!METADATA_KEYS.has(key)) throw illegalArgument(`Action/metadata line [${lineNo}] contains an unknown parameter [${key}]`);
      if (['pipeline', 'version', 'version_type', 'dynamic_templates', '_source', 'require_data_stream'].includes(key)) {
        throw unsupported(`bulk metadata parameter [${key}]`);
      }
    }
    const index = params._index === undefined ? defaultIndex : String(params._index);
    if (index === undefined) missingIndex.push('index is missing');
    const id = params._id === undefined || params._id === null ? undefined : String(params._id);
    const opTypeRaw = params.op_type === undefined ? undefined : String(params.op_type);
    if (opTypeRaw !== undefined && opTypeRaw !== 'index' && opTypeRaw !== 'create') {
      throw illegalArgument(`opType must be 'create' or 'index', found: [${opTypeRaw}]`);
    }
    const item: BulkItem = {
      action,
      index: index ?? '',
      id,
      preconditions: {
        ifSeqNo: optionalInt(params.if_seq_no, 'if_seq_no', lineNo),
        ifPrimaryTerm: optionalInt(params.if_primary_term, 'if_primary_term', lineNo),
      },
      retryOnConflict: optionalInt(params.retry_on_conflict, 'retry_on_conflict', lineNo) ?? 0,
      opType: action === 'create' || opTypeRaw === 'create' ? 'create' : 'index',
      payload: { ok: true, value: undefined },
    };
    if (action !== 'delete') {
      const sourceLine = lines[i];
      i++;
      if (sourceLine === undefined || sourceLine.trim() === '') {
        throw validationFailed([`source is missing for the ${action} action at line [${lineNo + 1}]`]);
      }
      try {
        item.payload = { ok: true, value: parseJsonLine(sourceLine) };
      } catch (err) {
        if (action === 'update') throw new EsError(400, { type: 'x_content_parse_exception', reason: `[${lineNo + 1}:1] ${(err as Error).message}` });
        item.payload = {
          ok: false,
          error: new EsError(400, { type: 'document_parsing_exception', reason: `[1:1] failed to parse: ${(err as Error).message}` }),
        };
      }
    }
    if ((action === 'update' || action === 'delete') && id === undefined) missingIndex.push('id is missing');
    items.push(item);
  }
  if (missingIndex.length > 0) throw validationFailed(missingIndex);
  if (items.length === 0) throw validationFailed(['no requests added']);
  return items;
}

function runItem(cluster: Cluster, item: BulkItem): WriteResult {
  if (!item.payload.ok) throw item.payload.error;
  switch (item.action) {
    case 'index':
    case 'create':
      return cluster.indexDocument(item.index, item.id, item.payload.value, { opType: item.opType, ...item.preconditions });
    case 'update': {
      const update = parseUpdateBody(item.payload.value, item.preconditions, item.retryOnConflict);
      return cluster.updateDocument(item.index, item.id ?? '', update, item.preconditions);
    }
    case 'delete':
      return cluster.deleteDocument(item.index, item.id ?? '', item.preconditions);
  }
}

export function executeBulk(cluster: Cluster, defaultIndex: string | undefined, raw: string): Record<string, unknown> {
  const started = performance.now();
  const items = parseBulkBody(raw, defaultIndex);
  let errors = false;
  const results = items.map((item) => {
    try {
      const result = runItem(cluster, item);
      return { [item.action]: { ...writeResponseBody(result), status: result.status } };
    } catch (err) {
      if (!(err instanceof EsError)) throw err;
      errors = true;
      const out: Record<string, unknown> = { _index: item.index };
      if (item.id !== undefined) out._id = item.id;
      out.status = err.status;
      out.error = err.toItemError();
      return { [item.action]: out };
    }
  });
  return { errors, took: Math.round(performance.now() - started), items: results };
}
