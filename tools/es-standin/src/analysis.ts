import { EsError, illegalArgument } from './errors';

/** A token of analysed text, with offsets into the original string so highlighting can wrap it. */
export interface Token {
  term: string;
  start: number;
  end: number;
}

const WORD_CHAR = /[\p{L}\p{N}]/u;
const COMBINING_MARK = /\p{M}/u;
const COMBINING_MARKS = /\p{M}/gu;

/** Lowercase, then strip diacritics via NFD so "José" and "jose" index to the same term. */
export function fold(text: string): string {
  return text.toLowerCase().normalize('NFD').replace(COMBINING_MARKS, '');
}

export function stripAccents(text: string): string {
  return text.normalize('NFD').replace(COMBINING_MARKS, '');
}

/**
 * The stand-in's single text analyser: split on anything that is not a letter or digit (Unicode
 * aware), lowercase, fold accents. An email therefore yields its parts ("ana", "silva", "example",
 * "com"), which is what lets a text-mapped email field match on a name fragment.
 */
export function analyzeWithOffsets(text: string): Token[] {
  const tokens: Token[] = [];
  let term = '';
  let start = -1;
  let offset = 0;
  for (const ch of text) {
    const isWord = WORD_CHAR.test(ch) || (start >= 0 && COMBINING_MARK.test(ch));
    if (isWord) {
      if (start < 0) start = offset;
      term += fold(ch);
    } else if (start >= 0) {
      if (term !== '') tokens.push({ term, start, end: offset });
      term = '';
      start = -1;
    }
    offset += ch.length;
  }
  if (start >= 0 && term !== '') tokens.push({ term, start, end: offset });
  return tokens;
}

export function analyze(text: string): string[] {
  return analyzeWithOffsets(text).map((t) => t.term);
}

export function codePointLength(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/**
 * Edit distance with adjacent transpositions counted as one edit (optimal string alignment), which
 * is what Lucene's Levenshtein automata accept when fuzzy_transpositions is on. Gives up early and
 * returns max + 1 once the distance is known to exceed max.
 */
export function editDistance(a: string, b: string, max: number, transpositions: boolean): number {
  const s = [...a];
  const t = [...b];
  if (Math.abs(s.length - t.length) > max) return max + 1;
  const rows = s.length + 1;
  const cols = t.length + 1;
  let prevPrev: number[] = new Array<number>(cols).fill(0);
  let prev: number[] = Array.from({ length: cols }, (_, j) => j);
  for (let i = 1; i < rows; i++) {
    const cur: number[] = new Array<number>(cols).fill(0);
    cur[0] = i;
    let rowMin = cur[0];
    for (let j = 1; j < cols; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      let v = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
      if (transpositions && i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1]) {
        v = Math.min(v, (prevPrev[j - 2] ?? 0) + 1);
      }
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > max) return max + 1;
    prevPrev = prev;
    prev = cur;
  }
  return prev[cols - 1] ?? max + 1;
}

/** A parsed `fuzziness` value: a fixed number of edits or AUTO with its two length thresholds. */
export type Fuzziness = { kind: 'fixed'; edits: number } | { kind: 'auto'; low: number; high: number };

export const NO_FUZZINESS: Fuzziness = { kind: 'fixed', edits: 0 };

export function parseFuzziness(value: unknown): Fuzziness {
  if (typeof value === 'number') return fixedEdits(value, String(value));
  if (typeof value !== 'string') throw illegalArgument(`failed to parse [${String(value)}] as fuzziness`);
  const upper = value.trim().toUpperCase();
  if (upper === 'AUTO') return { kind: 'auto', low: 3, high: 6 };
  const auto = /^AUTO:(\d+),(\d+)$/.exec(upper);
  if (auto) {
    const low = Number(auto[1]);
    const high = Number(auto[2]);
    if (low > high) throw illegalArgument(`fuzziness wrongly configured [${value}]`);
    return { kind: 'auto', low, high };
  }
  const n = Number(upper);
  if (upper === '' || Number.isNaN(n)) throw illegalArgument(`failed to parse [${value}] as fuzziness`);
  return fixedEdits(n, value);
}

function fixedEdits(n: number, raw: string): Fuzziness {
  const edits = Math.trunc(n);
  if (edits < 0 || edits > 2 || edits !== n) {
    throw new EsError(400, {
      type: 'illegal_argument_exception',
      reason: `Valid edit distances are [0, 1, 2] but was [${raw}]`,
    });
  }
  return { kind: 'fixed', edits };
}

/** AUTO: 0 edits below `low` code points, 1 below `high`, else 2 (ES defaults 3 and 6). */
export function editsFor(fuzziness: Fuzziness, term: string): number {
  if (fuzziness.kind === 'fixed') return fuzziness.edits;
  const len = codePointLength(term);
  if (len < fuzziness.low) return 0;
  if (len < fuzziness.high) return 1;
  return 2;
}
