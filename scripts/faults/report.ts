import fs from 'node:fs';
import path from 'node:path';
import type { Ledger, SignUp } from './ledger';

/** Sign-ups that got 202 while Kafka could not be reached: must be none. */
export function acceptedDuringOutages(ledger: Ledger, graceMs = 250): string[] {
  const out: string[] = [];
  for (const outage of ledger.outages) {
    for (const s of ledger.signUps) {
      if (s.status !== 202 || s.endedAt === undefined) continue;
      // Started after the cut took effect and answered before it ended: nothing could have acked it.
      if (s.startedAt >= outage.from + graceMs && s.endedAt <= outage.to) {
        out.push(`${s.id ?? '?'}: 202 at +${((s.endedAt - outage.from) / 1000).toFixed(1)} s into ${outage.kind}`);
      }
    }
  }
  return out;
}

/** What the access API answered to requests started during each Kafka outage. */
export function outageAnswers(ledger: Ledger): string[] {
  return ledger.outages.map((outage) => {
    const tally = new Map<string, number>();
    for (const s of ledger.signUps) {
      if (s.kind === 'invalid' || s.startedAt < outage.from || s.startedAt > outage.to) continue;
      const key = `${String(s.status ?? 'none')}${s.code ? ` ${s.code}` : ''}`;
      tally.set(key, (tally.get(key) ?? 0) + 1);
    }
    const parts = [...tally].sort().map(([k, n]) => `${k}: ${n}`);
    return `${outage.kind} ${((outage.to - outage.from) / 1000).toFixed(1)} s: ${parts.join(', ') || 'no requests'}`;
  });
}

export function tally<T>(items: T[], key: (item: T) => string): string {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return [...counts]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, n]) => `${k}=${n}`)
    .join(' ');
}

/** error/fatal lines per service log (pino levels 50/60), with the most frequent messages. */
export function logErrors(logsDir: string, names: string[]): string[] {
  return names.map((name) => {
    let text = '';
    try {
      text = fs.readFileSync(path.join(logsDir, `${name}.log`), 'utf8');
    } catch {
      return `${name}: no log`;
    }
    const messages = new Map<string, number>();
    let errors = 0;
    let fatals = 0;
    for (const line of text.split('\n')) {
      // pino writes numeric levels by default; the services' logger writes labels.
      const level = /"level":"?(\w+)/.exec(line)?.[1];
      if (level !== '50' && level !== '60' && level !== 'error' && level !== 'fatal') continue;
      if (level === '50' || level === 'error') errors++;
      else fatals++;
      const msg = /"msg":"([^"]{0,120})/.exec(line)?.[1] ?? '?';
      messages.set(msg, (messages.get(msg) ?? 0) + 1);
    }
    const top = [...messages]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 3)
      .map(([m, n]) => `${n}× "${m}"`);
    return `${name}: ${errors} error, ${fatals} fatal${top.length ? ` (${top.join('; ')})` : ''}`;
  });
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/**
 * For each registration stored without a 202: the sign-up it came from (same email, no 202, the
 * closest one started before it was registered), what that sign-up was answered, and the fault it
 * started in.
 */
export function explainUnannounced(
  ledger: Ledger,
  docs: Array<{ email: string; registeredAt: string; status: string }>,
): string[] {
  const byEmail = new Map<string, SignUp[]>();
  for (const s of ledger.signUps) {
    if (!s.email || s.status === 202) continue;
    byEmail.set(s.email, [...(byEmail.get(s.email) ?? []), s]);
  }
  const causes = new Map<string, number>();
  for (const doc of docs) {
    const at = Date.parse(doc.registeredAt);
    const candidates = (byEmail.get(doc.email) ?? []).filter((s) => s.startedAt <= at + 1000);
    const origin = candidates.sort((a, b) => b.startedAt - a.startedAt)[0];
    let cause = 'no matching sign-up';
    if (origin) {
      const fault = [...ledger.faults]
        .reverse()
        .find((f) => f.at <= origin.startedAt && origin.startedAt <= (f.recoveredAt ?? Infinity));
      cause = `answered ${String(origin.status)}${origin.code ? ` ${origin.code}` : ''}${fault ? ` during ${fault.kind}` : ''}`;
    }
    const key = `${cause}, now ${doc.status}`;
    causes.set(key, (causes.get(key) ?? 0) + 1);
  }
  return [...causes].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${n}× ${k}`);
}
