import { analyze, codePointLength, editDistance, editsFor, NO_FUZZINESS, parseFuzziness, type Fuzziness } from './analysis';
import { DEFAULT_DATE_FORMAT, isSupportedDateFormat, parseDateMath } from './dates';
import { EsError, illegalArgument, parsingError, queryShard, unsupported } from './errors';
import { listLeafFields, resolveNode, type FieldData, type ResolvedField } from './mapping';
import { isObject } from './settings';
import { escapeRegExp, type IndexState, type StoredDoc } from './store';

/** Matching documents with their scores. */
export type Scores = Map<StoredDoc, number>;

/**
 * What highlighting needs from a query: which field it targeted and how to recognise a matching
 * token (text fields) or whole value (keyword fields).
 */
export interface HighlightTerm {
  field: string;
  kind: 'token' | 'value';
  test: (candidate: string) => boolean;
}

export interface CompiledQuery {
  run: () => Scores;
  highlight: HighlightTerm[];
}

export interface QueryContext {
  index: IndexState;
  docs: StoredDoc[];
  now: number;
  stats: Map<string, { docCount: number; avgLength: number }>;
}

export function newQueryContext(index: IndexState, now: number): QueryContext {
  return { index, docs: [...index.docs.values()], now, stats: new Map() };
}

/** ES query types that exist but are not emulated: refused with a clear error, never approximated. */
const ES_QUERIES_NOT_EMULATED = new Set([
  'query_string', 'simple_query_string', 'regexp', 'nested', 'has_child', 'has_parent', 'parent_id',
  'function_score', 'script', 'script_score', 'geo_distance', 'geo_bounding_box', 'geo_shape', 'geo_polygon',
  'more_like_this', 'knn', 'boosting', 'combined_fields', 'span_term', 'span_near', 'span_or', 'span_not',
  'span_first', 'span_multi', 'span_containing', 'span_within', 'field_masking_span', 'intervals',
  'distance_feature', 'rank_feature', 'percolate', 'pinned', 'terms_set', 'wrapper', 'semantic', 'sparse_vector',
  'text_expansion', 'weighted_tokens', 'shape', 'rule', 'type',
]);

const K1 = 1.2;
const B = 0.75;

// ---------------------------------------------------------------------------------------------
// Small parsing helpers
// ---------------------------------------------------------------------------------------------

function singleEntry(value: unknown, queryName: string): [string, unknown] {
  if (!isObject(value)) throw parsingError(`[${queryName}] query malformed, no start_object after query name`);
  const entries = Object.entries(value);
  if (entries.length === 0) throw parsingError(`[${queryName}] query malformed, empty clause found`);
  if (entries.length > 1) {
    throw parsingError(`[${queryName}] query doesn't support multiple fields, found [${entries[0]?.[0]}] and [${entries[1]?.[0]}]`);
  }
  return entries[0] as [string, unknown];
}

function checkParams(obj: Record<string, unknown>, allowed: string[], queryName: string): void {
  for (const key of Object.keys(obj)) {
    if (key === '_name') throw unsupported(`named queries ([_name] in [${queryName}])`);
    if (!allowed.includes(key)) throw parsingError(`[${queryName}] query does not support [${key}]`);
  }
}

function numberParam(value: unknown, name: string, queryName: string): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : NaN;
  if (Number.isNaN(n)) throw parsingError(`[${queryName}] failed to parse [${name}] value [${String(value)}]`);
  return n;
}

function boolParam(value: unknown, name: string, queryName: string): boolean {
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw parsingError(`[${queryName}] failed to parse [${name}] value [${String(value)}]`);
}

function scalarText(value: unknown, queryName: string): string {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw parsingError(`[${queryName}] unknown token [${Array.isArray(value) ? 'START_ARRAY' : 'START_OBJECT'}] after [query]`);
}

function checkAnalyzerParam(value: unknown, queryName: string): void {
  if (value !== undefined && value !== 'standard') throw unsupported(`[analyzer: ${String(value)}] in [${queryName}]`);
}

/** minimum_should_match: integers, negative integers, percentages and negative percentages. */
export function requiredMatches(spec: unknown, optional: number): number {
  if (spec === undefined || spec === null) return 0;
  const text = String(spec).trim();
  let result: number;
  const pct = /^(-?\d+)%$/.exec(text);
  if (pct) {
    const p = Number(pct[1]);
    const n = Math.floor((optional * Math.abs(p)) / 100);
    result = p < 0 ? optional - n : n;
  } else if (/^-?\d+$/.test(text)) {
    const n = Number(text);
    result = n < 0 ? optional + n : n;
  } else {
    throw unsupported(`minimum_should_match [${text}] (only integers and percentages)`);
  }
  return Math.max(0, result);
}

// ---------------------------------------------------------------------------------------------
// Scoring primitives
// ---------------------------------------------------------------------------------------------

function fieldStats(ctx: QueryContext, path: string): { docCount: number; avgLength: number } {
  let stats = ctx.stats.get(path);
  if (stats === undefined) {
    let docCount = 0;
    let total = 0;
    for (const doc of ctx.docs) {
      const data = doc.fields.get(path);
      if (data === undefined || data.values.length === 0) continue;
      docCount++;
      total += data.kind === 'text' ? data.length : data.values.length;
    }
    stats = { docCount, avgLength: docCount === 0 ? 1 : total / docCount };
    ctx.stats.set(path, stats);
  }
  return stats;
}

function idf(docCount: number, df: number): number {
  return Math.log(1 + (docCount - df + 0.5) / (df + 0.5));
}

/** Normalised BM25 term-frequency part, always in (0, 1). */
function tfNorm(tf: number, length: number, avgLength: number, b: number): number {
  return tf / (tf + K1 * (1 - b + (b * length) / avgLength));
}

interface TermSpec {
  text: string;
  edits: number;
  prefixLength: number;
  transpositions: boolean;
  prefix: boolean;
  caseInsensitive: boolean;
}

