import { analyzeWithOffsets } from './analysis';
import { formatIso } from './dates';
import { EsError, illegalArgument, parsingError, queryShard, searchPhaseFailure, unsupported } from './errors';
import { emptyRootMapping, listLeafFields, resolveNode, type ResolvedField } from './mapping';
import { compileQuery, newQueryContext, type CompiledQuery, type HighlightTerm, type QueryContext } from './query';
import { isObject } from './settings';
import { escapeRegExp, IndexState, type Cluster, type StoredDoc } from './store';

const SEARCH_KEYS = new Set([
  'query', 'from', 'size', 'sort', 'track_total_hits', 'highlight', '_source', 'track_scores', 'min_score',
  'search_after', 'post_filter', 'timeout', 'version', 'seq_no_primary_term', 'explain', 'profile',
]);
/** Search body sections ES understands that the stand-in does not compute. */
const SEARCH_KEYS_NOT_EMULATED = new Set([
  'aggs', 'aggregations', 'collapse', 'rescore', 'suggest', 'knn', 'pit', 'retriever', 'runtime_mappings',
  'script_fields', 'slice', 'stats', 'ext', 'rank', 'indices_boost', 'docvalue_fields', 'fields', 'stored_fields',
  'terminate_after', 'project_routing', 'sub_searches',
]);

const LONG_MAX = 9223372036854775807;
const LONG_MIN = -9223372036854775808;

interface Hit {
  index: IndexState;
  ordinal: number;
  doc: StoredDoc;
  score: number;
  keys: Array<number | string | null>;
  sortValues: unknown[];
}

// ---------------------------------------------------------------------------------------------
// Request parsing
// ---------------------------------------------------------------------------------------------

function intValue(value: unknown, name: string): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  if (!Number.isInteger(n)) throw illegalArgument(`Failed to parse int parameter [${name}] with value [${String(value)}]`);
  return n;
}

interface SortSpec {
  field: string;
  order: 'asc' | 'desc';
  missing: unknown;
  unmappedType: string | undefined;
  mode: 'min' | 'max' | undefined;
  format: string | undefined;
}

const SORT_OPTIONS = ['order', 'missing', 'unmapped_type', 'mode', 'format'];

function parseOrder(value: unknown): 'asc' | 'desc' {
  const v = String(value).toLowerCase();
  if (v !== 'asc' && v !== 'desc') throw illegalArgument(`Unknown SortOrder [${String(value)}]`);
  return v;
}

function sortEntry(field: string, options: unknown): SortSpec {
  const defaultOrder = field === '_score' ? 'desc' : 'asc';
  const spec: SortSpec = { field, order: defaultOrder, missing: '_last', unmappedType: undefined, mode: undefined, format: undefined };
  if (options === undefined) return spec;
  if (typeof options === 'string') {
    spec.order = parseOrder(options);
    return spec;
  }
  if (!isObject(options)) throw parsingError(`[sort] malformed options for [${field}]`);
  for (const [key, value] of Object.entries(options)) {
    if (!SORT_OPTIONS.includes(key)) {
      if (key === 'nested' || key === 'numeric_type' || key === '_script') throw unsupported(`sort option [${key}]`);
      throw parsingError(`[field_sort] unknown field [${key}]`);
    }
    if (key === 'order') spec.order = parseOrder(value);
    if (key === 'missing') spec.missing = value;
    if (key === 'unmapped_type') spec.unmappedType = String(value);
    if (key === 'format') spec.format = String(value);
    if (key === 'mode') {
      const mode = String(value);
      if (mode !== 'min' && mode !== 'max') throw unsupported(`sort mode [${mode}] (only min and max)`);
      spec.mode = mode;
    }
  }
  return spec;
}

function parseSort(value: unknown): SortSpec[] {
  if (value === undefined || value === null) return [];
  const list = Array.isArray(value) ? value : [value];
  return list.map((item) => {
    if (typeof item === 'string') return sortEntry(item, undefined);
    if (isObject(item)) {
      const entries = Object.entries(item);
      if (entries.length !== 1) throw parsingError('[sort] each sort object must have exactly one field');
      const [field, options] = entries[0] as [string, unknown];
      if (field === '_geo_distance' || field === '_script') throw unsupported(`sort by [${field}]`);
      return sortEntry(field, options);
    }
    throw parsingError('[sort] malformed sort element');
  });
}

