import { analyze, codePointLength } from './analysis';
import { DEFAULT_DATE_FORMAT, isSupportedDateFormat, looksLikeDate, parseDateValue } from './dates';
import { EsError, illegalArgument, mapperParsing, unsupported } from './errors';
import { checkAnalyzer, isObject, resolveNormalizer, type FlatSettings } from './settings';

export type Category = 'text' | 'keyword' | 'number' | 'date' | 'boolean';

export interface LeafMapping {
  kind: 'leaf';
  type: string;
  category: Category;
  /** Parameters exactly as declared (minus `type` and `fields`), echoed back by GET _mapping. */
  params: Record<string, unknown>;
  fields: Map<string, LeafMapping>;
  normalize: ((s: string) => string) | undefined;
}

export interface ObjectMapping {
  kind: 'object';
  params: Record<string, unknown>;
  properties: Map<string, FieldNode>;
}

export type FieldNode = LeafMapping | ObjectMapping;

export interface RootMapping {
  root: ObjectMapping;
  rootParams: Record<string, unknown>;
}

/** What one document contributes to a field, precomputed at write time like an inverted index. */
export type FieldData =
  | { kind: 'text'; values: string[][]; length: number }
  | { kind: 'keyword'; values: string[] }
  | { kind: 'number'; values: number[] }
  | { kind: 'date'; values: number[] }
  | { kind: 'boolean'; values: boolean[] };

export interface ResolvedField {
  path: string;
  leaf: LeafMapping;
  /** Where the value lives in _source (a multi-field reads its parent's value). */
  sourcePath: string;
}

const TYPE_CATEGORY: Record<string, Category> = {
  text: 'text',
  match_only_text: 'text',
  keyword: 'keyword',
  date: 'date',
  date_nanos: 'date',
  long: 'number',
  integer: 'number',
  short: 'number',
  byte: 'number',
  double: 'number',
  float: 'number',
  half_float: 'number',
  scaled_float: 'number',
  boolean: 'boolean',
};

const INTEGRAL_RANGES: Record<string, [number, number]> = {
  byte: [-128, 127],
  short: [-32768, 32767],
  integer: [-2147483648, 2147483647],
  long: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
};

/** Types real ES has but the stand-in cannot emulate faithfully: refused instead of approximated. */
const ES_TYPES_NOT_EMULATED = new Set([
  'nested', 'flattened', 'join', 'ip', 'version', 'binary', 'geo_point', 'geo_shape', 'point', 'shape',
  'integer_range', 'long_range', 'float_range', 'double_range', 'date_range', 'ip_range', 'completion',
  'search_as_you_type', 'token_count', 'wildcard', 'constant_keyword', 'unsigned_long', 'alias',
  'dense_vector', 'sparse_vector', 'semantic_text', 'rank_feature', 'rank_features', 'percolator',
  'histogram', 'aggregate_metric_double', 'annotated_text', 'counted_keyword', 'passthrough',
]);

const COMMON_PARAMS = ['index', 'store', 'doc_values', 'copy_to', 'meta', 'boost'];
const PARAMS_BY_CATEGORY: Record<Category, Set<string>> = {
  text: new Set([
    ...COMMON_PARAMS, 'analyzer', 'search_analyzer', 'search_quote_analyzer', 'norms', 'similarity', 'term_vector',
    'index_options', 'index_phrases', 'index_prefixes', 'position_increment_gap', 'fielddata',
    'fielddata_frequency_filter', 'eager_global_ordinals',
  ]),
  keyword: new Set([
    ...COMMON_PARAMS, 'ignore_above', 'normalizer', 'null_value', 'norms', 'similarity', 'index_options',
    'eager_global_ordinals', 'split_queries_on_whitespace', 'time_series_dimension',
  ]),
  number: new Set([
    ...COMMON_PARAMS, 'coerce', 'ignore_malformed', 'null_value', 'scaling_factor', 'time_series_metric',
    'time_series_dimension',
  ]),
  date: new Set([...COMMON_PARAMS, 'format', 'locale', 'null_value', 'ignore_malformed']),
  boolean: new Set([...COMMON_PARAMS, 'null_value', 'ignore_malformed']),
};
const OBJECT_PARAMS = new Set(['type', 'properties', 'dynamic', 'enabled', 'subobjects']);
const ROOT_PARAMS = new Set([
  'properties', 'dynamic', '_meta', '_source', 'date_detection', 'numeric_detection', 'dynamic_templates',
  'runtime', '_routing', 'enabled', 'subobjects', 'dynamic_date_formats',
]);

