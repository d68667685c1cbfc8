import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { createClient } from 'redis';
import { pool, type AdminClient } from './admin';
import { collectDeadLetters } from './dead-letters';
import type { Ledger, Outcome } from './ledger';
import type { Rng } from './rng';

export type Category =
  'approved' | 'rejected' | 'duplicate' | 'pending' | 'dead-lettered' | 'lost' | 'duplicated' | 'mismatched';
export const CATEGORIES: readonly Category[] = [
  'approved',
  'rejected',
  'duplicate',
  'pending',
  'dead-lettered',
  'lost',
  'duplicated',
  'mismatched',
];

/** What every store says about the registrations, read as close together as possible. */
export interface StoreView {
  decisions: Map<string, { outcome: string; rows: number }>;
  approvedRows: Map<string, number>;
  redisPending: Set<string>;
  redisHashes: Set<string>;
  /** Search status; null = not indexed (404); absent = could not be read. */
  search: Map<string, string | null>;
  outboxUnpublished: number;
  deadLettered: Map<string, Set<string>>;
  deadLetterSourcesUnreadable: string[];
  approvedEmailTwice: Array<{ email: string; n: number }>;
  approvedCpfTwice: Array<{ cpf: string; n: number }>;
}

export interface Verdict {
  id: string;
  category: Category;
  problems: string[];
}

export interface StoreUrls {
  DATABASE_URL: string;
  REDIS_URL: string;
  ELASTICSEARCH_URL: string;
  /** The real brokers (not the proxy), for reading the dead-letter topic. */
  KAFKA_BROKERS: string;
  STOMP_URL: string;
}

/**
 * Reads Postgres, Redis and the search index directly (the checker's own clients, independent of
 * the services) and classifies each registration into exactly one final place.
 */
export class Checker {
  private db: pg.Client | null = null;
  private redis: ReturnType<typeof createClient> | null = null;

  constructor(private readonly urls: StoreUrls) {}

  private async pg(): Promise<pg.Client> {
    if (this.db) return this.db;
    const client = new pg.Client({ connectionString: this.urls.DATABASE_URL, connectionTimeoutMillis: 5000 });
    client.on('error', () => {
      this.db = null;
    });
    await client.connect();
    this.db = client;
    return client;
  }

  private async rd(): Promise<ReturnType<typeof createClient>> {
    if (this.redis) return this.redis;
    const client = createClient({
      url: this.urls.REDIS_URL,
      socket: { reconnectStrategy: false, connectTimeout: 5000 },
    });
    client.on('error', () => {
      this.redis = null;
    });
    await client.connect();
    this.redis = client;
    return client;
  }

  async close(): Promise<void> {
    await this.db?.end().catch(() => undefined);
    await this.redis?.close().catch(() => undefined);
    this.db = null;
    this.redis = null;
  }