/** URL form: `sort=registeredAt:desc,name.keyword`. */
function parseSortParam(value: string): SortSpec[] {
  return value.split(',').map((part) => {
    const idx = part.lastIndexOf(':');
    return idx < 0 ? sortEntry(part, undefined) : sortEntry(part.slice(0, idx), part.slice(idx + 1));
  });
}

export interface SourceSpec {
  enabled: boolean;
  includes: string[];
  excludes: string[];
}

function parseSourceSpec(value: unknown): SourceSpec {
  if (value === undefined || value === null || value === true || value === 'true') return { enabled: true, includes: [], excludes: [] };
  if (value === false || value === 'false') return { enabled: false, includes: [], excludes: [] };
  if (typeof value === 'string') return { enabled: true, includes: value.split(','), excludes: [] };
  if (Array.isArray(value)) return { enabled: true, includes: value.map(String), excludes: [] };
  if (isObject(value)) {
    for (const key of Object.keys(value)) {
      if (key !== 'includes' && key !== 'excludes') throw parsingError(`[_source] unknown field [${key}]`);
    }
    const list = (v: unknown): string[] => (v === undefined ? [] : Array.isArray(v) ? v.map(String) : [String(v)]);
    return { enabled: true, includes: list(value.includes), excludes: list(value.excludes) };
  }
  throw parsingError('[_source] malformed');
}

function globToRegExp(pattern: string): RegExp {
  return new RegExp(`^${pattern.split('*').map(escapeRegExp).join('.*')}$`);
}

/** _source filtering with ES's include/exclude semantics (paths and `*` wildcards). */
export function filterSource(source: Record<string, unknown>, spec: SourceSpec): Record<string, unknown> {
  if (spec.includes.length === 0 && spec.excludes.length === 0) return source;
  const includes = spec.includes.map(globToRegExp);
  const includePrefixes = spec.includes.map((p) => p.split('*')[0] ?? '');
  const excludes = spec.excludes.map(globToRegExp);
  const walk = (value: Record<string, unknown>, prefix: string, included: boolean): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
      const path = prefix === '' ? key : `${prefix}.${key}`;
      // A dotted key ("addr.city") sits under "addr" for include/exclude purposes, as in ES.
      if (matchesPathOrAncestor(excludes, path)) continue;
      const selfIncluded = included || includes.length === 0 || matchesPathOrAncestor(includes, path);
      const mayContain = includePrefixes.some((p) => p.startsWith(`${path}.`) || `${path}.`.startsWith(p));
      const child = filterValue(v, path, selfIncluded, mayContain, walk);
      if (child !== undefined) out[key] = child;
    }
    return out;
  };
  return walk(source, '', false);
}

function matchesPathOrAncestor(patterns: RegExp[], path: string): boolean {
  if (patterns.length === 0) return false;
  const parts = path.split('.');
  for (let i = 1; i <= parts.length; i++) {
    const candidate = parts.slice(0, i).join('.');
    if (patterns.some((re) => re.test(candidate))) return true;
  }
  return false;
}

function filterValue(
  value: unknown,
  path: string,
  included: boolean,
  mayContain: boolean,
  walk: (v: Record<string, unknown>, prefix: string, included: boolean) => Record<string, unknown>,
): unknown {
  if (isObject(value)) {
    if (!included && !mayContain) return undefined;
    const inner = walk(value, path, included);
    return included || Object.keys(inner).length > 0 ? inner : undefined;
  }
  if (Array.isArray(value)) {
    const items = value.map((v) => filterValue(v, path, included, mayContain, walk)).filter((v) => v !== undefined);
    return included || items.length > 0 ? items : undefined;
  }
  return included ? value : undefined;
}

