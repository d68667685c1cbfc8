import { Fragment } from 'react';
import { formatCpf } from '@/lib/format';

export interface Segment {
  text: string;
  marked: boolean;
}

const ENTITIES: Record<string, string> = {
  '&amp;': '&',
  '&lt;': '<',
  '&gt;': '>',
  '&quot;': '"',
  '&#39;': "'",
  '&#x27;': "'",
  '&#x2F;': '/',
};

function decodeEntities(text: string): string {
  return text.replace(/&(?:amp|lt|gt|quot|#39|#x27|#x2F);/g, (entity) => ENTITIES[entity] ?? entity);
}

/**
 * Splits a search-engine fragment on its <em> markers. Everything else stays text: the fragment is never
 * parsed as HTML, so a name such as "<img onerror=…>" renders literally.
 */
export function parseHighlight(fragment: string): Segment[] {
  const segments: Segment[] = [];
  let marked = false;
  for (const part of fragment.split(/(<\/?em>)/i)) {
    if (/^<em>$/i.test(part)) marked = true;
    else if (/^<\/em>$/i.test(part)) marked = false;
    else if (part) {
      const text = decodeEntities(part);
      const last = segments[segments.length - 1];
      if (last && last.marked === marked) last.text += text;
      else segments.push({ text, marked });
    }
  }
  return segments;
}

const plainText = (segments: Segment[]) => segments.map((s) => s.text).join('');

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Segments for the full value. Fragments may be excerpts of a longer field, so when none covers the
 * whole value the matched terms are marked wherever they occur in it.
 */
export function highlightValue(value: string, fragments: readonly string[] | undefined): Segment[] {
  if (!fragments || fragments.length === 0) return [{ text: value, marked: false }];
  const parsed = fragments.map(parseHighlight);
  const whole = parsed.find((segments) => plainText(segments) === value);
  if (whole) return whole;
  const terms = [
    ...new Set(parsed.flatMap((segments) => segments.filter((s) => s.marked).map((s) => s.text.trim()))),
  ].filter(Boolean);
  if (terms.length === 0) return [{ text: value, marked: false }];
  const pattern = new RegExp(`(${terms.map(escapeRegExp).join('|')})`, 'gi');
  return value
    .split(pattern)
    .filter(Boolean)
    .map((text) => ({ text, marked: terms.some((t) => t.toLowerCase() === text.toLowerCase()) }));
}

/** Marks carried over from the raw 11 digits onto the formatted 000.000.000-00 form. */
export function highlightCpf(raw: string, fragments: readonly string[] | undefined): Segment[] {
  const formatted = formatCpf(raw);
  if (!fragments || fragments.length === 0) return [{ text: formatted, marked: false }];
  const digits = raw.replace(/\D/g, '');
  const source = fragments.map(parseHighlight).find((segments) => plainText(segments).replace(/\D/g, '') === digits);
  if (!source || formatted === raw) return [{ text: formatted, marked: true }];
  const digitMarks: boolean[] = [];
  for (const segment of source) {
    for (const char of segment.text) if (/\d/.test(char)) digitMarks.push(segment.marked);
  }
  const segments: Segment[] = [];
  let digitIndex = 0;
  for (const char of formatted) {
    let marked: boolean;
    if (/\d/.test(char)) {
      marked = digitMarks[digitIndex] ?? false;
      digitIndex += 1;
    } else {
      // Punctuation is marked only inside a marked run, so a match reads as one block.
      marked = (digitMarks[digitIndex - 1] ?? false) && (digitMarks[digitIndex] ?? false);
    }
    const last = segments[segments.length - 1];
    if (last && last.marked === marked) last.text += char;
    else segments.push({ text: char, marked });
  }
  return segments;
}

export function Highlighted({ segments }: { segments: Segment[] }) {
  return (
    <>
      {segments.map((segment, index) =>
        segment.marked ? <mark key={index}>{segment.text}</mark> : <Fragment key={index}>{segment.text}</Fragment>,
      )}
    </>
  );
}