export function emptyRootMapping(): RootMapping {
  return { root: { kind: 'object', params: {}, properties: new Map() }, rootParams: {} };
}

// ---------------------------------------------------------------------------------------------
// Parsing mapping definitions
// ---------------------------------------------------------------------------------------------

export function parseMappings(json: unknown, settings: FlatSettings): RootMapping {
  const mapping = emptyRootMapping();
  if (json === undefined || json === null) return mapping;
  if (!isObject(json)) throw mapperParsing('Failed to parse mapping: mappings must be an object');
  const unknown = Object.keys(json).filter((k) => !ROOT_PARAMS.has(k));
  if (unknown.length > 0) {
    const listed = unknown.map((k) => `${k} : ${JSON.stringify(json[k])}`).join(', ');
    throw mapperParsing(`Failed to parse mapping: Root mapping definition has unsupported parameters:  [${listed}]`);
  }
  for (const [key, value] of Object.entries(json)) {
    switch (key) {
      case 'properties':
        break;
      case 'dynamic':
        mapping.root.params.dynamic = parseDynamic(value, '_doc');
        break;
      case '_meta':
        if (!isObject(value)) throw mapperParsing('[_meta] must be an object');
        mapping.rootParams._meta = value;
        break;
      case '_source':
        if (!isObject(value) || Object.keys(value).some((k) => k !== 'enabled') || value.enabled === false) {
          throw unsupported('[_source] mapping options other than {"enabled": true}');
        }
        mapping.rootParams._source = value;
        break;
      case 'date_detection':
        mapping.rootParams.date_detection = parseBool(value, 'date_detection');
        break;
      case 'numeric_detection':
        if (parseBool(value, 'numeric_detection')) throw unsupported('[numeric_detection: true]');
        mapping.rootParams.numeric_detection = false;
        break;
      case 'dynamic_templates':
      case 'runtime':
        if (!(Array.isArray(value) && value.length === 0) && !(isObject(value) && Object.keys(value).length === 0)) {
          throw unsupported(`mapping [${key}]`);
        }
        break;
      case '_routing':
        if (!isObject(value) || value.required === true) throw unsupported('[_routing] required routing');
        break;
      case 'enabled':
        if (value === false || value === 'false') throw unsupported('a root mapping with [enabled: false]');
        break;
      case 'subobjects':
        if (value === false || value === 'false') throw unsupported('[subobjects: false]');
        break;
      case 'dynamic_date_formats':
        throw unsupported('[dynamic_date_formats]');
    }
  }
  if (json.properties !== undefined) {
    for (const [name, node] of parseProperties(json.properties, '', settings)) {
      mergeNodeInto(mapping.root.properties, name, node, name);
    }
  }
  return mapping;
}

function parseDynamic(value: unknown, where: string): string {
  const v = String(value);
  if (v === 'true' || v === 'false' || v === 'strict') return v;
  if (v === 'runtime') throw unsupported('[dynamic: runtime]');
  throw mapperParsing(`Could not convert [dynamic] to boolean or strict for [${where}]`);
}

function parseBool(value: unknown, name: string): boolean {
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw mapperParsing(`Failed to parse value [${String(value)}] as only [true] or [false] are allowed for [${name}]`);
}