/** All values at a dotted path in _source, through arrays and dotted keys. */
export function sourceValues(source: unknown, path: string): unknown[] {
  const segments = path.split('.');
  const out: unknown[] = [];
  const visit = (node: unknown, i: number): void => {
    if (Array.isArray(node)) {
      for (const el of node) visit(el, i);
      return;
    }
    if (i === segments.length) {
      if (node !== null && node !== undefined) out.push(node);
      return;
    }
    if (!isObject(node)) return;
    for (let j = i + 1; j <= segments.length; j++) {
      const key = segments.slice(i, j).join('.');
      if (key in node) visit(node[key], j);
    }
  };
  visit(source, 0);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Highlighting
// ---------------------------------------------------------------------------------------------

interface HighlightOptions {
  preTag: string;
  postTag: string;
  requireFieldMatch: boolean;
  numberOfFragments: number;
  fragmentSize: number;
  noMatchSize: number;
  html: boolean;
}

interface HighlightConfig {
  fields: Array<{ pattern: string; options: HighlightOptions }>;
}

const HIGHLIGHT_OPTIONS = [
  'pre_tags', 'post_tags', 'require_field_match', 'number_of_fragments', 'fragment_size', 'no_match_size', 'type',
  'order', 'encoder', 'tags_schema', 'fragmenter', 'boundary_scanner', 'boundary_chars', 'boundary_max_scan',
  'phrase_limit', 'max_analyzed_offset',
];

function parseHighlightOptions(obj: Record<string, unknown>, base: HighlightOptions, where: string): HighlightOptions {
  const opts = { ...base };
  for (const [key, value] of Object.entries(obj)) {
    if (key === 'fields' && where === 'highlight') continue;
    if (key === 'highlight_query' || key === 'matched_fields') throw unsupported(`highlight option [${key}]`);
    if (!HIGHLIGHT_OPTIONS.includes(key)) throw parsingError(`[${where}] unknown field [${key}]`);
    switch (key) {
      case 'pre_tags':
      case 'post_tags': {
        const tags = Array.isArray(value) ? value.map(String) : [String(value)];
        if (key === 'pre_tags') opts.preTag = tags[0] ?? '';
        else opts.postTag = tags[0] ?? '';
        break;
      }
      case 'tags_schema':
        if (value === 'styled') {
          opts.preTag = '<em class="hlt1">';
          opts.postTag = '</em>';
        }
        break;
      case 'require_field_match':
        opts.requireFieldMatch = value === true || value === 'true';
        break;
      case 'number_of_fragments':
        opts.numberOfFragments = intValue(value, key);
        break;
      case 'fragment_size':
        opts.fragmentSize = intValue(value, key);
        break;
      case 'no_match_size':
        opts.noMatchSize = intValue(value, key);
        break;
      case 'encoder':
        opts.html = value === 'html';
        break;
      case 'type':
        if (!['unified', 'plain', 'fvh'].includes(String(value))) throw illegalArgument(`unknown highlighter type [${String(value)}]`);
        break;
      default:
        break;
    }
  }
  return opts;
}

function parseHighlight(value: unknown): HighlightConfig | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) throw parsingError('[highlight] must be an object');
  const base = parseHighlightOptions(
    value,
    { preTag: '<em>', postTag: '</em>', requireFieldMatch: true, numberOfFragments: 5, fragmentSize: 100, noMatchSize: 0, html: false },
    'highlight',
  );
  const rawFields = value.fields;
  const entries: Array<[string, unknown]> = Array.isArray(rawFields)
    ? rawFields.flatMap((f) => (isObject(f) ? Object.entries(f) : []))
    : isObject(rawFields)
      ? Object.entries(rawFields)
      : [];
  if (entries.length === 0) throw illegalArgument('Highlighter requires at least one field');
  return {
    fields: entries.map(([pattern, opts]) => ({
      pattern,
      options: isObject(opts) ? parseHighlightOptions(opts, base, 'highlight_field') : base,
    })),
  };
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

function markup(value: string, ranges: Array<[number, number]>, opts: HighlightOptions, from = 0, to = value.length): string {
  const enc = (s: string): string => (opts.html ? escapeHtml(s) : s);
  let out = '';
  let pos = from;
  for (const [start, end] of ranges) {
    if (end <= from || start >= to) continue;
    out += enc(value.slice(pos, start)) + opts.preTag + enc(value.slice(start, end)) + opts.postTag;
    pos = end;
  }
  return out + enc(value.slice(pos, to));
}

/** Fragments of one text value: whole value when short, else windows of ~fragment_size around matches. */
function textFragments(value: string, ranges: Array<[number, number]>, opts: HighlightOptions): string[] {
  if (opts.numberOfFragments === 0 || value.length <= opts.fragmentSize) return [markup(value, ranges, opts)];
  const fragments: string[] = [];
  let coveredUntil = -1;
  for (const [start] of ranges) {
    if (start < coveredUntil) continue;
    const sentenceStart = Math.max(value.lastIndexOf('. ', start), value.lastIndexOf('! ', start), value.lastIndexOf('? ', start));
    let from = sentenceStart >= 0 && start - sentenceStart < opts.fragmentSize / 2 ? sentenceStart + 2 : start;
    if (from > start) from = start;
    let to = Math.min(value.length, from + opts.fragmentSize);
    while (to < value.length && /[\p{L}\p{N}]/u.test(value[to] ?? '')) to++;
    fragments.push(markup(value, ranges, opts, from, to).trim());
    coveredUntil = to;
  }
  return fragments;
}