  /**
   * @param searchVia 'index' reads the search index directly (fast, for polling); a function reads
   *   each registration through an API (the final check uses GET /users/{id} on the access API).
   */
  async view(
    ids: string[],
    searchVia: 'index' | ((id: string) => Promise<string | null | undefined>),
    withDeadLetters: boolean,
  ): Promise<StoreView> {
    const db = await this.pg();
    const redis = await this.rd();
    const decisions = new Map<string, { outcome: string; rows: number }>();
    for (const row of (
      await db.query<{ user_id: string; outcome: string; n: number }>(
        'select user_id::text, min(outcome) as outcome, count(*)::int as n from decisions group by user_id',
      )
    ).rows) {
      decisions.set(row.user_id, { outcome: row.outcome, rows: row.n });
    }
    const approvedRows = new Map<string, number>();
    for (const row of (
      await db.query<{ id: string; n: number }>('select id::text, count(*)::int as n from approved_users group by id')
    ).rows)
      approvedRows.set(row.id, row.n);
    const outboxUnpublished =
      (await db.query<{ n: number }>('select count(*)::int as n from outbox where published_at is null')).rows[0]?.n ??
      0;
    const approvedEmailTwice = (
      await db.query<{ email: string; n: number }>(
        'select lower(email) as email, count(*)::int as n from approved_users group by lower(email) having count(*) > 1',
      )
    ).rows;
    const approvedCpfTwice = (
      await db.query<{ cpf: string; n: number }>(
        'select cpf, count(*)::int as n from approved_users where cpf is not null group by cpf having count(*) > 1',
      )
    ).rows;

    const redisPending = new Set(await redis.zRange('regflow:pending', 0, -1));
    const redisHashes = new Set<string>();
    for await (const keys of redis.scanIterator({ MATCH: 'regflow:user:*', COUNT: 1000 })) {
      for (const key of keys) redisHashes.add(key.slice('regflow:user:'.length));
    }

    const search = new Map<string, string | null>();
    if (searchVia === 'index') {
      for (let i = 0; i < ids.length; i += 1000) {
        const chunk = ids.slice(i, i + 1000);
        const res = await fetch(`${this.urls.ELASTICSEARCH_URL}/users/_search`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ query: { ids: { values: chunk } }, size: chunk.length, _source: ['id', 'status'] }),
          signal: AbortSignal.timeout(30_000),
        });
        if (!res.ok) throw new Error(`search index answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
        const body = (await res.json()) as { hits: { hits: Array<{ _id: string; _source: { status: string } }> } };
        for (const id of chunk) search.set(id, null);
        for (const hit of body.hits.hits) search.set(hit._id, hit._source.status);
      }
    } else {
      await pool(ids, 16, async (id) => {
        const status = await searchVia(id);
        if (status !== undefined) search.set(id, status);
      });
    }

    const dead = withDeadLetters
      ? await collectDeadLetters({ db, kafkaBrokers: this.urls.KAFKA_BROKERS, stompUrl: this.urls.STOMP_URL })
      : { ids: new Map<string, Set<string>>(), unreadable: [] };
    return {
      decisions,
      approvedRows,
      redisPending,
      redisHashes,
      search,
      outboxUnpublished,
      deadLettered: dead.ids,
      deadLetterSourcesUnreadable: dead.unreadable,
      approvedEmailTwice,
      approvedCpfTwice,
    };
  }

  /**
   * Registrations in the search index that no 202 announced (their sign-up got 503, an error or a
   * timeout): every document, in pages ordered by id (a query naming every accepted id exceeds what
   * Elasticsearch takes in one request, and one page stops at 10,000 hits).
   */
  async unannounced(
    ids: string[],
  ): Promise<Array<{ id: string; email: string; registeredAt: string; status: string }>> {
    const accepted = new Set(ids);
    const out: Array<{ id: string; email: string; registeredAt: string; status: string }> = [];
    let after: unknown[] | undefined;
    for (;;) {
      const res = await fetch(`${this.urls.ELASTICSEARCH_URL}/users/_search`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          query: { match_all: {} },
          size: 5000,
          sort: [{ id: 'asc' }],
          ...(after ? { search_after: after } : {}),
          _source: ['id', 'email', 'registeredAt', 'status'],
        }),
        signal: AbortSignal.timeout(60_000),
      });
      if (!res.ok) throw new Error(`search index answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
      const body = (await res.json()) as {
        hits: {
          hits: Array<{
            _source: { id: string; email: string; registeredAt: string; status: string };
            sort: unknown[];
          }>;
        };
      };
      const hits = body.hits.hits;
      for (const hit of hits) if (!accepted.has(hit._source.id)) out.push(hit._source);
      if (hits.length < 5000) return out;
      after = hits[hits.length - 1]?.sort;
    }
  }
}

/** Exactly one place per registration, and every store must agree on it. */
export function classify(id: string, v: StoreView): Verdict {
  const problems: string[] = [];
  const decision = v.decisions.get(id);
  const approved = v.approvedRows.get(id) ?? 0;
  const inSet = v.redisPending.has(id);
  const inHash = v.redisHashes.has(id);
  const search = v.search.has(id) ? v.search.get(id) : undefined;
  const searchText = search === undefined ? 'unreadable' : search === null ? 'not indexed' : search;
  if (decision) {
    if (decision.rows > 1) return { id, category: 'duplicated', problems: [`${decision.rows} decision rows`] };
    if (approved > 1) return { id, category: 'duplicated', problems: [`${approved} approved_users rows`] };
    const expected = decision.outcome === 'approved' ? 1 : 0;
    if (approved !== expected) problems.push(`decided ${decision.outcome} but approved_users has ${approved} row(s)`);
    if (inSet || inHash)
      problems.push(
        `decided ${decision.outcome} but still in Redis (${inSet ? 'sorted set' : ''}${inSet && inHash ? ' + ' : ''}${inHash ? 'hash' : ''})`,
      );
    if (search !== decision.outcome) problems.push(`decided ${decision.outcome} but search says ${searchText}`);
    return { id, category: problems.length > 0 ? 'mismatched' : (decision.outcome as Outcome), problems };
  }
  if (approved > 0)
    return {
      id,
      category: 'mismatched',
      problems: [`approved_users row without a decision (search says ${searchText})`],
    };
  if (search === 'approved' || search === 'rejected')
    return { id, category: 'mismatched', problems: [`search says ${search} but Postgres has no decision`] };
  if (search === 'duplicate') {
    if (inSet || inHash)
      return { id, category: 'mismatched', problems: ['duplicate in search but in the Redis review queue'] };
    return { id, category: 'duplicate', problems };
  }
  if (inSet || inHash) {
    if (inSet !== inHash)
      return { id, category: 'mismatched', problems: [`Redis has only the ${inSet ? 'sorted-set entry' : 'hash'}`] };
    if (search !== 'pending')
      return { id, category: 'mismatched', problems: [`in the Redis review queue but search says ${searchText}`] };
    return { id, category: 'pending', problems };
  }
  const dead = v.deadLettered.get(id);
  if (dead)
    return {
      id,
      category: 'dead-lettered',
      problems: [`dead-lettered (${[...dead].join(', ')}); search says ${searchText}`],
    };
  return {
    id,
    category: 'lost',
    problems: [`no decision, not in Redis, not dead-lettered; search says ${searchText}`],
  };
}