function parseProperties(json: unknown, prefix: string, settings: FlatSettings): Map<string, FieldNode> {
  if (!isObject(json)) throw mapperParsing(`Expected map for property [properties] on field [${prefix || '_doc'}]`);
  const out = new Map<string, FieldNode>();
  for (const [rawName, def] of Object.entries(json)) {
    if (rawName.trim() === '') throw mapperParsing('field name cannot be an empty string');
    const segments = rawName.split('.');
    const leafName = segments[segments.length - 1] ?? rawName;
    const fullPath = prefix === '' ? rawName : `${prefix}.${rawName}`;
    let node = parseNode(leafName, fullPath, def, settings);
    // `"a.b": {...}` in a mapping is shorthand for nested objects, as in ES.
    for (let i = segments.length - 2; i >= 0; i--) {
      node = { kind: 'object', params: {}, properties: new Map([[segments[i + 1] ?? leafName, node]]) };
    }
    mergeNodeInto(out, segments[0] ?? rawName, node, fullPath);
  }
  return out;
}

function parseNode(name: string, path: string, def: unknown, settings: FlatSettings): FieldNode {
  if (!isObject(def)) {
    throw mapperParsing(`Expected map for property [fields] on field [${name}] but got a ${typeof def}`);
  }
  const type = def.type;
  if (type === undefined || type === 'object') {
    const params: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(def)) {
      if (!OBJECT_PARAMS.has(k)) throw mapperParsing(`unknown parameter [${k}] on mapper [${path}] of type [object]`);
      if (k === 'dynamic') params.dynamic = parseDynamic(v, path);
      else if (k === 'enabled') params.enabled = parseBool(v, 'enabled');
      else if (k === 'subobjects' && (v === false || v === 'false')) throw unsupported('[subobjects: false]');
      else if (k === 'type') params.type = 'object';
    }
    const properties = def.properties === undefined ? new Map<string, FieldNode>() : parseProperties(def.properties, path, settings);
    return { kind: 'object', params, properties };
  }
  if (typeof type !== 'string') throw mapperParsing(`No type specified for field [${name}]`);
  return parseLeaf(name, path, type, def, settings);
}

function parseLeaf(name: string, path: string, type: string, def: Record<string, unknown>, settings: FlatSettings): LeafMapping {
  const category = TYPE_CATEGORY[type];
  if (category === undefined) {
    if (ES_TYPES_NOT_EMULATED.has(type)) throw unsupported(`field type [${type}] (field [${path}])`);
    throw mapperParsing(`No handler for type [${type}] declared on field [${name}]`);
  }
  const allowed = PARAMS_BY_CATEGORY[category];
  const params: Record<string, unknown> = {};
  let normalize: ((s: string) => string) | undefined;
  for (const [k, v] of Object.entries(def)) {
    if (k === 'type' || k === 'fields') continue;
    if (!allowed.has(k)) throw mapperParsing(`unknown parameter [${k}] on mapper [${path}] of type [${type}]`);
    switch (k) {
      case 'index':
      case 'doc_values':
      case 'store':
      case 'fielddata':
      case 'coerce':
      case 'ignore_malformed':
      case 'eager_global_ordinals':
      case 'norms':
        params[k] = parseBool(v, k);
        break;
      case 'split_queries_on_whitespace':
        if (parseBool(v, k)) throw unsupported('[split_queries_on_whitespace: true]');
        params[k] = false;
        break;
      case 'ignore_above':
        if (!Number.isInteger(Number(v)) || Number(v) < 0) throw mapperParsing(`[ignore_above] must be a positive integer on field [${path}]`);
        params[k] = Number(v);
        break;
      case 'format':
        if (typeof v !== 'string' || !isSupportedDateFormat(v)) throw unsupported(`date format [${String(v)}] on field [${path}]`);
        params[k] = v;
        break;
      case 'analyzer':
      case 'search_analyzer':
      case 'search_quote_analyzer':
        checkAnalyzer(settings, String(v), `field [${path}]`);
        params[k] = v;
        break;
      case 'normalizer':
        normalize = resolveNormalizer(settings, String(v), path);
        params[k] = v;
        break;
      case 'copy_to': {
        const targets = Array.isArray(v) ? v : [v];
        if (!targets.every((t) => typeof t === 'string')) throw mapperParsing(`[copy_to] must be a string or list of strings on [${path}]`);
        params[k] = v;
        break;
      }
      case 'scaling_factor':
        if (typeof v !== 'number' || !(v > 0)) throw mapperParsing(`[scaling_factor] must be a positive number on [${path}]`);
        params[k] = v;
        break;
      case 'locale':
        throw unsupported(`[locale] on date field [${path}]`);
      default:
        params[k] = v;
    }
  }
  if (type === 'scaled_float' && params.scaling_factor === undefined) {
    throw illegalArgument(`Field [scaling_factor] is required`);
  }
  const fields = new Map<string, LeafMapping>();
  if (def.fields !== undefined) {
    if (!isObject(def.fields)) throw mapperParsing(`Expected map for property [fields] on field [${name}]`);
    for (const [sub, subDef] of Object.entries(def.fields)) {
      if (!isObject(subDef) || typeof subDef.type !== 'string' || subDef.type === 'object') {
        throw mapperParsing(`Type [${String(isObject(subDef) ? subDef.type : subDef)}] cannot be used in multi field`);
      }
      if (subDef.fields !== undefined) throw mapperParsing(`Multi-field [${path}.${sub}] cannot have multi-fields`);
      fields.set(sub, parseLeaf(sub, `${path}.${sub}`, subDef.type, subDef, settings));
    }
  }
  return { kind: 'leaf', type, category, params, fields, normalize };
}

