import { describe, expect, it } from 'vitest';
import { analyze, editDistance, editsFor, parseFuzziness } from '../src/analysis';
import { parseDateMath, parseIso } from '../src/dates';

describe('text analysis', () => {
  it('when text has accents, case and punctuation, then tokens are folded lowercase words and digits', () => {
    expect(analyze('José ÁLVAREZ-Nuñez, 42!')).toEqual(['jose', 'alvarez', 'nunez', '42']);
  });

  it('when an email is analysed, then its local part and domain split into searchable parts', () => {
    expect(analyze('Ana.Silva+test@Example.com.br')).toEqual(['ana', 'silva', 'test', 'example', 'com', 'br']);
  });
});

describe('fuzziness', () => {
  it('when fuzziness is AUTO, then terms of 1-2 chars get 0 edits, 3-5 get 1 and longer get 2', () => {
    const auto = parseFuzziness('AUTO');
    expect([1, 2, 3, 5, 6, 9].map((n) => editsFor(auto, 'x'.repeat(n)))).toEqual([0, 0, 1, 1, 2, 2]);
  });

  it('when two letters are swapped, then the distance is one edit with transpositions and two without', () => {
    expect(editDistance('jonh', 'john', 2, true)).toBe(1);
    expect(editDistance('jonh', 'john', 2, false)).toBe(2);
  });

  it('when the fuzziness is outside 0..2, then it is rejected', () => {
    expect(() => parseFuzziness(3)).toThrow(/Valid edit distances are \[0, 1, 2\]/);
  });
});

describe('dates', () => {
  it('when an upper range bound omits the time, then it rounds up to the end of that day', () => {
    expect(parseIso('2025-03-01', false)).toBe(Date.parse('2025-03-01T00:00:00.000Z'));
    expect(parseIso('2025-03-01', true)).toBe(Date.parse('2025-03-01T23:59:59.999Z'));
    expect(parseIso('2025-03-01T10:00:00+02:00', false)).toBe(Date.parse('2025-03-01T08:00:00.000Z'));
  });

  it('when date math rounds to the day, then gte floors, lte ceils and months clamp to the last day', () => {
    const now = Date.parse('2025-03-10T15:30:00Z');
    const format = 'strict_date_optional_time||epoch_millis';
    expect(parseDateMath('now-1d/d', format, false, now)).toBe(Date.parse('2025-03-09T00:00:00.000Z'));
    expect(parseDateMath('now-1d/d', format, true, now)).toBe(Date.parse('2025-03-09T23:59:59.999Z'));
    expect(parseDateMath('2025-01-31||+1M', format, false, now)).toBe(Date.parse('2025-02-28T00:00:00.000Z'));
    expect(parseDateMath('2024-02-29||+1y', format, false, now)).toBe(Date.parse('2025-02-28T00:00:00.000Z'));
  });
});