type TermMatch = { exact: boolean; similarity: number } | null;

function termMatcher(spec: TermSpec): (candidate: string) => TermMatch {
  const wanted = spec.caseInsensitive ? spec.text.toLowerCase() : spec.text;
  const wantedChars = [...wanted];
  const wantedLen = wantedChars.length;
  const prefixPart = wantedChars.slice(0, spec.prefixLength).join('');
  const cache = new Map<string, TermMatch>();
  return (raw) => {
    const candidate = spec.caseInsensitive ? raw.toLowerCase() : raw;
    const cached = cache.get(candidate);
    if (cached !== undefined) return cached;
    let result: TermMatch = null;
    if (candidate === wanted) result = { exact: true, similarity: 1 };
    else if (spec.prefix && candidate.startsWith(wanted)) result = { exact: false, similarity: 1 };
    else if (spec.edits > 0 && candidate.startsWith(prefixPart)) {
      const distance = editDistance(wanted, candidate, spec.edits, spec.transpositions);
      if (distance <= spec.edits) {
        result = { exact: false, similarity: 1 - distance / Math.max(1, Math.min(wantedLen, codePointLength(candidate))) };
      }
    }
    cache.set(candidate, result);
    return result;
  };
}

/**
 * Score one term against a text or keyword field. Exact matches score in (idf, 2*idf) and fuzzy or
 * prefix matches in (0, idf), so an exact hit always outranks an approximate one for the same term.
 */
function scoreTerm(ctx: QueryContext, field: ResolvedField, spec: TermSpec, boost: number): Scores {
  const match = termMatcher(spec);
  const hits: Array<{ doc: StoredDoc; exactTf: number; approxTf: number; similarity: number; length: number }> = [];
  for (const doc of ctx.docs) {
    const data = doc.fields.get(field.path);
    if (data === undefined || (data.kind !== 'text' && data.kind !== 'keyword')) continue;
    let exactTf = 0;
    let approxTf = 0;
    let similarity = 0;
    const consider = (candidate: string): void => {
      const m = match(candidate);
      if (m === null) return;
      if (m.exact) exactTf++;
      else {
        approxTf++;
        similarity = Math.max(similarity, m.similarity);
      }
    };
    if (data.kind === 'text') for (const tokens of data.values) tokens.forEach(consider);
    else data.values.forEach(consider);
    if (exactTf + approxTf > 0) hits.push({ doc, exactTf, approxTf, similarity, length: data.kind === 'text' ? data.length : 1 });
  }
  const stats = fieldStats(ctx, field.path);
  const termIdf = idf(stats.docCount, hits.length);
  const b = field.leaf.category === 'text' ? B : 0;
  const scores: Scores = new Map();
  for (const h of hits) {
    const part =
      h.exactTf > 0
        ? 1 + tfNorm(h.exactTf, h.length, stats.avgLength, b)
        : h.similarity * tfNorm(h.approxTf, h.length, stats.avgLength, b);
    scores.set(h.doc, boost * termIdf * part);
  }
  return scores;
}

function constantScores(ctx: QueryContext, boost: number, predicate: (doc: StoredDoc) => boolean): Scores {
  const scores: Scores = new Map();
  for (const doc of ctx.docs) if (predicate(doc)) scores.set(doc, boost);
  return scores;
}

function anyValue(doc: StoredDoc, path: string, test: (v: string | number | boolean) => boolean): boolean {
  const data: FieldData | undefined = doc.fields.get(path);
  if (data === undefined) return false;
  if (data.kind === 'text') return data.values.some((tokens) => tokens.some(test));
  return (data.values as Array<string | number | boolean>).some(test);
}

/** Disjunction where at least `required` (min 1) clauses must match; scores add up. */
function combineShould(clauses: Scores[], required: number): Scores {
  const acc = new Map<StoredDoc, { n: number; sum: number }>();
  for (const clause of clauses) {
    for (const [doc, score] of clause) {
      const cur = acc.get(doc) ?? { n: 0, sum: 0 };
      cur.n++;
      cur.sum += score;
      acc.set(doc, cur);
    }
  }
  const need = Math.max(1, required);
  const out: Scores = new Map();
  for (const [doc, { n, sum }] of acc) if (n >= need) out.set(doc, sum);
  return out;
}

function scaled(scores: Scores, boost: number): Scores {
  if (boost === 1) return scores;
  return new Map([...scores].map(([d, s]) => [d, s * boost]));
}

// ---------------------------------------------------------------------------------------------
// Field resolution
// ---------------------------------------------------------------------------------------------

type FieldTarget = { kind: 'leaf'; field: ResolvedField } | { kind: 'id' } | { kind: 'none' };

function target(ctx: QueryContext, path: string): FieldTarget {
  if (path === '_id') return { kind: 'id' };
  const node = resolveNode(ctx.index.mapping, path);
  if (node === undefined || !('leaf' in node)) return { kind: 'none' };
  if (node.leaf.params.index === false) {
    throw illegalArgument(`Cannot search on field [${path}] since it is not indexed.`, { shardLevel: true });
  }
  return { kind: 'leaf', field: node };
}

function shardError(ctx: QueryContext, reason: string): EsError {
  return queryShard(reason, ctx.index.name, ctx.index.uuid);
}

function fieldFormat(field: ResolvedField): string {
  return typeof field.leaf.params.format === 'string' ? field.leaf.params.format : DEFAULT_DATE_FORMAT;
}

function parseNumber(ctx: QueryContext, value: unknown): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  if (Number.isNaN(n)) throw shardError(ctx, `failed to create query: For input string: "${String(value)}"`);
  return n;
}

function parseBoolean(ctx: QueryContext, value: unknown): boolean {
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false' || value === '') return false;
  throw shardError(ctx, `failed to create query: Can't parse boolean value [${String(value)}], expected [true] or [false]`);
}