// ---------------------------------------------------------------------------------------------
// Merging (PUT _mapping) and rendering (GET _mapping)
// ---------------------------------------------------------------------------------------------

const UPDATABLE_LEAF_PARAMS = new Set(['ignore_above', 'meta', 'search_analyzer', 'search_quote_analyzer', 'ignore_malformed']);

function mergeNodeInto(target: Map<string, FieldNode>, name: string, incoming: FieldNode, path: string): void {
  const existing = target.get(name);
  if (existing === undefined) {
    target.set(name, incoming);
    return;
  }
  if (existing.kind === 'object' && incoming.kind === 'object') {
    Object.assign(existing.params, incoming.params);
    for (const [childName, child] of incoming.properties) {
      mergeNodeInto(existing.properties, childName, child, `${path}.${childName}`);
    }
    return;
  }
  if (existing.kind === 'leaf' && incoming.kind === 'leaf') {
    if (existing.type !== incoming.type) {
      throw illegalArgument(`mapper [${path}] cannot be changed from type [${existing.type}] to [${incoming.type}]`);
    }
    const keys = new Set([...Object.keys(existing.params), ...Object.keys(incoming.params)]);
    for (const key of keys) {
      if (UPDATABLE_LEAF_PARAMS.has(key)) continue;
      const before = JSON.stringify(existing.params[key]);
      const after = JSON.stringify(incoming.params[key]);
      if (before !== after) {
        throw illegalArgument(
          `Mapper for [${path}] conflicts with existing mapper:\n\tCannot update parameter [${key}] from [${before ?? 'default'}] to [${after ?? 'default'}]`,
        );
      }
    }
    Object.assign(existing.params, incoming.params);
    for (const [sub, subLeaf] of incoming.fields) {
      const had = existing.fields.get(sub);
      if (had === undefined) existing.fields.set(sub, subLeaf);
      else {
        const holder = new Map<string, FieldNode>([[sub, had]]);
        mergeNodeInto(holder, sub, subLeaf, `${path}.${sub}`);
      }
    }
    return;
  }
  throw illegalArgument(`can't merge a non object mapping [${path}] with an object mapping`);
}

export function mergeMappings(existing: RootMapping, incoming: RootMapping): RootMapping {
  const merged = cloneRoot(existing);
  Object.assign(merged.root.params, incoming.root.params);
  Object.assign(merged.rootParams, incoming.rootParams);
  for (const [name, node] of incoming.root.properties) mergeNodeInto(merged.root.properties, name, node, name);
  return merged;
}

function renderNode(node: FieldNode): Record<string, unknown> {
  if (node.kind === 'leaf') {
    const out: Record<string, unknown> = { type: node.type, ...node.params };
    if (node.fields.size > 0) {
      out.fields = Object.fromEntries([...node.fields].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, renderNode(v)]));
    }
    return out;
  }
  const out: Record<string, unknown> = { ...node.params };
  if (node.properties.size > 0) out.properties = renderProperties(node.properties);
  return out;
}

function renderProperties(props: Map<string, FieldNode>): Record<string, unknown> {
  return Object.fromEntries([...props].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, renderNode(v)]));
}

