import { setTimeout as sleep } from 'node:timers/promises';
import { transportError, type DecisionAttempt, type DecisionScenario, type Ledger, type Outcome } from './ledger';
import type { Rng } from './rng';

export interface Replica {
  name: string;
  url: string;
}

interface Session {
  cookie: string;
  csrf: string;
}

export interface AdminAnswer {
  status: number | 'error' | 'timeout';
  body: unknown;
  error?: string;
}

/**
 * The admin API as the console uses it: a session cookie plus the x-csrf-token header. Sessions live
 * in Redis, so one session works on both consumer replicas; a 401 (session lost, e.g. Redis data
 * gone) signs in again once.
 */
export class AdminClient {
  private session: Session | null = null;
  private signingIn: Promise<Session> | null = null;

  constructor(
    readonly replicas: Replica[],
    private readonly account: { email: string; password: string },
  ) {}

  private async signIn(replica: Replica): Promise<Session> {
    this.signingIn ??= (async () => {
      const order = [replica, ...this.replicas.filter((r) => r !== replica)];
      let last = '';
      for (const r of order) {
        try {
          const res = await fetch(`${r.url}/admin/session`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(this.account),
            signal: AbortSignal.timeout(10_000),
          });
          const text = await res.text();
          if (res.status !== 200) {
            last = `${r.name}: ${res.status} ${text.slice(0, 200)}`;
            continue;
          }
          const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
          return { cookie, csrf: (JSON.parse(text) as { csrfToken: string }).csrfToken };
        } catch (err) {
          last = `${r.name}: ${err instanceof Error ? err.message : String(err)}`;
        }
      }
      throw new Error(`admin sign-in failed on every replica (${last})`);
    })().finally(() => {
      this.signingIn = null;
    });
    this.session = await this.signingIn;
    return this.session;
  }

  async request(
    replica: Replica,
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
    timeoutMs = 15_000,
  ): Promise<AdminAnswer> {
    for (let attempt = 0; attempt < 2; attempt++) {
      let session: Session;
      try {
        session = this.session ?? (await this.signIn(replica));
      } catch (err) {
        return { status: 'error', body: null, error: `sign-in: ${err instanceof Error ? err.message : String(err)}` };
      }
      try {
        const res = await fetch(`${replica.url}${path}`, {
          method,
          headers: {
            cookie: session.cookie,
            ...(method === 'POST' ? { 'x-csrf-token': session.csrf } : {}),
            ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(timeoutMs),
        });
        const text = await res.text();
        if ((res.status === 401 || res.status === 403) && attempt === 0) {
          if (this.session === session) this.session = null;
          continue;
        }
        let parsed: unknown = text;
        try {
          parsed = JSON.parse(text);
        } catch {
          // not JSON: keep the text
        }
        return { status: res.status, body: parsed };
      } catch (err) {
        if (err instanceof Error && err.name === 'TimeoutError') return { status: 'timeout', body: null };
        return { status: 'error', body: null, error: transportError(err) };
      }
    }
    return { status: 401, body: null };
  }

  async decide(
    replica: Replica,
    id: string,
    outcome: Outcome,
    scenario: DecisionScenario,
    ledger: Ledger,
  ): Promise<DecisionAttempt> {
    const startedAt = Date.now();
    const path = `/admin/users/${id}/${outcome === 'approved' ? 'approve' : 'reject'}`;
    const answer = await this.request(
      replica,
      'POST',
      path,
      outcome === 'rejected' ? { reason: 'fault-suite: not eligible' } : undefined,
    );
    const attempt: DecisionAttempt = {
      id,
      outcome,
      replica: replica.name,
      scenario,
      startedAt,
      endedAt: Date.now(),
      status: answer.status,
      ...(answer.error ? { error: answer.error } : {}),
    };
    if (answer.status === 409 && answer.body && typeof answer.body === 'object') {
      const winner = (answer.body as { outcome?: unknown }).outcome;
      if (typeof winner === 'string') attempt.winnerOutcome = winner;
    }
    ledger.decisions.push(attempt);
    return attempt;
  }

  /** One page of the review queue, oldest first; null when the replica did not answer. */
  async pending(replica: Replica, limit: number): Promise<{ ids: string[]; total: number } | null> {
    const answer = await this.request(replica, 'GET', `/admin/pending?limit=${limit}`);
    if (answer.status !== 200 || !answer.body || typeof answer.body !== 'object') return null;
    const body = answer.body as { items: Array<{ id: string }>; total: number };
    return { ids: body.items.map((i) => i.id), total: body.total };
  }
}

/**
 * Decides what is in the review queue while the load runs: mostly one decision on a random replica,
 * but also the same decision twice in a row (200 then 409), to both replicas at once, and
 * contradictory decisions to both replicas at once; in the last two exactly one may win.
 */
export class Decider {
  private running = false;
  private loop: Promise<void> | null = null;
  private readonly busy = new Set<string>();
  rounds = 0;

  constructor(
    private readonly client: AdminClient,
    private readonly rng: Rng,
    private readonly ledger: Ledger,
    /** Share of each listed page to decide per round; the rest waits for a later round. */
    private readonly share = 0.7,
  ) {}

  start(): void {
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  private async run(): Promise<void> {
    while (this.running) {
      this.rounds++;
      const replica = this.rng.pick(this.client.replicas);
      const page = await this.client.pending(replica, 100);
      if (page && page.ids.length > 0) {
        const chosen = this.rng
          .shuffle(page.ids.filter((id) => !this.busy.has(id)))
          .slice(0, Math.max(3, Math.ceil(page.ids.length * this.share)));
        await pool(chosen, 6, (id) => this.decideOne(id));
      }
      await sleep(this.rng.int(100, 400));
    }
  }

  private async decideOne(id: string): Promise<void> {
    this.busy.add(id);
    try {
      const [a, b] = this.rng.shuffle(this.client.replicas) as [Replica, Replica];
      const outcome: Outcome = this.rng.chance(0.65) ? 'approved' : 'rejected';
      const r = this.rng.next();
      if (r < 0.7) {
        await this.client.decide(a, id, outcome, 'single', this.ledger);
      } else if (r < 0.8) {
        const first = await this.client.decide(a, id, outcome, 'twice', this.ledger);
        const second = await this.client.decide(a, id, outcome, 'twice', this.ledger);
        if (first.status === 200 && second.status === 200)
          this.ledger.violations.push(`${id}: the same decision sent twice got 200 both times`);
      } else {
        const scenario: DecisionScenario = r < 0.9 ? 'both-replicas' : 'conflict';
        const other: Outcome = scenario === 'conflict' ? (outcome === 'approved' ? 'rejected' : 'approved') : outcome;
        const answers = await Promise.all([
          this.client.decide(a, id, outcome, scenario, this.ledger),
          this.client.decide(b, id, other, scenario, this.ledger),
        ]);
        if (answers.every((x) => x.status === 200))
          this.ledger.violations.push(`${id}: decisions sent to both replicas at once both got 200 (${scenario})`);
      }
    } finally {
      this.busy.delete(id);
    }
  }
}

export async function pool<T>(items: T[], concurrency: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await fn(item);
    }
  });
  await Promise.all(workers);
}
