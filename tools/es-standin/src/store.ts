import { randomBytes } from 'node:crypto';
import {
  documentMissing,
  EsError,
  illegalArgument,
  indexNotFound,
  resourceAlreadyExists,
  unsupported,
  validationFailed,
  versionConflict,
} from './errors';
import { emptyRootMapping, parseDocument, parseMappings, type FieldData, type RootMapping } from './mapping';
import { flattenSettings, intSetting, isObject, type FlatSettings } from './settings';

export interface StoredDoc {
  id: string;
  source: Record<string, unknown>;
  version: number;
  seqNo: number;
  primaryTerm: number;
  fields: Map<string, FieldData>;
}

export type WriteResultKind = 'created' | 'updated' | 'deleted' | 'not_found' | 'noop';

export interface WriteResult {
  index: IndexState;
  id: string;
  result: WriteResultKind;
  version: number;
  seqNo: number;
  primaryTerm: number;
  status: number;
}

export interface Preconditions {
  ifSeqNo?: number | undefined;
  ifPrimaryTerm?: number | undefined;
}

/** ES-style identifiers: 20 url-safe base64 characters for document ids, 22 for index uuids. */
export function generateId(bytes = 15): string {
  return randomBytes(bytes).toString('base64url');
}

export class IndexState {
  readonly uuid = generateId(16).slice(0, 22);
  readonly creationDate = Date.now();
  mapping: RootMapping;
  readonly settings: FlatSettings;
  readonly docs = new Map<string, StoredDoc>();
  /** Versions of deleted ids, so a re-created document continues the version sequence like ES. */
  readonly tombstones = new Map<string, number>();
  private seq = 0;

  constructor(
    readonly name: string,
    mapping: RootMapping,
    settings: FlatSettings,
  ) {
    this.mapping = mapping;
    this.settings = settings;
  }

  nextSeqNo(): number {
    return this.seq++;
  }

  get maxSeqNo(): number {
    return this.seq - 1;
  }

  get numberOfShards(): number {
    return intSetting(this.settings, 'index.number_of_shards', 1);
  }

  get numberOfReplicas(): number {
    return intSetting(this.settings, 'index.number_of_replicas', 1);
  }

  get maxResultWindow(): number {
    return intSetting(this.settings, 'index.max_result_window', 10000);
  }

  /** Writes report the replica copies as ES does on a single node: counted, never assigned. */
  shardsHeader(): { total: number; successful: number; failed: number } {
    return { total: 1 + this.numberOfReplicas, successful: 1, failed: 0 };
  }
}

const INVALID_INDEX_CHARS = ['\\', '/', '*', '?', '"', '<', '>', '|', ' ', ',', '#'];

export function validateIndexName(name: string): void {
  const invalid = (why: string): EsError =>
    new EsError(400, { type: 'invalid_index_name_exception', reason: `Invalid index name [${name}], ${why}`, index_uuid: '_na_', index: name });
  if (name === '') throw invalid('must not be empty');
  if (INVALID_INDEX_CHARS.some((c) => name.includes(c))) {
    throw invalid(`must not contain the following characters [${INVALID_INDEX_CHARS.map((c) => (c === ' ' ? "' '" : c)).join(', ')}]`);
  }
  if (name.includes(':')) throw invalid("must not contain ':'");
  if (/^[_\-+]/.test(name)) throw invalid("must not start with '_', '-', or '+'");
  if (name === '.' || name === '..') throw invalid("must not be '.' or '..'");
  if (name.toLowerCase() !== name) throw invalid('must be lowercase');
  if (Buffer.byteLength(name) > 255) throw invalid(`index name is too long, (${Buffer.byteLength(name)} > 255)`);
}

function validateId(id: string): void {
  if (Buffer.byteLength(id) > 512) {
    throw validationFailed([`id [${id}] is too long, must be no longer than 512 bytes but was: ${Buffer.byteLength(id)}`]);
  }
  if (id === '') throw validationFailed(['id is missing']);
}