function highlightField(
  doc: StoredDoc,
  field: ResolvedField,
  terms: HighlightTerm[],
  opts: HighlightOptions,
): string[] | undefined {
  const category = field.leaf.category;
  if (category !== 'text' && category !== 'keyword') return undefined;
  const kind = category === 'text' ? 'token' : 'value';
  const relevant = terms.filter((t) => t.kind === kind && (!opts.requireFieldMatch || t.field === field.path));
  const values = sourceValues(doc.source, field.sourcePath)
    .filter((v) => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean')
    .map(String);
  const fragments: string[] = [];
  if (relevant.length > 0) {
    for (const value of values) {
      if (category === 'keyword') {
        const normalized = field.leaf.normalize ? field.leaf.normalize(value) : value;
        if (relevant.some((t) => t.test(normalized))) fragments.push(markup(value, [[0, value.length]], opts));
        continue;
      }
      const ranges = analyzeWithOffsets(value)
        .filter((tok) => relevant.some((t) => t.test(tok.term)))
        .map((tok): [number, number] => [tok.start, tok.end]);
      if (ranges.length > 0) fragments.push(...textFragments(value, ranges, opts));
    }
  }
  if (fragments.length === 0) {
    const first = values[0];
    if (opts.noMatchSize > 0 && first !== undefined) return [markup(first.slice(0, opts.noMatchSize), [], opts)];
    return undefined;
  }
  return opts.numberOfFragments > 0 ? fragments.slice(0, opts.numberOfFragments) : fragments;
}

function highlightHit(hit: Hit, config: HighlightConfig, terms: HighlightTerm[]): Record<string, string[]> | undefined {
  const out: Record<string, string[]> = {};
  for (const { pattern, options } of config.fields) {
    const fields: ResolvedField[] = pattern.includes('*')
      ? listLeafFields(hit.index.mapping).filter((f) => globToRegExp(pattern).test(f.path))
      : [resolveNode(hit.index.mapping, pattern)].filter((n): n is ResolvedField => n !== undefined && 'leaf' in n);
    for (const field of fields) {
      const fragments = highlightField(hit.doc, field, terms, options);
      if (fragments !== undefined) out[field.path] = fragments;
    }
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

// ---------------------------------------------------------------------------------------------
// Sorting
// ---------------------------------------------------------------------------------------------

type KeyFn = (hit: Omit<Hit, 'keys' | 'sortValues'>) => { key: number | string | null; out: unknown };

function sortKeyFn(spec: SortSpec, index: IndexState): KeyFn {
  if (spec.field === '_score') return (h) => ({ key: h.score, out: h.score });
  if (spec.field === '_doc') return (h) => ({ key: h.ordinal * 1e12 + h.doc.seqNo, out: h.doc.seqNo });
  if (spec.field === '_id') {
    throw illegalArgument(
      'Fielddata access on the _id field is disallowed, you can re-enable it by updating the dynamic cluster setting: indices.id_field_data.enabled',
      { shardLevel: true },
    );
  }
  const node = resolveNode(index.mapping, spec.field);
  const field = node !== undefined && 'leaf' in node ? node : undefined;
  const missingHigh = (spec.order === 'asc') === (spec.missing !== '_first');
  if (field === undefined) {
    if (spec.unmappedType === undefined) {
      throw queryShard(`No mapping found for [${spec.field}] in order to sort on`, index.name, index.uuid);
    }
    return () => ({ key: null, out: missingSentinel(spec.unmappedType ?? 'keyword', missingHigh) });
  }
  const leaf = field.leaf;
  if (leaf.category === 'text' && leaf.params.fielddata !== true) {
    throw illegalArgument(
      `Fielddata is disabled on [${spec.field}] in [${index.name}]. Text fields are not optimised for operations that require per-document field data like aggregations and sorting, so these operations are disabled by default. Please use a keyword field instead. Alternatively, set fielddata=true on [${spec.field}] in order to load field data by uninverting the inverted index. Note that this can use significant memory.`,
      { shardLevel: true },
    );
  }
  if (leaf.params.doc_values === false && leaf.category !== 'text') {
    throw illegalArgument(
      `Can't load fielddata on [${spec.field}] because fielddata is unsupported on fields of type [${leaf.type}]. Use doc values instead.`,
      { shardLevel: true },
    );
  }
  const pickMax = (spec.mode ?? (spec.order === 'desc' ? 'max' : 'min')) === 'max';
  const numeric = leaf.category === 'number' || leaf.category === 'date' || leaf.category === 'boolean';
  let missingKey: number | string | null = null;
  if (spec.missing !== '_last' && spec.missing !== '_first') {
    missingKey = numeric ? Number(spec.missing) : String(spec.missing);
    if (typeof missingKey === 'number' && Number.isNaN(missingKey)) throw illegalArgument(`invalid missing value [${String(spec.missing)}]`);
  }
  return (h) => {
    const data = h.doc.fields.get(field.path);
    const values: Array<number | string> =
      data === undefined
        ? []
        : data.kind === 'text'
          ? data.values.flat()
          : data.kind === 'boolean'
            ? data.values.map((b) => (b ? 1 : 0))
            : (data.values as Array<number | string>);
    if (values.length === 0) {
      if (missingKey !== null) return { key: missingKey, out: missingKey };
      return { key: null, out: numeric ? missingSentinel(leaf.type, missingHigh) : null };
    }
    let best = values[0] as number | string;
    for (const v of values) if (pickMax ? v > best : v < best) best = v;
    const out = leaf.category === 'date' && spec.format !== undefined && typeof best === 'number' ? formatIso(best) : best;
    return { key: best, out };
  };
}

/** What ES prints as the sort value of a document missing a numeric field. */
function missingSentinel(type: string, high: boolean): unknown {
  if (type === 'keyword' || type === 'text') return null;
  return high ? LONG_MAX : LONG_MIN;
}

function compareKeys(a: number | string | null, b: number | string | null, spec: SortSpec): number {
  if (a === null || b === null) {
    if (a === b) return 0;
    const missingFirst = spec.missing === '_first';
    return a === null ? (missingFirst ? -1 : 1) : missingFirst ? 1 : -1;
  }
  const c = a < b ? -1 : a > b ? 1 : 0;
  return spec.order === 'desc' ? -c : c;
}

function searchAfterKey(value: unknown): number | string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') return Math.abs(value) >= 9.2e18 ? null : value;
  return String(value);
}

// ---------------------------------------------------------------------------------------------
// Execution
// ---------------------------------------------------------------------------------------------

interface IndexRun {
  index: IndexState;
  compiled: CompiledQuery;
}

function runOnIndex(index: IndexState, ordinal: number, query: unknown, postFilter: unknown, now: number): { run: IndexRun; hits: Hit[] } {
  const ctx: QueryContext = newQueryContext(index, now);
  const compiled: CompiledQuery = query === undefined ? compileQuery(ctx, { match_all: {} }) : compileQuery(ctx, query);
  let scores = compiled.run();
  if (postFilter !== undefined) {
    const filter = compileQuery(ctx, postFilter).run();
    scores = new Map([...scores].filter(([doc]) => filter.has(doc)));
  }
  const hits: Hit[] = [...scores].map(([doc, score]) => ({ index, ordinal, doc, score, keys: [], sortValues: [] }));
  return { run: { index, compiled }, hits };
}

function withShardWrapping<T>(index: IndexState, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof EsError && err.shardLevel) throw searchPhaseFailure(err, index.name);
    throw err;
  }
}

