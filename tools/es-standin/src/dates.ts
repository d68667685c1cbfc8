/**
 * Date parsing for `date` fields: ISO-8601 (strict_date_optional_time and friends), epoch_millis,
 * epoch_second, and ES date math (`now-7d/d`, `2024-01-01||+1M`). All values end up as epoch millis.
 */

const ISO_FORMATS = new Set([
  'strict_date_optional_time',
  'date_optional_time',
  'strict_date_optional_time_nanos',
  'strict_date_time',
  'date_time',
  'strict_date_time_no_millis',
  'date_time_no_millis',
  'strict_date',
  'date',
  'yyyy-MM-dd',
  'strict_date_hour_minute_second',
  'date_hour_minute_second',
  'iso8601',
]);
const EPOCH_FORMATS = new Set(['epoch_millis', 'epoch_second']);

export const DEFAULT_DATE_FORMAT = 'strict_date_optional_time||epoch_millis';

export function isSupportedDateFormat(format: string): boolean {
  return format.split('||').every((f) => ISO_FORMATS.has(f) || EPOCH_FORMATS.has(f));
}

const ISO_RE =
  /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2})(?::(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?)?)?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/;

/**
 * Parse an ISO date. `roundUp` fills the components the string leaves out the way ES does for the
 * upper end of a range (hour 23, minute 59, second 59, nanos 999999999; month and day stay 01).
 */
export function parseIso(text: string, roundUp: boolean): number | null {
  const m = ISO_RE.exec(text);
  if (!m) return null;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  if (zone !== undefined && h === undefined && d === undefined) return null;
  const year = Number(y);
  const month = mo === undefined ? 1 : Number(mo);
  const day = d === undefined ? 1 : Number(d);
  const hour = h === undefined ? (roundUp ? 23 : 0) : Number(h);
  const minute = mi === undefined ? (roundUp ? 59 : 0) : Number(mi);
  const second = s === undefined ? (roundUp ? 59 : 0) : Number(s);
  const millis = frac === undefined ? (roundUp ? 999 : 0) : Number(frac.padEnd(9, '0').slice(0, 3));
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) return null;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day < 1 || day > daysInMonth) return null;
  const utc = new Date(0);
  utc.setUTCFullYear(year, month - 1, day);
  utc.setUTCHours(hour, minute, second, millis);
  return utc.getTime() - zoneOffsetMillis(zone);
}

function zoneOffsetMillis(zone: string | undefined): number {
  if (zone === undefined || zone === 'Z') return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
  return sign * (hours * 60 + minutes) * 60_000;
}

/** Parse a source or query value against a field's `format` (formats joined by `||`). */
export function parseDateValue(value: unknown, format: string, roundUp: boolean): number | null {
  const formats = format.split('||');
  for (const f of formats) {
    if (EPOCH_FORMATS.has(f)) {
      const n = typeof value === 'number' ? value : typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : NaN;
      if (!Number.isNaN(n)) return Math.trunc(f === 'epoch_second' ? n * 1000 : n);
    } else if (typeof value === 'string') {
      const ms = parseIso(value, roundUp);
      if (ms !== null) return ms;
    }
  }
  return null;
}

type Unit = 'y' | 'M' | 'w' | 'd' | 'h' | 'H' | 'm' | 's';

/** Calendar month arithmetic clamps the day like java.time (Jan 31 + 1M = Feb 28), not like JS Date. */
function addMonths(ms: number, months: number): number {
  const d = new Date(ms);
  const total = d.getUTCFullYear() * 12 + d.getUTCMonth() + months;
  const year = Math.floor(total / 12);
  const month = total - year * 12;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const out = new Date(ms);
  out.setUTCFullYear(year, month, Math.min(d.getUTCDate(), lastDay));
  return out.getTime();
}

function addUnits(ms: number, amount: number, unit: Unit): number {
  switch (unit) {
    case 'y':
      return addMonths(ms, amount * 12);
    case 'M':
      return addMonths(ms, amount);
    case 'w':
      return ms + amount * 7 * 86_400_000;
    case 'd':
      return ms + amount * 86_400_000;
    case 'h':
    case 'H':
      return ms + amount * 3_600_000;
    case 'm':
      return ms + amount * 60_000;
    case 's':
      return ms + amount * 1000;
  }
}

function floorTo(ms: number, unit: Unit): number {
  const d = new Date(ms);
  switch (unit) {
    case 'y':
      return Date.UTC(d.getUTCFullYear(), 0, 1);
    case 'M':
      return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
    case 'w': {
      const day = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
      const isoWeekday = (d.getUTCDay() + 6) % 7;
      return day - isoWeekday * 86_400_000;
    }
    case 'd':
      return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
    case 'h':
    case 'H':
      return ms - (((ms % 3_600_000) + 3_600_000) % 3_600_000);
    case 'm':
      return ms - (((ms % 60_000) + 60_000) % 60_000);
    case 's':
      return ms - (((ms % 1000) + 1000) % 1000);
  }
}

/**
 * Resolve a range bound or term value on a date field. Date math rounding rounds down for gte/lt and
 * up (to the last millisecond of the unit) for gt/lte, as ES does.
 */
export function parseDateMath(value: unknown, format: string, roundUp: boolean, now: number): number | null {
  if (typeof value === 'number') return parseDateValue(value, format, roundUp);
  if (typeof value !== 'string') return null;
  let anchor: number | null;
  let ops: string;
  if (value.startsWith('now')) {
    anchor = now;
    ops = value.slice(3);
  } else {
    const sep = value.indexOf('||');
    if (sep < 0) return parseDateValue(value, format, roundUp);
    anchor = parseDateValue(value.slice(0, sep), format, roundUp);
    ops = value.slice(sep + 2);
  }
  if (anchor === null) return null;
  let ms = anchor;
  const opRe = /([+-])(\d+)([yMwdhHms])|\/([yMwdhHms])/gy;
  let consumed = 0;
  for (let m = opRe.exec(ops); m !== null; m = opRe.exec(ops)) {
    consumed = opRe.lastIndex;
    if (m[4] !== undefined) {
      const unit = m[4] as Unit;
      ms = roundUp ? addUnits(floorTo(ms, unit), 1, unit) - 1 : floorTo(ms, unit);
    } else {
      ms = addUnits(ms, (m[1] === '-' ? -1 : 1) * Number(m[2]), m[3] as Unit);
    }
  }
  if (consumed !== ops.length) return null;
  return ms;
}

export function formatIso(ms: number): string {
  return new Date(ms).toISOString();
}

/** What dynamic mapping takes for a date: ES's default dynamic_date_formats, full dates only. */
export function looksLikeDate(text: string): boolean {
  return /^\d{4}-\d{2}-\d{2}(T.*)?$/.test(text) && parseIso(text, false) !== null;
}