export function renderMapping(mapping: RootMapping): Record<string, unknown> {
  const out: Record<string, unknown> = { ...mapping.root.params, ...mapping.rootParams };
  if (mapping.root.properties.size > 0) out.properties = renderProperties(mapping.root.properties);
  return out;
}

function cloneNode(node: FieldNode): FieldNode {
  if (node.kind === 'leaf') {
    return {
      ...node,
      params: structuredClone(node.params),
      fields: new Map([...node.fields].map(([k, v]) => [k, cloneNode(v) as LeafMapping])),
    };
  }
  return {
    kind: 'object',
    params: { ...node.params },
    properties: new Map([...node.properties].map(([k, v]) => [k, cloneNode(v)])),
  };
}

export function cloneRoot(mapping: RootMapping): RootMapping {
  return { root: cloneNode(mapping.root) as ObjectMapping, rootParams: structuredClone(mapping.rootParams) };
}

// ---------------------------------------------------------------------------------------------
// Field lookup
// ---------------------------------------------------------------------------------------------

export function resolveNode(mapping: RootMapping, path: string): ResolvedField | ObjectMapping | undefined {
  const segments = path.split('.');
  let node: FieldNode = mapping.root;
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i] ?? '';
    if (node.kind === 'object') {
      const child: FieldNode | undefined = node.properties.get(seg);
      if (child === undefined) return undefined;
      node = child;
      continue;
    }
    const sourcePath = segments.slice(0, i).join('.');
    const sub = node.fields.get(segments.slice(i).join('.'));
    return sub === undefined ? undefined : { path, leaf: sub, sourcePath };
  }
  return node.kind === 'leaf' ? { path, leaf: node, sourcePath: path } : node;
}

export function resolveLeaf(mapping: RootMapping, path: string): ResolvedField | undefined {
  const node = resolveNode(mapping, path);
  return node === undefined || !('leaf' in node) ? undefined : node;
}

export function listLeafFields(mapping: RootMapping): ResolvedField[] {
  const out: ResolvedField[] = [];
  const walk = (props: Map<string, FieldNode>, prefix: string): void => {
    for (const [name, node] of props) {
      const path = prefix === '' ? name : `${prefix}.${name}`;
      if (node.kind === 'object') walk(node.properties, path);
      else {
        out.push({ path, leaf: node, sourcePath: path });
        for (const [sub, leaf] of node.fields) out.push({ path: `${path}.${sub}`, leaf, sourcePath: path });
      }
    }
  };
  walk(mapping.root.properties, '');
  return out;
}

// ---------------------------------------------------------------------------------------------
// Document parsing: validates a source against the mapping, applies dynamic mapping, and produces
// the per-field values that queries, sorting and scoring read.
// ---------------------------------------------------------------------------------------------

export interface ParsedDocument {
  fields: Map<string, FieldData>;
  mapping: RootMapping;
  mappingChanged: boolean;
}