function resolveTargets(cluster: Cluster, indexExpr: string | undefined, params: URLSearchParams): IndexState[] {
  const flag = (name: string): boolean | undefined => {
    const v = params.get(name);
    return v === null ? undefined : v === '' || v === 'true';
  };
  return cluster.resolve(indexExpr, {
    ignoreUnavailable: flag('ignore_unavailable') ?? false,
    allowNoIndices: flag('allow_no_indices') ?? true,
  });
}

/** Run queries for error checking even when no index matches, so bad requests still fail. */
function validateAgainstEmptyIndex(query: unknown): void {
  if (query === undefined) return;
  const probe = new IndexState('_probe', emptyRootMapping(), new Map());
  compileQuery(newQueryContext(probe, Date.now()), query);
}

export function executeSearch(cluster: Cluster, indexExpr: string | undefined, rawBody: unknown, params: URLSearchParams): Record<string, unknown> {
  const started = performance.now();
  if (rawBody !== undefined && !isObject(rawBody)) throw parsingError('request body must be an object');
  const body = rawBody ?? {};
  for (const key of Object.keys(body)) {
    if (SEARCH_KEYS_NOT_EMULATED.has(key)) throw unsupported(`search section [${key}]`);
    if (!SEARCH_KEYS.has(key)) throw parsingError(`Unknown key for a ${isObject(body[key]) ? 'START_OBJECT' : 'VALUE'} in [${key}].`);
  }
  if (body.explain === true || body.profile === true) throw unsupported(`[${body.explain === true ? 'explain' : 'profile'}: true]`);
  if (params.has('q')) throw unsupported('the [q] URI search parameter');

  const from = intValue(body.from ?? params.get('from') ?? 0, 'from');
  const size = intValue(body.size ?? params.get('size') ?? 10, 'size');
  if (from < 0) throw illegalArgument(`[from] parameter cannot be negative, found [${from}]`);
  if (size < 0) throw illegalArgument(`[size] parameter cannot be negative, found [${size}]`);
  const sortSpecs = body.sort !== undefined ? parseSort(body.sort) : params.has('sort') ? parseSortParam(params.get('sort') ?? '') : [];
  const sourceSpec =
    body._source !== undefined
      ? parseSourceSpec(body._source)
      : params.has('_source_includes') || params.has('_source_excludes')
        ? {
            enabled: true,
            includes: params.get('_source_includes')?.split(',') ?? [],
            excludes: params.get('_source_excludes')?.split(',') ?? [],
          }
        : parseSourceSpec(params.get('_source') ?? undefined);
  const highlight = parseHighlight(body.highlight);
  const trackTotalRaw = body.track_total_hits ?? params.get('track_total_hits') ?? undefined;
  const restTotalAsInt = params.get('rest_total_hits_as_int') === 'true';
  const trackTotal: number | boolean =
    restTotalAsInt || trackTotalRaw === true || trackTotalRaw === 'true'
      ? true
      : trackTotalRaw === false || trackTotalRaw === 'false'
        ? false
        : trackTotalRaw === undefined
          ? 10000
          : intValue(trackTotalRaw, 'track_total_hits');
  const trackScores = body.track_scores === true || params.get('track_scores') === 'true';
  const minScore = body.min_score === undefined ? undefined : Number(body.min_score);
  const withVersion = body.version === true || params.get('version') === 'true';
  const withSeqNo = body.seq_no_primary_term === true || params.get('seq_no_primary_term') === 'true';
  if (body.search_after !== undefined) {
    if (!Array.isArray(body.search_after)) throw parsingError('[search_after] must be an array');
    if (sortSpecs.length === 0) throw illegalArgument('[search_after] requires an explicit [sort]');
    if (body.search_after.length !== sortSpecs.length) {
      throw illegalArgument(`search_after has ${body.search_after.length} value(s) but sort has ${sortSpecs.length}.`);
    }
    if (from > 0) throw illegalArgument('[from] parameter must be set to 0 when [search_after] is used.');
  }

  const indices = resolveTargets(cluster, indexExpr, params);
  const now = Date.now();
  if (indices.length === 0) {
    validateAgainstEmptyIndex(body.query);
    validateAgainstEmptyIndex(body.post_filter);
  }
  const runs = new Map<IndexState, IndexRun>();
  let hits: Hit[] = [];
  indices.forEach((index, ordinal) => {
    withShardWrapping(index, () => {
      const maxWindow = index.maxResultWindow;
      if (from + size > maxWindow) {
        throw illegalArgument(
          `Result window is too large, from + size must be less than or equal to: [${maxWindow}] but was [${from + size}]. See the scroll api for a more efficient way to request large data sets. This limit can be set by changing the [index.max_result_window] index level setting.`,
          { shardLevel: true },
        );
      }
      const { run, hits: indexHits } = runOnIndex(index, ordinal, body.query, body.post_filter, now);
      runs.set(index, run);
      const keyFns = sortSpecs.map((spec) => sortKeyFn(spec, index));
      for (const hit of indexHits) {
        for (const fn of keyFns) {
          const { key, out } = fn(hit);
          hit.keys.push(key);
          hit.sortValues.push(out);
        }
      }
      hits.push(...indexHits);
    });
  });
  if (minScore !== undefined) hits = hits.filter((h) => h.score >= minScore);

  const effectiveSort: SortSpec[] = sortSpecs.length > 0 ? sortSpecs : [sortEntry('_score', undefined)];
  const defaultKeys = sortSpecs.length === 0;
  const keysOf = (h: Hit): Array<number | string | null> => (defaultKeys ? [h.score] : h.keys);
  const compareHits = (a: Hit, b: Hit): number => {
    const ka = keysOf(a);
    const kb = keysOf(b);
    for (let i = 0; i < effectiveSort.length; i++) {
      const c = compareKeys(ka[i] ?? null, kb[i] ?? null, effectiveSort[i] as SortSpec);
      if (c !== 0) return c;
    }
    return a.ordinal - b.ordinal || a.doc.seqNo - b.doc.seqNo;
  };
  hits.sort(compareHits);
  // Like ES, the total and max_score count every match, including those before search_after.
  const total = hits.length;
  const scoresVisible = sortSpecs.length === 0 || trackScores || sortSpecs.some((s) => s.field === '_score');
  const maxScore = scoresVisible && hits.length > 0 ? hits.reduce((m, h) => Math.max(m, h.score), -Infinity) : null;
  if (Array.isArray(body.search_after)) {
    const after = body.search_after.map(searchAfterKey);
    hits = hits.filter((h) => {
      for (let i = 0; i < sortSpecs.length; i++) {
        const c = compareKeys(h.keys[i] ?? null, after[i] ?? null, sortSpecs[i] as SortSpec);
        if (c !== 0) return c > 0;
      }
      return false;
    });
  }

  const page = hits.slice(from, from + size);
  const renderedHits = page.map((hit) => {
    const out: Record<string, unknown> = { _index: hit.index.name, _id: hit.doc.id };
    if (withVersion) out._version = hit.doc.version;
    if (withSeqNo) {
      out._seq_no = hit.doc.seqNo;
      out._primary_term = hit.doc.primaryTerm;
    }
    out._score = scoresVisible ? hit.score : null;
    if (sourceSpec.enabled) out._source = filterSource(hit.doc.source, sourceSpec);
    if (highlight !== undefined) {
      const fragments = highlightHit(hit, highlight, runs.get(hit.index)?.compiled.highlight ?? []);
      if (fragments !== undefined) out.highlight = fragments;
    }
    if (sortSpecs.length > 0) out.sort = hit.sortValues;
    return out;
  });
  const hitsSection: Record<string, unknown> = {};
  if (restTotalAsInt) hitsSection.total = total;
  else if (trackTotal === true) hitsSection.total = { value: total, relation: 'eq' };
  else if (typeof trackTotal === 'number') {
    hitsSection.total = total > trackTotal ? { value: trackTotal, relation: 'gte' } : { value: total, relation: 'eq' };
  }
  hitsSection.max_score = maxScore;
  hitsSection.hits = renderedHits;
  const shards = indices.reduce((n, i) => n + i.numberOfShards, 0);
  return {
    took: Math.round(performance.now() - started),
    timed_out: false,
    _shards: { total: shards, successful: shards, skipped: 0, failed: 0 },
    hits: hitsSection,
  };
}

export function executeCount(cluster: Cluster, indexExpr: string | undefined, rawBody: unknown, params: URLSearchParams): Record<string, unknown> {
  if (rawBody !== undefined && !isObject(rawBody)) throw parsingError('request body must be an object');
  const body = rawBody ?? {};
  for (const key of Object.keys(body)) {
    if (key !== 'query') throw parsingError(`request does not support [${key}]`);
  }
  if (params.has('q')) throw unsupported('the [q] URI search parameter');
  const indices = resolveTargets(cluster, indexExpr, params);
  if (indices.length === 0) validateAgainstEmptyIndex(body.query);
  const now = Date.now();
  let count = 0;
  indices.forEach((index, ordinal) => {
    withShardWrapping(index, () => {
      count += runOnIndex(index, ordinal, body.query, undefined, now).hits.length;
    });
  });
  const shards = indices.reduce((n, i) => n + i.numberOfShards, 0);
  return { count, _shards: { total: shards, successful: shards, skipped: 0, failed: 0 } };
}
