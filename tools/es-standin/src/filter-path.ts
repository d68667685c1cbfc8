import { isObject } from './settings';

/**
 * ES's `filter_path` response filtering: comma-separated dotted paths, `*` within a name, `**` for
 * any depth, and `-path` exclusions. Arrays are transparent (filters apply to each element).
 * The client's helpers.search() always sends `filter_path=hits.hits._source`.
 */
export function applyFilterPath(body: unknown, spec: string): unknown {
  const all = spec.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const includes = all.filter((p) => !p.startsWith('-')).map((p) => p.split('.'));
  const excludes = all.filter((p) => p.startsWith('-')).map((p) => p.slice(1).split('.'));
  let out: unknown = body;
  if (includes.length > 0) out = walk(out, includes, 'include') ?? {};
  if (excludes.length > 0) out = walk(out, excludes, 'exclude') ?? {};
  return out;
}

function segmentMatches(pattern: string, key: string): boolean {
  if (!pattern.includes('*')) return pattern === key;
  const re = new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  return re.test(key);
}

/** Remaining patterns after consuming `key`, expanding `**` to zero or more keys. */
function advance(patterns: string[][], key: string): string[][] {
  const next: string[][] = [];
  const visit = (pat: string[]): void => {
    const [head, ...rest] = pat;
    if (head === undefined) return;
    if (head === '**') {
      next.push(pat);
      visit(rest);
      return;
    }
    if (segmentMatches(head, key)) next.push(rest);
  };
  patterns.forEach(visit);
  return next;
}

function walk(node: unknown, patterns: string[][], mode: 'include' | 'exclude'): unknown {
  const complete = patterns.some((p) => p.length === 0 || (p.length === 1 && p[0] === '**'));
  if (complete) return mode === 'include' ? node : undefined;
  if (Array.isArray(node)) {
    const items = node.map((el) => walk(el, patterns, mode)).filter((el) => el !== undefined);
    return mode === 'include' && items.length === 0 ? undefined : items;
  }
  if (!isObject(node)) return mode === 'include' ? undefined : node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    const next = advance(patterns, key);
    if (next.length === 0) {
      if (mode === 'exclude') out[key] = value;
      continue;
    }
    const filtered = walk(value, next, mode);
    if (filtered !== undefined) out[key] = filtered;
  }
  return mode === 'include' && Object.keys(out).length === 0 ? undefined : out;
}
