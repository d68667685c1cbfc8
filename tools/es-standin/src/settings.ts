import { illegalArgument, unsupported } from './errors';
import { stripAccents } from './analysis';

/** Index settings kept the way ES keeps them: flat `index.*` keys with string values. */
export type FlatSettings = Map<string, string | string[]>;

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function flattenSettings(settings: unknown): FlatSettings {
  const flat: FlatSettings = new Map();
  if (settings === undefined || settings === null) return flat;
  if (!isObject(settings)) throw illegalArgument('settings must be an object');
  const walk = (prefix: string, value: unknown): void => {
    if (isObject(value)) {
      for (const [k, v] of Object.entries(value)) walk(prefix === '' ? k : `${prefix}.${k}`, v);
      return;
    }
    const key = prefix.startsWith('index.') ? prefix : `index.${prefix}`;
    if (Array.isArray(value)) flat.set(key, value.map((v) => String(v)));
    else if (value !== null) flat.set(key, String(value));
  };
  walk('', settings);
  return flat;
}

export function unflattenSettings(flat: FlatSettings): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of [...flat.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const parts = key.split('.');
    let node = out;
    for (const part of parts.slice(0, -1)) {
      const next = node[part];
      if (isObject(next)) node = next;
      else {
        const created: Record<string, unknown> = {};
        node[part] = created;
        node = created;
      }
    }
    node[parts[parts.length - 1] ?? key] = value;
  }
  return out;
}

export function intSetting(flat: FlatSettings, key: string, fallback: number): number {
  const raw = flat.get(key);
  if (raw === undefined || Array.isArray(raw)) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw illegalArgument(`Failed to parse value [${raw}] for setting [${key}]`);
  return n;
}

function listSetting(flat: FlatSettings, key: string): string[] {
  const raw = flat.get(key);
  if (raw === undefined) return [];
  return Array.isArray(raw) ? raw : [raw];
}

const TEXT_FILTERS = new Set(['lowercase', 'asciifolding']);

/**
 * The stand-in always analyses text one way (split on non letters/digits, lowercase, fold accents).
 * An analyzer is accepted only when that is also what it would do in ES; anything else is refused,
 * since quietly analysing differently from production would make searches disagree.
 */
export function checkAnalyzer(flat: FlatSettings, name: string, where: string): void {
  if (name === 'standard' || name === 'default') return;
  const prefix = `index.analysis.analyzer.${name}`;
  const type = flat.get(`${prefix}.type`);
  if (type === undefined) throw unsupported(`analyzer [${name}] on ${where} (only [standard] and custom analyzers defined in settings)`);
  const tokenizer = flat.get(`${prefix}.tokenizer`);
  const filters = listSetting(flat, `${prefix}.filter`);
  const charFilters = listSetting(flat, `${prefix}.char_filter`);
  const ok =
    (type === 'standard' && !flat.has(`${prefix}.stopwords`)) ||
    (type === 'custom' && tokenizer === 'standard' && charFilters.length === 0 && filters.every((f) => TEXT_FILTERS.has(f)));
  if (!ok) {
    throw unsupported(
      `analyzer [${name}] on ${where}: only the standard tokenizer with [lowercase, asciifolding] filters is emulated`,
    );
  }
}

/** Resolve a keyword normalizer into the function that applies it to indexed and query values. */
export function resolveNormalizer(flat: FlatSettings, name: string, where: string): (s: string) => string {
  if (name === 'lowercase') return (s) => s.toLowerCase();
  const prefix = `index.analysis.normalizer.${name}`;
  if (!flat.has(`${prefix}.type`) && !flat.has(`${prefix}.filter`)) {
    throw illegalArgument(`normalizer [${name}] not found for field [${where}]`);
  }
  if (listSetting(flat, `${prefix}.char_filter`).length > 0) throw unsupported(`char_filter on normalizer [${name}]`);
  const steps: Array<(s: string) => string> = listSetting(flat, `${prefix}.filter`).map((f) => {
    if (f === 'lowercase') return (s: string) => s.toLowerCase();
    if (f === 'asciifolding') return stripAccents;
    if (f === 'trim') return (s: string) => s.trim();
    throw unsupported(`filter [${f}] in normalizer [${name}]`);
  });
  return (s) => steps.reduce((acc, step) => step(acc), s);
}