function validatePreconditions(p: Preconditions): void {
  if (p.ifSeqNo !== undefined && (p.ifSeqNo < 0 || !Number.isInteger(p.ifSeqNo))) {
    throw validationFailed([`ifSeqNo [${p.ifSeqNo}] must be a non-negative integer`]);
  }
  if (p.ifSeqNo !== undefined && p.ifPrimaryTerm === undefined) {
    throw validationFailed(['ifSeqNo is set, but primary term is [0]']);
  }
  if (p.ifSeqNo === undefined && p.ifPrimaryTerm !== undefined) {
    throw validationFailed([`ifSeqNo is unassigned, but primary term is [${p.ifPrimaryTerm}]`]);
  }
}

function checkPreconditions(index: IndexState, id: string, existing: StoredDoc | undefined, p: Preconditions): void {
  if (p.ifSeqNo === undefined || p.ifPrimaryTerm === undefined) return;
  const required = `required seqNo [${p.ifSeqNo}], primary term [${p.ifPrimaryTerm}]`;
  if (existing === undefined) throw versionConflict(index.name, index.uuid, id, `${required}. but no document was found`);
  if (existing.seqNo !== p.ifSeqNo || existing.primaryTerm !== p.ifPrimaryTerm) {
    throw versionConflict(
      index.name,
      index.uuid,
      id,
      `${required}. current document has seqNo [${existing.seqNo}] and primary term [${existing.primaryTerm}]`,
    );
  }
}