function dateBounds(ctx: QueryContext, field: ResolvedField, value: unknown, format?: string): [number, number] {
  const fmt = format ?? fieldFormat(field);
  const low = parseDateMath(value, fmt, false, ctx.now);
  const high = parseDateMath(value, fmt, true, ctx.now);
  if (low === null || high === null) {
    throw shardError(ctx, `failed to create query: failed to parse date field [${String(value)}] with format [${fmt}]`);
  }
  return [low, high];
}

/**
 * Exact-value query on one field (term, terms, and match on non-text fields). Returns null when
 * the field cannot hold the value at all.
 */
function valueEquals(ctx: QueryContext, field: ResolvedField, value: unknown, caseInsensitive: boolean): (doc: StoredDoc) => boolean {
  const path = field.path;
  switch (field.leaf.category) {
    case 'number': {
      const n = parseNumber(ctx, value);
      return (doc) => anyValue(doc, path, (v) => v === n);
    }
    case 'date': {
      const [lo, hi] = dateBounds(ctx, field, value);
      return (doc) => anyValue(doc, path, (v) => typeof v === 'number' && v >= lo && v <= hi);
    }
    case 'boolean': {
      const b = parseBoolean(ctx, value);
      return (doc) => anyValue(doc, path, (v) => v === b);
    }
    default: {
      const text = String(value);
      const wanted = caseInsensitive ? text.toLowerCase() : field.leaf.normalize ? field.leaf.normalize(text) : text;
      return (doc) => anyValue(doc, path, (v) => (caseInsensitive ? String(v).toLowerCase() : v) === wanted);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Match family
// ---------------------------------------------------------------------------------------------

interface MatchOptions {
  operator: 'or' | 'and';
  minimumShouldMatch: unknown;
  fuzziness: Fuzziness;
  prefixLength: number;
  transpositions: boolean;
  lenient: boolean;
  zeroTermsAll: boolean;
  /** bool_prefix / phrase_prefix: the last term matches as a prefix. */
  lastIsPrefix: boolean;
  phrase: boolean;
}

const DEFAULT_MATCH: MatchOptions = {
  operator: 'or',
  minimumShouldMatch: undefined,
  fuzziness: NO_FUZZINESS,
  prefixLength: 0,
  transpositions: true,
  lenient: false,
  zeroTermsAll: false,
  lastIsPrefix: false,
  phrase: false,
};

interface FieldMatch {
  scores: () => Scores;
  highlight: HighlightTerm[];
}

function parseMatchOptions(obj: Record<string, unknown>, queryName: string): MatchOptions {
  const opts: MatchOptions = { ...DEFAULT_MATCH };
  if (obj.operator !== undefined) {
    const op = String(obj.operator).toLowerCase();
    if (op !== 'or' && op !== 'and') throw parsingError(`[${queryName}] unknown operator [${String(obj.operator)}]`);
    opts.operator = op;
  }
  opts.minimumShouldMatch = obj.minimum_should_match;
  if (obj.fuzziness !== undefined) opts.fuzziness = parseFuzziness(obj.fuzziness);
  if (obj.prefix_length !== undefined) opts.prefixLength = numberParam(obj.prefix_length, 'prefix_length', queryName);
  if (obj.fuzzy_transpositions !== undefined) opts.transpositions = boolParam(obj.fuzzy_transpositions, 'fuzzy_transpositions', queryName);
  if (obj.lenient !== undefined) opts.lenient = boolParam(obj.lenient, 'lenient', queryName);
  if (obj.zero_terms_query !== undefined) {
    const z = String(obj.zero_terms_query).toLowerCase();
    if (z !== 'none' && z !== 'all') throw parsingError(`[${queryName}] unsupported zero_terms_query value [${z}]`);
    opts.zeroTermsAll = z === 'all';
  }
  if (obj.fuzzy_rewrite !== undefined && obj.fuzzy_rewrite !== 'constant_score' && obj.fuzzy_rewrite !== 'top_terms_blended_freqs_50') {
    throw unsupported(`[fuzzy_rewrite: ${String(obj.fuzzy_rewrite)}]`);
  }
  if (obj.slop !== undefined && numberParam(obj.slop, 'slop', queryName) !== 0) throw unsupported(`[slop] other than 0 in [${queryName}]`);
  checkAnalyzerParam(obj.analyzer, queryName);
  return opts;
}

/** Analyse `query` for one field and build its scorer, following the field's type like ES does. */
function matchField(ctx: QueryContext, path: string, query: unknown, opts: MatchOptions, boost: number): FieldMatch {
  const t = target(ctx, path);
  const none: FieldMatch = { scores: () => new Map(), highlight: [] };
  if (t.kind === 'none') return none;
  if (t.kind === 'id') {
    const id = String(query);
    return { scores: () => constantScores(ctx, boost, (d) => d.id === id), highlight: [] };
  }
  const field = t.field;
  const category = field.leaf.category;
  if (category === 'number' || category === 'date' || category === 'boolean') {
    let predicate: (doc: StoredDoc) => boolean;
    try {
      predicate = valueEquals(ctx, field, query, false);
    } catch (err) {
      if (opts.lenient) return none;
      throw err;
    }
    return { scores: () => constantScores(ctx, boost, predicate), highlight: [] };
  }
  const text = String(query);
  const terms =
    category === 'text' ? analyze(text) : [field.leaf.normalize ? field.leaf.normalize(text) : text];
  if (terms.length === 0) {
    return opts.zeroTermsAll ? { scores: () => constantScores(ctx, boost, () => true), highlight: [] } : none;
  }
  const specs: TermSpec[] = terms.map((term, i) => {
    const isLast = i === terms.length - 1;
    const prefix = opts.lastIsPrefix && isLast;
    return {
      text: term,
      // Fuzziness does not apply to the prefix term of bool_prefix / phrase_prefix, as in ES.
      edits: prefix || opts.phrase ? 0 : editsFor(opts.fuzziness, term),
      prefixLength: opts.prefixLength,
      transpositions: opts.transpositions,
      prefix,
      caseInsensitive: false,
    };
  });
  const kind = category === 'text' ? 'token' : 'value';
  const highlight: HighlightTerm[] = specs.map((spec) => {
    const m = termMatcher(spec);
    return { field: path, kind, test: (c: string) => m(c) !== null };
  });
  if (opts.phrase && category === 'text' && specs.length > 1) {
    return { scores: () => phraseScores(ctx, field, specs, boost), highlight };
  }
  return {
    scores: () => {
      const clauses = specs.map((spec) => scoreTerm(ctx, field, spec, boost));
      const required =
        opts.operator === 'and' || opts.phrase ? clauses.length : requiredMatches(opts.minimumShouldMatch, clauses.length);
      return combineShould(clauses, required);
    },
    highlight,
  };
}

/** Terms must appear consecutively within one value (slop 0); scored as the sum of its terms. */
function phraseScores(ctx: QueryContext, field: ResolvedField, specs: TermSpec[], boost: number): Scores {
  const matchers = specs.map(termMatcher);
  const termScores = specs.map((spec) => scoreTerm(ctx, field, spec, boost));
  const out: Scores = new Map();
  for (const [doc] of termScores[0] ?? new Map<StoredDoc, number>()) {
    const data = doc.fields.get(field.path);
    if (data?.kind !== 'text') continue;
    const found = data.values.some((tokens) => {
      for (let start = 0; start + matchers.length <= tokens.length; start++) {
        if (matchers.every((m, k) => m(tokens[start + k] ?? '') !== null)) return true;
      }
      return false;
    });
    if (found) out.set(doc, termScores.reduce((sum, s) => sum + (s.get(doc) ?? 0), 0));
  }
  return out;
}

/** `name^2`, `name`, `na*` -> concrete fields with their boosts. */
function expandFields(ctx: QueryContext, specs: unknown, queryName: string): Array<{ path: string; boost: number }> {
  const list = specs === undefined ? ['*'] : Array.isArray(specs) ? specs : [specs];
  const out = new Map<string, number>();
  for (const raw of list) {
    if (typeof raw !== 'string') throw parsingError(`[${queryName}] field names must be strings`);
    const caret = raw.lastIndexOf('^');
    const name = caret >= 0 ? raw.slice(0, caret) : raw;
    const boost = caret >= 0 ? Number(raw.slice(caret + 1)) : 1;
    if (Number.isNaN(boost)) throw parsingError(`[${queryName}] invalid boost in field [${raw}]`);
    if (name.includes('*')) {
      const re = new RegExp(`^${name.split('*').map(escapeRegExp).join('.*')}$`);
      for (const f of listLeafFields(ctx.index.mapping)) {
        const searchable = f.leaf.category === 'text' || f.leaf.category === 'keyword';
        if (searchable && re.test(f.path) && f.leaf.params.index !== false) out.set(f.path, boost);
      }
    } else {
      out.set(name, boost);
    }
  }
  return [...out].map(([path, boost]) => ({ path, boost }));
}

function combineFields(perField: Scores[], mode: 'best' | 'sum', tieBreaker: number): Scores {
  const acc = new Map<StoredDoc, { max: number; sum: number }>();
  for (const scores of perField) {
    for (const [doc, s] of scores) {
      const cur = acc.get(doc) ?? { max: 0, sum: 0 };
      cur.max = Math.max(cur.max, s);
      cur.sum += s;
      acc.set(doc, cur);
    }
  }
  const out: Scores = new Map();
  for (const [doc, { max, sum }] of acc) out.set(doc, mode === 'sum' ? sum : max + tieBreaker * (sum - max));
  return out;
}

const MULTI_MATCH_PARAMS = [
  'query', 'fields', 'type', 'operator', 'minimum_should_match', 'fuzziness', 'prefix_length', 'max_expansions',
  'fuzzy_transpositions', 'tie_breaker', 'boost', 'lenient', 'zero_terms_query', 'analyzer', 'slop',
  'auto_generate_synonyms_phrase_query', 'fuzzy_rewrite',
];

function compileMultiMatch(ctx: QueryContext, body: unknown): CompiledQuery {
  if (!isObject(body)) throw parsingError('[multi_match] query malformed, no start_object after query name');
  checkParams(body, MULTI_MATCH_PARAMS, 'multi_match');
  if (body.query === undefined) throw parsingError('No text specified for multi_match query');
  const query = scalarText(body.query, 'multi_match');
  const type = String(body.type ?? 'best_fields');
  const opts = parseMatchOptions(body, 'multi_match');
  const boost = body.boost === undefined ? 1 : numberParam(body.boost, 'boost', 'multi_match');
  const tieBreaker = body.tie_breaker === undefined ? 0 : numberParam(body.tie_breaker, 'tie_breaker', 'multi_match');
  const fields = expandFields(ctx, body.fields, 'multi_match');
  const hasFuzziness = body.fuzziness !== undefined;
  let mode: 'best' | 'sum' = 'best';
  switch (type) {
    case 'best_fields':
      break;
    case 'most_fields':
      mode = 'sum';
      break;
    case 'phrase':
    case 'phrase_prefix':
      if (hasFuzziness) throw illegalArgument(`Fuzziness not allowed for type [${type}]`);
      opts.phrase = true;
      opts.lastIsPrefix = type === 'phrase_prefix';
      break;
    case 'bool_prefix':
      mode = 'sum';
      opts.lastIsPrefix = true;
      break;
    case 'cross_fields':
      if (hasFuzziness) throw illegalArgument('Fuzziness not allowed for type [cross_fields]');
      return compileCrossFields(ctx, query, fields, opts, boost, tieBreaker);
    default:
      throw parsingError(`failed to parse [multi_match] query type [${type}]. unknown type.`);
  }
  const lenientOpts = { ...opts, lenient: opts.lenient || body.fields === undefined };
  const matches = fields.map((f) => matchField(ctx, f.path, query, lenientOpts, f.boost));
  return {
    run: () => scaled(combineFields(matches.map((m) => m.scores()), mode, tieBreaker), boost),
    highlight: matches.flatMap((m) => m.highlight),
  };
}

/**
 * cross_fields: term-centric. Text fields form one group where each term may be found in any of
 * them; each keyword field is its own group (its whole value is a single term), as ES groups fields
 * by analyzer.
 */
function compileCrossFields(
  ctx: QueryContext,
  query: string,
  fields: Array<{ path: string; boost: number }>,
  opts: MatchOptions,
  boost: number,
  tieBreaker: number,
): CompiledQuery {
  const textFields: Array<{ field: ResolvedField; boost: number }> = [];
  const groups: FieldMatch[] = [];
  for (const f of fields) {
    const t = target(ctx, f.path);
    if (t.kind !== 'leaf') continue;
    if (t.field.leaf.category === 'text') textFields.push({ field: t.field, boost: f.boost });
    else groups.push(matchField(ctx, f.path, query, { ...opts, lenient: true }, f.boost));
  }
  const terms = analyze(query);
  const highlight: HighlightTerm[] = groups.flatMap((g) => g.highlight);
  for (const { field } of textFields) {
    for (const term of terms) highlight.push({ field: field.path, kind: 'token', test: (c) => c === term });
  }
  const textGroup = (): Scores => {
    if (textFields.length === 0 || terms.length === 0) return new Map();
    const perTerm = terms.map((term) =>
      combineFields(
        textFields.map(({ field, boost: fb }) =>
          scoreTerm(ctx, field, { text: term, edits: 0, prefixLength: 0, transpositions: true, prefix: false, caseInsensitive: false }, fb),
        ),
        'best',
        tieBreaker,
      ),
    );
    const required = opts.operator === 'and' ? perTerm.length : requiredMatches(opts.minimumShouldMatch, perTerm.length);
    return combineShould(perTerm, required);
  };
  return {
    run: () => scaled(combineFields([textGroup(), ...groups.map((g) => g.scores())], 'best', tieBreaker), boost),
    highlight,
  };
}

const MATCH_PARAMS = [
  'query', 'operator', 'minimum_should_match', 'fuzziness', 'prefix_length', 'max_expansions', 'fuzzy_transpositions',
  'lenient', 'zero_terms_query', 'boost', 'analyzer', 'auto_generate_synonyms_phrase_query', 'fuzzy_rewrite',
];
const PHRASE_PARAMS = ['query', 'slop', 'analyzer', 'boost', 'zero_terms_query', 'max_expansions'];
const BOOL_PREFIX_PARAMS = [
  'query', 'operator', 'minimum_should_match', 'fuzziness', 'prefix_length', 'max_expansions', 'fuzzy_transpositions',
  'boost', 'analyzer', 'fuzzy_rewrite',
];

function compileMatchFamily(ctx: QueryContext, name: string, body: unknown): CompiledQuery {
  const [path, spec] = singleEntry(body, name);
  const obj = isObject(spec) ? spec : { query: spec };
  const allowed = name === 'match' ? MATCH_PARAMS : name === 'match_bool_prefix' ? BOOL_PREFIX_PARAMS : PHRASE_PARAMS;
  checkParams(obj, allowed, name);
  if (obj.query === undefined) throw parsingError(`[${name}] requires query value`);
  const query = scalarText(obj.query, name);
  const opts = parseMatchOptions(obj, name);
  if (name === 'match_phrase' || name === 'match_phrase_prefix') opts.phrase = true;
  if (name === 'match_phrase_prefix' || name === 'match_bool_prefix') opts.lastIsPrefix = true;
  const boost = obj.boost === undefined ? 1 : numberParam(obj.boost, 'boost', name);
  const m = matchField(ctx, path, typeof obj.query === 'string' ? query : obj.query, opts, boost);
  return { run: m.scores, highlight: m.highlight };
}

// ---------------------------------------------------------------------------------------------
// Term-level queries
// ---------------------------------------------------------------------------------------------

function compileTerm(ctx: QueryContext, body: unknown): CompiledQuery {
  const [path, spec] = singleEntry(body, 'term');
  const obj = isObject(spec) ? spec : { value: spec };
  checkParams(obj, ['value', 'boost', 'case_insensitive'], 'term');
  if (obj.value === undefined || obj.value === null || typeof obj.value === 'object') {
    throw parsingError('[term] query does not support a value that is not a string, number or boolean');
  }
  const boost = obj.boost === undefined ? 1 : numberParam(obj.boost, 'boost', 'term');
  const caseInsensitive = obj.case_insensitive === undefined ? false : boolParam(obj.case_insensitive, 'case_insensitive', 'term');
  const t = target(ctx, path);
  if (t.kind === 'none') return { run: () => new Map(), highlight: [] };
  if (t.kind === 'id') {
    const id = String(obj.value);
    return { run: () => constantScores(ctx, boost, (d) => d.id === id), highlight: [] };
  }
  const field = t.field;
  const category = field.leaf.category;
  if (category === 'text' || category === 'keyword') {
    const raw = String(obj.value);
    const text = category === 'keyword' && field.leaf.normalize ? field.leaf.normalize(raw) : raw;
    const spec: TermSpec = { text, edits: 0, prefixLength: 0, transpositions: false, prefix: false, caseInsensitive };
    const m = termMatcher(spec);
    return {
      run: () => scoreTerm(ctx, field, spec, boost),
      highlight: [{ field: path, kind: category === 'text' ? 'token' : 'value', test: (c) => m(c) !== null }],
    };
  }
  const predicate = valueEquals(ctx, field, obj.value, caseInsensitive);
  return { run: () => constantScores(ctx, boost, predicate), highlight: [] };
}

function compileTerms(ctx: QueryContext, body: unknown): CompiledQuery {
  if (!isObject(body)) throw parsingError('[terms] query malformed, no start_object after query name');
  let boost = 1;
  let fieldEntry: [string, unknown] | undefined;
  for (const [key, value] of Object.entries(body)) {
    if (key === 'boost') boost = numberParam(value, 'boost', 'terms');
    else if (key === '_name') throw unsupported('named queries ([_name] in [terms])');
    else if (fieldEntry !== undefined) throw parsingError(`[terms] query does not support multiple fields`);
    else fieldEntry = [key, value];
  }
  if (fieldEntry === undefined) throw parsingError('[terms] query requires a field');
  const [path, values] = fieldEntry;
  if (isObject(values)) throw unsupported('terms lookup');
  if (!Array.isArray(values)) throw parsingError(`[terms] query does not support [${path}]`);
  if (values.some((v) => v === null || typeof v === 'object')) throw parsingError('[terms] values must be strings, numbers or booleans');
  const t = target(ctx, path);
  if (t.kind === 'none') return { run: () => new Map(), highlight: [] };
  if (t.kind === 'id') {
    const ids = new Set(values.map(String));
    return { run: () => constantScores(ctx, boost, (d) => ids.has(d.id)), highlight: [] };
  }
  const field = t.field;
  const predicates = values.map((v) => valueEquals(ctx, field, v, false));
  const category = field.leaf.category;
  const wanted = new Set(values.map((v) => (category === 'keyword' && field.leaf.normalize ? field.leaf.normalize(String(v)) : String(v))));
  const highlight: HighlightTerm[] =
    category === 'text' || category === 'keyword' ? [{ field: path, kind: category === 'text' ? 'token' : 'value', test: (c) => wanted.has(c) }] : [];
  return { run: () => constantScores(ctx, boost, (d) => predicates.some((p) => p(d))), highlight };
}

function compileIds(ctx: QueryContext, body: unknown): CompiledQuery {
  if (!isObject(body)) throw parsingError('[ids] query malformed, no start_object after query name');
  checkParams(body, ['values', 'boost'], 'ids');
  if (!Array.isArray(body.values)) throw parsingError('[ids] query requires [values] to be an array');
  const ids = new Set(body.values.map(String));
  const boost = body.boost === undefined ? 1 : numberParam(body.boost, 'boost', 'ids');
  return { run: () => constantScores(ctx, boost, (d) => ids.has(d.id)), highlight: [] };
}

const RANGE_PARAMS = ['gt', 'gte', 'lt', 'lte', 'format', 'time_zone', 'boost', 'relation'];

function compileRange(ctx: QueryContext, body: unknown): CompiledQuery {
  const [path, spec] = singleEntry(body, 'range');
  if (!isObject(spec)) throw parsingError(`[range] query malformed, no start_object after field name`);
  for (const key of Object.keys(spec)) {
    if (key === 'from' || key === 'to' || key === 'include_lower' || key === 'include_upper') {
      throw unsupported(`[range] parameter [${key}] (use gt/gte/lt/lte)`);
    }
  }
  checkParams(spec, RANGE_PARAMS, 'range');
  if (spec.time_zone !== undefined && !['Z', 'UTC', '+00:00', 'Etc/UTC', 'GMT'].includes(String(spec.time_zone))) {
    throw unsupported(`[range] time_zone [${String(spec.time_zone)}] (only UTC)`);
  }
  if (spec.relation !== undefined && String(spec.relation).toLowerCase() !== 'intersects') throw unsupported('[range] relation');
  if (spec.format !== undefined && (typeof spec.format !== 'string' || !isSupportedDateFormat(spec.format))) {
    throw unsupported(`[range] format [${String(spec.format)}]`);
  }
  const boost = spec.boost === undefined ? 1 : numberParam(spec.boost, 'boost', 'range');
  const t = target(ctx, path);
  if (t.kind === 'none') return { run: () => new Map(), highlight: [] };
  if (t.kind === 'id') throw unsupported('[range] on [_id]');
  const field = t.field;
  const bounds: Array<{ op: 'gt' | 'gte' | 'lt' | 'lte'; value: unknown }> = (['gt', 'gte', 'lt', 'lte'] as const)
    .filter((op) => spec[op] !== undefined && spec[op] !== null)
    .map((op) => ({ op, value: spec[op] }));
  const compare = (op: string, cmp: number): boolean =>
    op === 'gt' ? cmp > 0 : op === 'gte' ? cmp >= 0 : op === 'lt' ? cmp < 0 : cmp <= 0;
  let test: (v: string | number | boolean) => boolean;
  switch (field.leaf.category) {
    case 'number': {
      const parsed = bounds.map((b) => ({ op: b.op, n: parseNumber(ctx, b.value) }));
      test = (v) => typeof v === 'number' && parsed.every((b) => compare(b.op, v - b.n));
      break;
    }
    case 'date': {
      const format = typeof spec.format === 'string' ? spec.format : fieldFormat(field);
      const parsed = bounds.map((b) => {
        const roundUp = b.op === 'gt' || b.op === 'lte';
        const ms = parseDateMath(b.value, format, roundUp, ctx.now);
        if (ms === null) throw shardError(ctx, `failed to parse date field [${String(b.value)}] with format [${format}]`);
        return { op: b.op, n: ms };
      });
      test = (v) => typeof v === 'number' && parsed.every((b) => compare(b.op, v - b.n));
      break;
    }
    case 'keyword':
    case 'text': {
      const norm = field.leaf.normalize ?? ((s: string) => s);
      const parsed = bounds.map((b) => ({ op: b.op, s: norm(String(b.value)) }));
      test = (v) => parsed.every((b) => compare(b.op, String(v) < b.s ? -1 : String(v) > b.s ? 1 : 0));
      break;
    }
    default:
      throw unsupported(`[range] on a field of type [${field.leaf.type}]`);
  }
  return { run: () => constantScores(ctx, boost, (d) => anyValue(d, field.path, test)), highlight: [] };
}

function compileExists(ctx: QueryContext, body: unknown): CompiledQuery {
  if (!isObject(body)) throw parsingError('[exists] query malformed');
  checkParams(body, ['field', 'boost'], 'exists');
  if (typeof body.field !== 'string') throw parsingError('[exists] must be provided with a [field]');
  const path = body.field;
  const boost = body.boost === undefined ? 1 : numberParam(body.boost, 'boost', 'exists');
  if (path === '_id') return { run: () => constantScores(ctx, boost, () => true), highlight: [] };
  const node = resolveNode(ctx.index.mapping, path);
  if (node === undefined) return { run: () => new Map(), highlight: [] };
  const prefix = `${path}.`;
  const isLeaf = 'leaf' in node;
  return {
    run: () =>
      constantScores(ctx, boost, (doc) => {
        if (isLeaf) return (doc.fields.get(path)?.values.length ?? 0) > 0;
        for (const [key, data] of doc.fields) if (key.startsWith(prefix) && data.values.length > 0) return true;
        return false;
      }),
    highlight: [],
  };
}

function compilePatternQuery(ctx: QueryContext, name: 'prefix' | 'wildcard', body: unknown): CompiledQuery {
  const [path, spec] = singleEntry(body, name);
  const obj = isObject(spec) ? spec : { value: spec };
  checkParams(obj, ['value', 'boost', 'case_insensitive', 'rewrite', ...(name === 'wildcard' ? ['wildcard'] : [])], name);
  const value = obj.value ?? obj.wildcard;
  if (typeof value !== 'string') throw parsingError(`[${name}] requires a string value`);
  const boost = obj.boost === undefined ? 1 : numberParam(obj.boost, 'boost', name);
  const caseInsensitive = obj.case_insensitive === undefined ? false : boolParam(obj.case_insensitive, 'case_insensitive', name);
  const t = target(ctx, path);
  if (t.kind === 'none') return { run: () => new Map(), highlight: [] };
  const norm = t.kind === 'leaf' && t.field.leaf.normalize ? t.field.leaf.normalize : (s: string) => s;
  const pattern = norm(value);
  const source =
    name === 'prefix'
      ? `^${escapeRegExp(pattern)}`
      : `^${[...pattern].map((c) => (c === '*' ? '.*' : c === '?' ? '.' : escapeRegExp(c))).join('')}$`;
  const re = new RegExp(source, caseInsensitive ? 'iu' : 'u');
  const test = (c: string): boolean => re.test(c);
  if (t.kind === 'id') return { run: () => constantScores(ctx, boost, (d) => test(d.id)), highlight: [] };
  const category = t.field.leaf.category;
  if (category !== 'text' && category !== 'keyword') throw unsupported(`[${name}] on a field of type [${t.field.leaf.type}]`);
  return {
    run: () => constantScores(ctx, boost, (d) => anyValue(d, path, (v) => test(String(v)))),
    highlight: [{ field: path, kind: category === 'text' ? 'token' : 'value', test }],
  };
}

function compileFuzzy(ctx: QueryContext, body: unknown): CompiledQuery {
  const [path, spec] = singleEntry(body, 'fuzzy');
  const obj = isObject(spec) ? spec : { value: spec };
  checkParams(obj, ['value', 'fuzziness', 'prefix_length', 'max_expansions', 'transpositions', 'boost', 'rewrite'], 'fuzzy');
  if (obj.value === undefined || typeof obj.value === 'object') throw parsingError('[fuzzy] query requires a value');
  const fuzziness = obj.fuzziness === undefined ? parseFuzziness('AUTO') : parseFuzziness(obj.fuzziness);
  const boost = obj.boost === undefined ? 1 : numberParam(obj.boost, 'boost', 'fuzzy');
  const t = target(ctx, path);
  if (t.kind !== 'leaf') return { run: () => new Map(), highlight: [] };
  const field = t.field;
  if (field.leaf.category !== 'text' && field.leaf.category !== 'keyword') throw unsupported(`[fuzzy] on a field of type [${field.leaf.type}]`);
  const raw = String(obj.value);
  const text = field.leaf.normalize ? field.leaf.normalize(raw) : raw;
  const termSpec: TermSpec = {
    text,
    edits: editsFor(fuzziness, text),
    prefixLength: obj.prefix_length === undefined ? 0 : numberParam(obj.prefix_length, 'prefix_length', 'fuzzy'),
    transpositions: obj.transpositions === undefined ? true : boolParam(obj.transpositions, 'transpositions', 'fuzzy'),
    prefix: false,
    caseInsensitive: false,
  };
  const m = termMatcher(termSpec);
  return {
    run: () => scoreTerm(ctx, field, termSpec, boost),
    highlight: [{ field: path, kind: field.leaf.category === 'text' ? 'token' : 'value', test: (c) => m(c) !== null }],
  };
}

// ---------------------------------------------------------------------------------------------
// Compound queries
// ---------------------------------------------------------------------------------------------

function clauseList(value: unknown, occur: string): unknown[] {
  if (value === undefined) return [];
  if (Array.isArray(value)) return value;
  if (isObject(value)) return [value];
  throw parsingError(`[bool] query does not support [${occur}] with a value of that type`);
}

function compileBool(ctx: QueryContext, body: unknown): CompiledQuery {
  if (!isObject(body)) throw parsingError('[bool] query malformed, no start_object after query name');
  checkParams(body, ['must', 'filter', 'should', 'must_not', 'minimum_should_match', 'boost', 'adjust_pure_negative'], 'bool');
  const must = clauseList(body.must, 'must').map((q) => compileQuery(ctx, q));
  const filter = clauseList(body.filter, 'filter').map((q) => compileQuery(ctx, q));
  const should = clauseList(body.should, 'should').map((q) => compileQuery(ctx, q));
  const mustNot = clauseList(body.must_not, 'must_not').map((q) => compileQuery(ctx, q));
  const boost = body.boost === undefined ? 1 : numberParam(body.boost, 'boost', 'bool');
  const hasRequired = must.length + filter.length > 0;
  const msm =
    body.minimum_should_match !== undefined
      ? requiredMatches(body.minimum_should_match, should.length)
      : hasRequired
        ? 0
        : should.length > 0
          ? 1
          : 0;
  const highlight = [...must, ...filter, ...should].flatMap((q) => q.highlight);
  const run = (): Scores => {
    if (must.length + filter.length + should.length + mustNot.length === 0) {
      return constantScores(ctx, boost, () => true);
    }
    let candidates: Map<StoredDoc, number> | undefined;
    const intersect = (scores: Scores, scoring: boolean): void => {
      if (candidates === undefined) {
        candidates = new Map([...scores].map(([d, s]) => [d, scoring ? s : 0]));
        return;
      }
      const next = new Map<StoredDoc, number>();
      for (const [doc, acc] of candidates) {
        const s = scores.get(doc);
        if (s !== undefined) next.set(doc, acc + (scoring ? s : 0));
      }
      candidates = next;
    };
    for (const q of must) intersect(q.run(), true);
    for (const q of filter) intersect(q.run(), false);
    const shouldScores = should.map((q) => q.run());
    if (candidates === undefined) {
      if (should.length > 0) candidates = combineShould(shouldScores, msm);
      else candidates = new Map(ctx.docs.map((d) => [d, 0]));
    } else {
      const out = new Map<StoredDoc, number>();
      for (const [doc, base] of candidates) {
        let n = 0;
        let sum = base;
        for (const s of shouldScores) {
          const v = s.get(doc);
          if (v !== undefined) {
            n++;
            sum += v;
          }
        }
        if (n >= msm) out.set(doc, sum);
      }
      candidates = out;
    }
    for (const q of mustNot) {
      const excluded = q.run();
      for (const doc of excluded.keys()) candidates.delete(doc);
    }
    return scaled(candidates, boost);
  };
  return { run, highlight };
}

function compileConstantScore(ctx: QueryContext, body: unknown): CompiledQuery {
  if (!isObject(body)) throw parsingError('[constant_score] query malformed');
  checkParams(body, ['filter', 'boost'], 'constant_score');
  if (body.filter === undefined) throw parsingError('[constant_score] requires a \'filter\' element');
  const inner = compileQuery(ctx, body.filter);
  const boost = body.boost === undefined ? 1 : numberParam(body.boost, 'boost', 'constant_score');
  return { run: () => new Map([...inner.run().keys()].map((d) => [d, boost])), highlight: inner.highlight };
}

function compileDisMax(ctx: QueryContext, body: unknown): CompiledQuery {
  if (!isObject(body)) throw parsingError('[dis_max] query malformed');
  checkParams(body, ['queries', 'tie_breaker', 'boost'], 'dis_max');
  const queries = clauseList(body.queries, 'queries').map((q) => compileQuery(ctx, q));
  const tie = body.tie_breaker === undefined ? 0 : numberParam(body.tie_breaker, 'tie_breaker', 'dis_max');
  const boost = body.boost === undefined ? 1 : numberParam(body.boost, 'boost', 'dis_max');
  return {
    run: () => scaled(combineFields(queries.map((q) => q.run()), 'best', tie), boost),
    highlight: queries.flatMap((q) => q.highlight),
  };
}

function compileMatchAll(ctx: QueryContext, body: unknown): CompiledQuery {
  const obj = isObject(body) ? body : {};
  checkParams(obj, ['boost'], 'match_all');
  const boost = obj.boost === undefined ? 1 : numberParam(obj.boost, 'boost', 'match_all');
  return { run: () => constantScores(ctx, boost, () => true), highlight: [] };
}

/** Compile a query DSL object against one index (field types come from its mapping). */
export function compileQuery(ctx: QueryContext, json: unknown): CompiledQuery {
  if (!isObject(json)) throw parsingError('query malformed, must start with start_object');
  const entries = Object.entries(json);
  if (entries.length === 0) throw parsingError('query malformed, empty clause found');
  if (entries.length > 1) {
    throw parsingError(`[${entries[0]?.[0]}] malformed query, expected [END_OBJECT] but found [FIELD_NAME]`);
  }
  const [name, body] = entries[0] as [string, unknown];
  switch (name) {
    case 'match_all':
      return compileMatchAll(ctx, body);
    case 'match_none':
      return { run: () => new Map(), highlight: [] };
    case 'match':
    case 'match_phrase':
    case 'match_phrase_prefix':
    case 'match_bool_prefix':
      return compileMatchFamily(ctx, name, body);
    case 'multi_match':
      return compileMultiMatch(ctx, body);
    case 'term':
      return compileTerm(ctx, body);
    case 'terms':
      return compileTerms(ctx, body);
    case 'ids':
      return compileIds(ctx, body);
    case 'range':
      return compileRange(ctx, body);
    case 'exists':
      return compileExists(ctx, body);
    case 'prefix':
    case 'wildcard':
      return compilePatternQuery(ctx, name, body);
    case 'fuzzy':
      return compileFuzzy(ctx, body);
    case 'bool':
      return compileBool(ctx, body);
    case 'constant_score':
      return compileConstantScore(ctx, body);
    case 'dis_max':
      return compileDisMax(ctx, body);
    default:
      if (ES_QUERIES_NOT_EMULATED.has(name)) throw unsupported(`query [${name}]`);
      throw new EsError(400, {
        type: 'parsing_exception',
        reason: `unknown query [${name}]`,
        caused_by: { type: 'named_object_not_found_exception', reason: `[1:1] unknown field [${name}]` },
      });
  }
}
