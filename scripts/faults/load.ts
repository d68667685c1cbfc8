import { formatCpf, withCheckDigits } from '@regflow/common';
import { transportError, type Ledger, type SignUp, type SignUpKind } from './ledger';
import type { Rng } from './rng';

const FIRST = [
  'Ana',
  'Bruno',
  'Carla',
  'Diego',
  'Elisa',
  'Fábio',
  'Gabriela',
  'Heitor',
  'Íris',
  'João',
  'Lívia',
  'Marcos',
  'Nina',
  "D'Ávila",
];
const LAST = ['Souza', 'Lima', 'Pereira', 'Costa', 'Ribeiro', 'Almeida', 'Nunes', 'Araújo', 'Melo', 'Barros'];

export interface LoadOptions {
  accessUrl: string;
  /** Sign-ups per second (a same-instant pair counts as two). */
  rate: number;
  rng: Rng;
  ledger: Ledger;
  /** Makes every email of this run unique to it. */
  runTag: string;
  /** Upper bound on requests waiting for an answer; beyond it a tick is skipped (bounded load). */
  maxInFlight?: number;
}

/**
 * A steady, bounded stream of sign-ups on loopback: mostly new people, some repeats of an earlier
 * email (in another spelling) or CPF, some pairs of the same person at the same instant, and a few
 * invalid bodies. Every answer goes into the ledger.
 */
export class SignUpLoad {
  private timer: NodeJS.Timeout | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  private tokens = 0;
  private seq = 0;
  private readonly emails: string[] = [];
  private readonly cpfs: string[] = [];
  skipped = 0;

  constructor(private readonly opts: LoadOptions) {}

  start(): void {
    const tickMs = 50;
    this.timer = setInterval(() => {
      this.tokens += (this.opts.rate * tickMs) / 1000;
      while (this.tokens >= 1) {
        this.tokens -= 1;
        if (this.inFlight.size >= (this.opts.maxInFlight ?? 400)) {
          this.skipped++;
          continue;
        }
        this.fire();
      }
    }, tickMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await Promise.allSettled([...this.inFlight]);
  }

  private fire(): void {
    const { rng } = this.opts;
    const r = rng.next();
    if (r < 0.05) this.send('invalid', this.invalidBody());
    else if (r < 0.13 && this.emails.length > 0) {
      const email = rng.pick(this.emails);
      // Another spelling of the same address: the access API normalizes it to the same one.
      const spelled = rng.chance(0.5) ? `  ${email.toUpperCase()} ` : email.replace(/^./, (c) => c.toUpperCase());
      this.send('repeat-email', { name: this.name(), email: spelled }, email);
    } else if (r < 0.15 && this.cpfs.length > 0) {
      const cpf = rng.pick(this.cpfs);
      const email = this.freshEmail();
      this.send('repeat-cpf', { name: this.name(), email, cpf: formatCpf(cpf) }, email, cpf);
    } else if (r < 0.18) {
      // The same person twice at the same instant: at most one may stay live.
      const email = this.freshEmail();
      const cpf = rng.chance(0.5) ? this.freshCpf() : undefined;
      const body = { name: this.name(), email, ...(cpf ? { cpf } : {}) };
      this.send('same-instant', body, email, cpf);
      this.send('same-instant', { ...body, name: this.name() }, email, cpf);
    } else {
      const email = this.freshEmail();
      const cpf = rng.chance(0.4) ? this.freshCpf() : undefined;
      const phone = rng.chance(0.3) ? `+55119${String(rng.int(10_000_000, 99_999_999))}` : undefined;
      this.send(
        'fresh',
        {
          name: this.name(),
          email,
          ...(cpf ? { cpf: rng.chance(0.5) ? formatCpf(cpf) : cpf } : {}),
          ...(phone ? { phone } : {}),
        },
        email,
        cpf,
      );
    }
  }

  private send(kind: SignUpKind, body: unknown, email?: string, cpf?: string): void {
    const record: SignUp = {
      seq: ++this.seq,
      kind,
      startedAt: Date.now(),
      ...(email ? { email } : {}),
      ...(cpf ? { cpf } : {}),
    };
    this.opts.ledger.signUps.push(record);
    const request = (async () => {
      try {
        const res = await fetch(`${this.opts.accessUrl}/users`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(20_000),
        });
        const text = await res.text();
        record.status = res.status;
        if (res.status === 202) record.id = (JSON.parse(text) as { id: string }).id;
        else if (res.status >= 500) record.code = problemCode(text);
      } catch (err) {
        record.status = err instanceof Error && err.name === 'TimeoutError' ? 'timeout' : 'error';
        if (record.status === 'error') record.error = transportError(err);
      } finally {
        record.endedAt = Date.now();
      }
    })();
    this.inFlight.add(request);
    void request.finally(() => this.inFlight.delete(request));
  }

  private name(): string {
    return `${this.opts.rng.pick(FIRST)} ${this.opts.rng.pick(LAST)}`;
  }

  private freshEmail(): string {
    const email = `p${this.seq + 1}.${this.opts.runTag}@faults.example.com`;
    this.emails.push(email);
    return email;
  }

  private freshCpf(): string {
    // Nine digits from the sequence (spread out, never all equal), then the two check digits.
    const base = String((this.seq * 7919 + 100_000_007) % 1_000_000_000).padStart(9, '0');
    const cpf = withCheckDigits(/^(\d)\1{8}$/.test(base) ? `1${base.slice(1)}` : base);
    this.cpfs.push(cpf);
    return cpf;
  }

  private invalidBody(): Record<string, unknown> {
    const email = `bad${this.seq + 1}.${this.opts.runTag}@faults.example.com`;
    switch (this.opts.rng.int(0, 4)) {
      case 0:
        return { name: this.name(), email: 'not-an-email' };
      case 1:
        return { name: this.name(), email, cpf: '123.456.789-00' };
      case 2:
        return { name: '', email };
      case 3:
        return { name: this.name(), email, isAdmin: true };
      default:
        return { name: this.name(), email, phone: '12345' };
    }
  }
}

/** The `code` of a problem+json answer (e.g. REGISTRATION.UNCONFIRMED vs DEPENDENCY.UNAVAILABLE). */
function problemCode(text: string): string | undefined {
  try {
    const code = (JSON.parse(text) as { code?: unknown }).code;
    return typeof code === 'string' ? code : undefined;
  } catch {
    return undefined;
  }
}