/** ES's partial-update merge: nested objects merge key by key, anything else is replaced. */
export function deepMerge(target: Record<string, unknown>, changes: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...target };
  for (const [key, value] of Object.entries(changes)) {
    const old = out[key];
    out[key] = isObject(old) && isObject(value) ? deepMerge(old, value) : value;
  }
  return out;
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => deepEqual(v, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return ka.length === kb.length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

export interface UpdateBody {
  doc?: Record<string, unknown>;
  upsert?: Record<string, unknown>;
  docAsUpsert: boolean;
  detectNoop: boolean;
}

const UPDATE_BODY_KEYS = new Set(['doc', 'upsert', 'doc_as_upsert', 'detect_noop', 'script', 'scripted_upsert', '_source']);

/** Validate an update request body (from the update API or a bulk update line). */
export function parseUpdateBody(body: unknown, p: Preconditions, retryOnConflict: number): UpdateBody {
  if (!isObject(body)) throw validationFailed(['script or doc is missing']);
  for (const key of Object.keys(body)) {
    if (!UPDATE_BODY_KEYS.has(key)) throw new EsError(400, { type: 'x_content_parse_exception', reason: `[UpdateRequest] unknown field [${key}]` });
  }
  if (body.script !== undefined || body.scripted_upsert !== undefined) throw unsupported('scripted updates');
  if (body._source !== undefined) throw unsupported('[_source] in update requests');
  const errors: string[] = [];
  if (body.doc === undefined) errors.push('script or doc is missing');
  else if (!isObject(body.doc)) throw new EsError(400, { type: 'x_content_parse_exception', reason: '[UpdateRequest] failed to parse field [doc]' });
  if (body.upsert !== undefined && !isObject(body.upsert)) {
    throw new EsError(400, { type: 'x_content_parse_exception', reason: '[UpdateRequest] failed to parse field [upsert]' });
  }
  if (p.ifSeqNo !== undefined && retryOnConflict > 0) errors.push('compare and write operations can not be retried');
  if (p.ifSeqNo !== undefined && (body.upsert !== undefined || body.doc_as_upsert === true)) {
    errors.push('upsert requests don\'t support `if_seq_no` and `if_primary_term`');
  }
  if (errors.length > 0) throw validationFailed(errors);
  return {
    doc: body.doc as Record<string, unknown>,
    upsert: body.upsert as Record<string, unknown> | undefined,
    docAsUpsert: body.doc_as_upsert === true,
    detectNoop: body.detect_noop !== false,
  } as UpdateBody;
}

export class Cluster {
  readonly indices = new Map<string, IndexState>();
  readonly uuid = generateId(16).slice(0, 22);

  createIndex(name: string, body: unknown): IndexState {
    validateIndexName(name);
    if (body !== undefined && !isObject(body)) throw illegalArgument('request body must be an object');
    const spec = (body ?? {}) as Record<string, unknown>;
    for (const key of Object.keys(spec)) {
      if (key === 'aliases') {
        if (isObject(spec.aliases) && Object.keys(spec.aliases).length > 0) throw unsupported('index aliases');
        continue;
      }
      if (key !== 'settings' && key !== 'mappings') {
        throw new EsError(400, { type: 'parse_exception', reason: `unknown key [${key}] for create index` });
      }
    }
    const existing = this.indices.get(name);
    if (existing !== undefined) throw resourceAlreadyExists(name, existing.uuid);
    const settings = flattenSettings(spec.settings);
    const mapping = parseMappings(spec.mappings, settings);
    const index = new IndexState(name, mapping, settings);
    // Read them once so malformed numeric settings fail at creation, as in ES.
    void index.numberOfShards;
    void index.numberOfReplicas;
    void index.maxResultWindow;
    this.indices.set(name, index);
    return index;
  }

  getIndex(name: string): IndexState {
    const index = this.indices.get(name);
    if (index === undefined) throw indexNotFound(name);
    return index;
  }

  /** Writes to a missing index create it with dynamic mapping, like ES's action.auto_create_index. */
  getOrCreateIndex(name: string): IndexState {
    const index = this.indices.get(name);
    if (index !== undefined) return index;
    validateIndexName(name);
    const created = new IndexState(name, emptyRootMapping(), new Map());
    this.indices.set(name, created);
    return created;
  }

  /**
   * Resolve an index expression (comma list, wildcards, `_all`) the way search does. Missing
   * concrete names fail unless ignoreUnavailable; a wildcard that matches nothing is fine.
   */
  resolve(expression: string | undefined, opts: { ignoreUnavailable?: boolean; allowNoIndices?: boolean } = {}): IndexState[] {
    const parts = expression === undefined || expression === '' || expression === '_all' ? ['*'] : expression.split(',');
    const selected = new Map<string, IndexState>();
    for (const rawPart of parts) {
      const exclude = rawPart.startsWith('-') && selected.size > 0;
      const part = exclude ? rawPart.slice(1) : rawPart;
      if (part.includes('*')) {
        const re = new RegExp(`^${part.split('*').map(escapeRegExp).join('.*')}$`);
        for (const [name, index] of this.indices) {
          if (!re.test(name) || name.startsWith('.')) continue;
          if (exclude) selected.delete(name);
          else selected.set(name, index);
        }
        if (!exclude && opts.allowNoIndices === false && ![...this.indices.keys()].some((n) => re.test(n))) {
          throw indexNotFound(part);
        }
        continue;
      }
      const index = this.indices.get(part);
      if (index === undefined) {
        if (opts.ignoreUnavailable) continue;
        throw indexNotFound(part);
      }
      if (exclude) selected.delete(part);
      else selected.set(part, index);
    }
    return [...selected.values()];
  }

  deleteIndex(expression: string, ignoreUnavailable: boolean): void {
    if (expression === '_all' || expression.includes('*')) {
      throw illegalArgument('Wildcard expressions or all indices are not allowed');
    }
    const names = expression.split(',');
    for (const name of names) {
      if (!this.indices.has(name) && !ignoreUnavailable) throw indexNotFound(name);
    }
    for (const name of names) this.indices.delete(name);
  }

  indexDocument(
    indexName: string,
    id: string | undefined,
    source: unknown,
    opts: { opType: 'index' | 'create' } & Preconditions,
  ): WriteResult {
    validatePreconditions(opts);
    if (id !== undefined) validateId(id);
    if (opts.opType === 'create' && opts.ifSeqNo !== undefined) {
      throw validationFailed(['create operations do not support compare and set. use index instead']);
    }
    if (!isObject(source)) {
      throw new EsError(400, {
        type: 'document_parsing_exception',
        reason: '[1:1] failed to parse: Malformed content, must start with an object',
      });
    }
    const index = this.getOrCreateIndex(indexName);
    const docId = id ?? generateId();
    const existing = index.docs.get(docId);
    const parsed = parseDocument(index.mapping, source, docId);
    if (opts.opType === 'create' && existing !== undefined) {
      throw versionConflict(index.name, index.uuid, docId, `document already exists (current version [${existing.version}])`);
    }
    checkPreconditions(index, docId, existing, opts);
    return this.commit(index, docId, source, parsed.fields, parsed.mappingChanged ? parsed.mapping : undefined);
  }

  private commit(
    index: IndexState,
    id: string,
    source: Record<string, unknown>,
    fields: Map<string, FieldData>,
    newMapping: RootMapping | undefined,
  ): WriteResult {
    const existing = index.docs.get(id);
    if (newMapping !== undefined) index.mapping = newMapping;
    const version = (existing?.version ?? index.tombstones.get(id) ?? 0) + 1;
    const doc: StoredDoc = { id, source: structuredClone(source), version, seqNo: index.nextSeqNo(), primaryTerm: 1, fields };
    // Re-inserting moves an updated document to the end, like a new Lucene doc replacing the old one.
    index.docs.delete(id);
    index.docs.set(id, doc);
    index.tombstones.delete(id);
    return {
      index,
      id,
      result: existing === undefined ? 'created' : 'updated',
      version,
      seqNo: doc.seqNo,
      primaryTerm: doc.primaryTerm,
      status: existing === undefined ? 201 : 200,
    };
  }

  updateDocument(indexName: string, id: string, update: UpdateBody, p: Preconditions): WriteResult {
    validatePreconditions(p);
    validateId(id);
    const index = this.getOrCreateIndex(indexName);
    const existing = index.docs.get(id);
    if (existing === undefined) {
      const upsertSource = update.docAsUpsert ? update.doc : update.upsert;
      if (upsertSource === undefined || p.ifSeqNo !== undefined) throw documentMissing(index.name, index.uuid, id);
      const parsed = parseDocument(index.mapping, upsertSource, id);
      return this.commit(index, id, upsertSource, parsed.fields, parsed.mappingChanged ? parsed.mapping : undefined);
    }
    checkPreconditions(index, id, existing, p);
    const merged = deepMerge(existing.source, update.doc ?? {});
    if (update.detectNoop && deepEqual(merged, existing.source)) {
      return {
        index,
        id,
        result: 'noop',
        version: existing.version,
        seqNo: existing.seqNo,
        primaryTerm: existing.primaryTerm,
        status: 200,
      };
    }
    const parsed = parseDocument(index.mapping, merged, id);
    return this.commit(index, id, merged, parsed.fields, parsed.mappingChanged ? parsed.mapping : undefined);
  }

  deleteDocument(indexName: string, id: string, p: Preconditions): WriteResult {
    validatePreconditions(p);
    const index = this.getIndex(indexName);
    const existing = index.docs.get(id);
    checkPreconditions(index, id, existing, p);
    const version = (existing?.version ?? index.tombstones.get(id) ?? 0) + 1;
    index.docs.delete(id);
    index.tombstones.set(id, version);
    return {
      index,
      id,
      result: existing === undefined ? 'not_found' : 'deleted',
      version,
      seqNo: index.nextSeqNo(),
      primaryTerm: 1,
      status: existing === undefined ? 404 : 200,
    };
  }
}

export function writeResponseBody(r: WriteResult): Record<string, unknown> {
  return {
    _index: r.index.name,
    _id: r.id,
    _version: r.version,
    result: r.result,
    _shards: r.result === 'noop' ? { total: 0, successful: 0, failed: 0 } : r.index.shardsHeader(),
    _seq_no: r.seqNo,
    _primary_term: r.primaryTerm,
  };
}

export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