export interface Assessment {
  verdicts: Map<string, Verdict>;
  counts: Record<Category, number>;
  /** Beyond the per-registration places: people live twice, approved twice, decisions that disagree. */
  extraDuplicated: string[];
  extraMismatched: string[];
}

/** Per-registration verdicts plus the checks that span registrations and the decision answers. */
export function assess(ids: string[], v: StoreView, ledger: Ledger): Assessment {
  const verdicts = new Map<string, Verdict>();
  for (const id of ids) verdicts.set(id, classify(id, v));
  const extraDuplicated: string[] = [];
  const extraMismatched: string[] = [];

  for (const row of v.approvedEmailTwice)
    extraDuplicated.push(`email ${row.email} approved ${row.n} times in approved_users`);
  for (const row of v.approvedCpfTwice)
    extraDuplicated.push(`CPF ${row.cpf} approved ${row.n} times in approved_users`);

  // One person, one live registration: pending or approved, per normalized email and per CPF.
  const signUps = ledger.signUpById();
  for (const [field, keyOf] of [
    ['email', (id: string) => signUps.get(id)?.email],
    ['CPF', (id: string) => signUps.get(id)?.cpf],
  ] as const) {
    const live = new Map<string, string[]>();
    for (const [id, verdict] of verdicts) {
      if (verdict.category !== 'pending' && verdict.category !== 'approved') continue;
      const key = keyOf(id);
      if (!key) continue;
      live.set(key, [...(live.get(key) ?? []), id]);
    }
    for (const [key, holders] of live)
      if (holders.length > 1)
        extraDuplicated.push(`${field} ${key} has ${holders.length} live registrations: ${holders.join(', ')}`);
  }

  // Every decision the admin API confirmed (200) must be the one that stands; a 409 must name it.
  const wins = new Map<string, Outcome[]>();
  for (const d of ledger.decisions) {
    const final = v.decisions.get(d.id)?.outcome;
    if (d.status === 200) wins.set(d.id, [...(wins.get(d.id) ?? []), d.outcome]);
    if (d.status === 200 && final !== d.outcome)
      extraMismatched.push(
        `${d.id}: ${d.outcome} answered 200 (${d.replica}, ${d.scenario}) but Postgres says ${final ?? 'no decision'}`,
      );
    if (d.status === 409 && d.winnerOutcome && final && d.winnerOutcome !== final)
      extraMismatched.push(`${d.id}: 409 named ${d.winnerOutcome} as the winner but Postgres says ${final}`);
  }
  for (const [id, outcomes] of wins)
    if (outcomes.length > 1)
      extraDuplicated.push(`${id}: ${outcomes.length} decisions answered 200 (${outcomes.join(', ')})`);

  const counts = Object.fromEntries(CATEGORIES.map((c) => [c, 0])) as Record<Category, number>;
  for (const verdict of verdicts.values()) counts[verdict.category]++;
  return { verdicts, counts, extraDuplicated, extraMismatched };
}

/** Decides everything in the review queue (any replica that answers) until it is empty. */
export async function decideAll(
  client: AdminClient,
  rng: Rng,
  ledger: Ledger,
  timeoutMs: number,
  log: (line: string) => void,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let decided = 0;
  while (Date.now() < deadline) {
    let page: { ids: string[]; total: number } | null = null;
    for (const replica of client.replicas) {
      page = await client.pending(replica, 500);
      if (page) break;
    }
    if (!page) {
      await sleep(1000);
      continue;
    }
    if (page.total === 0) return decided;
    log(`deciding ${page.ids.length} of ${page.total} pending`);
    await pool(page.ids, 8, async (id) => {
      const replica = rng.pick(client.replicas);
      const answer = await client.decide(replica, id, rng.chance(0.65) ? 'approved' : 'rejected', 'final', ledger);
      if (answer.status === 200) decided++;
    });
  }
  log('the review queue did not empty in time');
  return decided;
}