export function parseDocument(current: RootMapping, source: Record<string, unknown>, id: string): ParsedDocument {
  const mapping = cloneRoot(current);
  const state = { changed: false };
  const fields = new Map<string, FieldData>();
  const copies: Array<{ target: string; value: unknown }> = [];
  const rootDynamic = String(mapping.root.params.dynamic ?? 'true');
  const dateDetection = mapping.rootParams.date_detection !== false;

  const fail = (path: string, type: string, value: unknown, why: string): EsError => {
    const preview = typeof value === 'string' ? value : JSON.stringify(value);
    return new EsError(400, {
      type: 'document_parsing_exception',
      reason: `failed to parse field [${path}] of type [${type}] in document with id '${id}'. Preview of field's value: '${preview}'`,
      caused_by: { type: 'illegal_argument_exception', reason: why },
    });
  };

  const addValue = (leaf: LeafMapping, path: string, raw: unknown, withCopies: boolean): void => {
    if (raw === null) {
      if (leaf.params.null_value === undefined) return;
      raw = leaf.params.null_value;
    }
    if (typeof raw === 'object') throw fail(path, leaf.type, raw, `Can't parse an object or array as a value of [${leaf.type}]`);
    const lenient = leaf.params.ignore_malformed === true;
    switch (leaf.category) {
      case 'text': {
        const tokens = analyze(String(raw));
        const data = getData(fields, path, 'text');
        data.values.push(tokens);
        data.length += tokens.length;
        break;
      }
      case 'keyword': {
        const text = String(raw);
        const limit = leaf.params.ignore_above;
        if (typeof limit === 'number' && codePointLength(text) > limit) break;
        getData(fields, path, 'keyword').values.push(leaf.normalize ? leaf.normalize(text) : text);
        break;
      }
      case 'number': {
        const coerce = leaf.params.coerce !== false;
        let n = typeof raw === 'number' ? raw : typeof raw === 'string' && coerce && raw.trim() !== '' ? Number(raw) : NaN;
        if (!Number.isFinite(n)) {
          if (lenient) break;
          throw fail(path, leaf.type, raw, `For input string: "${String(raw)}"`);
        }
        const range = INTEGRAL_RANGES[leaf.type];
        if (range !== undefined) {
          if (!Number.isInteger(n) && !coerce) throw fail(path, leaf.type, raw, `Value [${n}] has a decimal part`);
          n = Math.trunc(n);
          if (n < range[0] || n > range[1]) {
            if (lenient) break;
            throw fail(path, leaf.type, raw, `Value [${n}] is out of range for ${leaf.type === 'long' ? 'a long' : `an ${leaf.type}`}`);
          }
        } else if (leaf.type === 'scaled_float') {
          const factor = Number(leaf.params.scaling_factor);
          n = Math.round(n * factor) / factor;
        }
        getData(fields, path, 'number').values.push(n);
        break;
      }
      case 'date': {
        const format = typeof leaf.params.format === 'string' ? leaf.params.format : DEFAULT_DATE_FORMAT;
        const ms = parseDateValue(raw, format, false);
        if (ms === null) {
          if (lenient) break;
          throw fail(path, leaf.type, raw, `failed to parse date field [${String(raw)}] with format [${format}]`);
        }
        getData(fields, path, 'date').values.push(ms);
        break;
      }
      case 'boolean': {
        const b = raw === true || raw === 'true' ? true : raw === false || raw === 'false' || raw === '' ? false : undefined;
        if (b === undefined) {
          if (lenient) break;
          throw fail(path, leaf.type, raw, `Failed to parse value [${String(raw)}] as only [true] or [false] are allowed.`);
        }
        getData(fields, path, 'boolean').values.push(b);
        break;
      }
    }
    for (const [sub, subLeaf] of leaf.fields) addValue(subLeaf, `${path}.${sub}`, raw, false);
    if (withCopies && leaf.params.copy_to !== undefined) {
      const targets = Array.isArray(leaf.params.copy_to) ? leaf.params.copy_to : [leaf.params.copy_to];
      for (const target of targets) copies.push({ target: String(target), value: raw });
    }
  };

  const dynamicLeaf = (value: unknown): LeafMapping | undefined => {
    const make = (type: string, params: Record<string, unknown> = {}, fields = new Map<string, LeafMapping>()): LeafMapping => ({
      kind: 'leaf',
      type,
      category: TYPE_CATEGORY[type] ?? 'keyword',
      params,
      fields,
      normalize: undefined,
    });
    if (typeof value === 'boolean') return make('boolean');
    if (typeof value === 'number') return make(Number.isInteger(value) ? 'long' : 'float');
    if (typeof value === 'string') {
      if (dateDetection && looksLikeDate(value)) return make('date');
      return make('text', {}, new Map([['keyword', make('keyword', { ignore_above: 256 })]]));
    }
    return undefined;
  };

  const strictError = (name: string, parentPath: string): EsError =>
    new EsError(400, {
      type: 'strict_dynamic_mapping_exception',
      reason: `mapping set to strict, dynamic introduction of [${name}] within [${parentPath === '' ? '_doc' : parentPath}] is not allowed`,
    });

  const walkValue = (
    name: string,
    value: unknown,
    parent: ObjectMapping,
    dynamic: string,
    parentPath: string,
    withCopies: boolean,
  ): void => {
    const path = parentPath === '' ? name : `${parentPath}.${name}`;
    if (Array.isArray(value)) {
      for (const el of value) walkValue(name, el, parent, dynamic, parentPath, withCopies);
      return;
    }
    let node = parent.properties.get(name);
    if (value === null) {
      if (node?.kind === 'leaf') addValue(node, path, null, withCopies);
      return;
    }
    if (isObject(value)) {
      if (node?.kind === 'leaf') throw fail(path, node.type, value, `Can't get text on a START_OBJECT`);
      if (node === undefined) {
        if (dynamic === 'strict') throw strictError(name, parentPath);
        if (dynamic === 'false') return;
        node = { kind: 'object', params: {}, properties: new Map() };
        parent.properties.set(name, node);
        state.changed = true;
      }
      if (node.params.enabled === false) return;
      walkObject(value, node, String(node.params.dynamic ?? dynamic), path, withCopies);
      return;
    }
    if (node?.kind === 'object') {
      throw new EsError(400, {
        type: 'document_parsing_exception',
        reason: `object mapping for [${path}] tried to parse field [${name}] as object, but found a concrete value`,
      });
    }
    if (node === undefined) {
      if (dynamic === 'strict') throw strictError(name, parentPath);
      if (dynamic === 'false') return;
      const created = dynamicLeaf(value);
      if (created === undefined) return;
      parent.properties.set(name, created);
      state.changed = true;
      node = created;
    }
    addValue(node, path, value, withCopies);
  };

  const walkEntry = (
    key: string,
    value: unknown,
    node: ObjectMapping,
    dynamic: string,
    prefix: string,
    withCopies: boolean,
  ): void => {
    if (key.trim() === '') throw new EsError(400, { type: 'document_parsing_exception', reason: 'field name cannot be an empty string' });
    // A dotted key ("address.city") addresses the same field as the nested object form.
    const segments = key.split('.');
    let parent = node;
    let parentDynamic = dynamic;
    let parentPath = prefix;
    for (let i = 0; i < segments.length - 1; i++) {
      const seg = segments[i] ?? '';
      let child = parent.properties.get(seg);
      const childPath = parentPath === '' ? seg : `${parentPath}.${seg}`;
      if (child?.kind === 'leaf') {
        throw new EsError(400, {
          type: 'document_parsing_exception',
          reason: `Could not dynamically add mapping for field [${childPath}.${segments.slice(i + 1).join('.')}]. Existing mapping for [${childPath}] must be of type object but found [${child.type}].`,
        });
      }
      if (child === undefined) {
        if (parentDynamic === 'strict') throw strictError(seg, parentPath);
        if (parentDynamic === 'false') return;
        child = { kind: 'object', params: {}, properties: new Map() };
        parent.properties.set(seg, child);
        state.changed = true;
      }
      if (child.params.enabled === false) return;
      parent = child;
      parentDynamic = String(child.params.dynamic ?? parentDynamic);
      parentPath = childPath;
    }
    walkValue(segments[segments.length - 1] ?? key, value, parent, parentDynamic, parentPath, withCopies);
  };

  const walkObject = (obj: Record<string, unknown>, node: ObjectMapping, dynamic: string, prefix: string, withCopies: boolean): void => {
    for (const [key, value] of Object.entries(obj)) walkEntry(key, value, node, dynamic, prefix, withCopies);
  };

  walkObject(source, mapping.root, rootDynamic, '', true);
  // copy_to is not transitive in ES: copied values do not trigger the target's own copy_to.
  for (const { target, value } of copies) walkEntry(target, value, mapping.root, rootDynamic, '', false);
  return { fields, mapping: state.changed ? mapping : current, mappingChanged: state.changed };
}

function getData<K extends FieldData['kind']>(fields: Map<string, FieldData>, path: string, kind: K): Extract<FieldData, { kind: K }> {
  let data = fields.get(path);
  if (data === undefined) {
    data = (kind === 'text' ? { kind, values: [], length: 0 } : { kind, values: [] }) as FieldData;
    fields.set(path, data);
  }
  return data as Extract<FieldData, { kind: K }>;
}
