/** Formats an 11-digit CPF as 000.000.000-00; anything else is shown as received. */
export function formatCpf(raw: string | undefined | null): string {
  if (!raw) return '';
  const digits = raw.replace(/\D/g, '');
  if (digits.length !== 11) return raw;
  return `${digits.slice(0, 3)}.${digits.slice(3, 6)}.${digits.slice(6, 9)}-${digits.slice(9)}`;
}

/**
 * Formats E.164 numbers for reading. Brazilian and North-American numbers get their national grouping;
 * other countries keep E.164, which is unambiguous even if less pretty.
 */
export function formatPhone(raw: string | undefined | null): string {
  if (!raw) return '';
  const e164 = raw.replace(/[^\d+]/g, '');
  const br = /^\+55(\d{2})(\d{4,5})(\d{4})$/.exec(e164);
  if (br) return `+55 (${br[1]}) ${br[2]}-${br[3]}`;
  const nanp = /^\+1(\d{3})(\d{3})(\d{4})$/.exec(e164);
  if (nanp) return `+1 (${nanp[1]}) ${nanp[2]}-${nanp[3]}`;
  return raw;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** "waited 3 min": whole units only, because reviewers triage by rough age, not seconds. */
export function formatWaited(milliseconds: number): string {
  const ms = Math.max(0, milliseconds);
  if (ms < MINUTE) return 'less than 1 min';
  if (ms < HOUR) return `${Math.floor(ms / MINUTE)} min`;
  if (ms < DAY) {
    const hours = Math.floor(ms / HOUR);
    const minutes = Math.floor((ms % HOUR) / MINUTE);
    return minutes ? `${hours} h ${minutes} min` : `${hours} h`;
  }
  const days = Math.floor(ms / DAY);
  const hours = Math.floor((ms % DAY) / HOUR);
  return hours ? `${days} d ${hours} h` : `${days} d`;
}

/** Short gap between two pipeline steps: "+350 ms", "+2.4 s", "+3 min". */
export function formatStep(milliseconds: number): string {
  const ms = Math.max(0, milliseconds);
  if (ms < 1000) return `+${Math.round(ms)} ms`;
  if (ms < MINUTE) return `+${(ms / 1000).toFixed(1)} s`;
  return `+${formatWaited(ms)}`;
}

const dateTime = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
});
const dateTimeSeconds = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});
const timeOnly = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit' });
const dayAndTime = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'short',
  hour: '2-digit',
  minute: '2-digit',
});

function toDate(iso: string): Date | null {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** "21 Nov 2025, 14:02" */
export function formatDateTime(iso: string | undefined): string {
  const date = iso ? toDate(iso) : null;
  return date ? dateTime.format(date) : '';
}

/** "21 Nov 2025, 14:02:09": for the timeline, where steps are seconds apart. */
export function formatDateTimeSeconds(iso: string | undefined): string {
  const date = iso ? toDate(iso) : null;
  return date ? dateTimeSeconds.format(date) : '';
}

/** "14:02" today, "20 Nov, 09:15" otherwise: compact for queue rows. */
export function formatShortDateTime(iso: string, now: number = Date.now()): string {
  const date = toDate(iso);
  if (!date) return '';
  const today = new Date(now);
  const sameDay =
    date.getFullYear() === today.getFullYear() &&
    date.getMonth() === today.getMonth() &&
    date.getDate() === today.getDate();
  return sameDay ? timeOnly.format(date) : dayAndTime.format(date);
}

export function millisBetween(fromIso: string | undefined, toIso: string | undefined): number | null {
  const from = fromIso ? toDate(fromIso) : null;
  const to = toIso ? toDate(toIso) : null;
  return from && to ? to.getTime() - from.getTime() : null;
}

const count = new Intl.NumberFormat('en-GB');
export function formatCount(value: number): string {
  return count.format(value);
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

const OUTCOME_WORD: Record<string, string> = {
  approved: 'approved',
  rejected: 'rejected',
  duplicate: 'marked as duplicate',
  decided: 'decided',
};

/** "Already approved by bob@example.com at 21 Nov 2025, 14:02": the 409 message reviewers see. */
export function alreadyDecidedMessage(info: { outcome: string; decidedBy: string; decidedAt: string }): string {
  const verb = OUTCOME_WORD[info.outcome] ?? `decided (${info.outcome})`;
  const when = formatDateTime(info.decidedAt) || info.decidedAt;
  return when ? `Already ${verb} by ${info.decidedBy} at ${when}` : `Already ${verb} by ${info.decidedBy}`;
}
