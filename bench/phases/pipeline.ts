import http from 'node:http';
import type { RedisClientType } from 'redis';
import { cannon, summarizeCannon, type HttpLoadResult } from '../lib/http-load';
import { load1 } from '../lib/machine';
import { RegistrationFactory } from '../lib/registrations';
import { ratio, round, summarize, type LatencySummary } from '../lib/stats';

const PENDING = 'regflow:pending';
const JSON_HEADERS = { 'content-type': 'application/json' };

/**
 * POST /users at a fixed concurrency, every body a different person, for `durationMs` or until
 * `maxRequests` answers, which bounds the backlog this leaves for the orchestrator (and so the run's length).
 */
export async function accessApi(
  url: string,
  connections: number,
  durationMs: number,
  maxRequests: number,
): Promise<HttpLoadResult & { load1: number }> {
  const factory = new RegistrationFactory();
  const load = load1();
  const result = summarizeCannon(
    await cannon(
      {
        url: `${url}/users`,
        connections,
        duration: durationMs / 1000,
        requests: [
          {
            method: 'POST',
            path: '/users',
            headers: JSON_HEADERS,
            setupRequest: (req) => ({ ...req, body: factory.next() }),
          },
        ],
      },
      maxRequests,
    ),
  );
  if (result.errors || result.non2xx || result.timeouts)
    throw new Error(
      `POST /users: ${result.errors} errors, ${result.timeouts} timeouts, ${result.non2xx} non-2xx answers`,
    );
  return { ...result, load1: load };
}

/** Waits until the review queue holds `target` entries; fails only when it stops growing (an error, not a timing). */
export async function waitForQueue(
  redis: RedisClientType,
  target: number,
  stallMs: number,
): Promise<{ firstSeenAt: number; doneAt: number }> {
  let last = -1;
  let lastChange = Date.now();
  let firstSeenAt = 0;
  for (;;) {
    const n = await redis.zCard(PENDING);
    const now = Date.now();
    if (n > 0 && firstSeenAt === 0) firstSeenAt = now;
    if (n >= target) return { firstSeenAt, doneAt: now };
    if (n !== last) {
      last = n;
      lastChange = now;
    } else if (now - lastChange > stallMs) {
      throw new Error(`the review queue stopped at ${n} of ${target} registrations for ${stallMs / 1000} s`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

export interface EndToEndFigure {
  registrations: number;
  postedPerSecond: number;
  /** From the first 202 until the last of them was staged. */
  perSecond: number;
  seconds: number;
  latencyMs: LatencySummary;
  /** The same from registeredAt (set by the access API before publishing) to stagedAt. */
  registeredToStagedMs: LatencySummary;
  /**
   * Where the time goes, from the timestamps each hop writes into the staged user: registeredAt (access
   * API, before publishing) → indexedAt (orchestrator, after reading the index and claiming, before
   * creating the document) → queuedAt (orchestrator, after creating it, before the STOMP send) →
   * stagedAt (consumer, on receipt, before the Redis write).
   */
  segmentsMs: { registeredToIndexed: LatencySummary; indexedToQueued: LatencySummary; queuedToStaged: LatencySummary };
  targetRate?: number;
  connections: number;
  load1: number;
}

/**
 * Open loop: request i leaves at start + i/rate whatever the answers (at most `maxInFlight` at once),
 * so the load is smooth. (autocannon's overallRate sends each second's quota in a burst at the start
 * of the second, which measures the burst, not the rate.)
 */
async function paced(opts: {
  url: string;
  n: number;
  rate: number;
  maxInFlight: number;
  body: () => string;
  onAnswer: (status: number, body: string) => void;
}): Promise<{ perSecond: number; failures: string[] }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: opts.maxInFlight });
  const failures: string[] = [];
  const inFlight = new Set<Promise<void>>();
  const post = (body: string) =>
    new Promise<void>((resolve) => {
      const req = http.request(
        opts.url,
        { method: 'POST', agent, headers: { ...JSON_HEADERS, 'content-length': Buffer.byteLength(body) } },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () => {
            if (res.statusCode !== 202) failures.push(`${res.statusCode} ${text.slice(0, 200)}`);
            else opts.onAnswer(202, text);
            resolve();
          });
        },
      );
      req.on('error', (err) => {
        failures.push(err.message);
        resolve();
      });
      req.end(body);
    });
  const start = performance.now();
  for (let i = 0; i < opts.n; i++) {
    const due = start + (i * 1000) / opts.rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    if (inFlight.size >= opts.maxInFlight) await Promise.race(inFlight);
    const p = post(opts.body()).finally(() => inFlight.delete(p));
    inFlight.add(p);
  }
  await Promise.all(inFlight);
  agent.destroy();
  return { perSecond: Math.round(opts.n / ((performance.now() - start) / 1000)), failures };
}

/**
 * N registrations, posted as fast as they are accepted (or paced at `rate`/s); each 202's time is
 * recorded here, and stagedAt comes from the staged user in Redis (`regflow:user:<id>`).
 */
export async function endToEnd(opts: {
  url: string;
  redis: RedisClientType;
  n: number;
  connections: number;
  rate?: number;
  stallMs: number;
}): Promise<EndToEndFigure & { ids: string[] }> {
  const factory = new RegistrationFactory();
  const acceptedAt = new Map<string, number>();
  const before = await opts.redis.zCard(PENDING);
  const load = load1();
  const onAnswer = (status: number, body: string) => {
    if (status === 202) acceptedAt.set((JSON.parse(body) as { id: string }).id, Date.now());
  };
  let posted: { perSecond: number; failures: string[] };
  if (opts.rate) {
    posted = await paced({
      url: `${opts.url}/users`,
      n: opts.n,
      rate: opts.rate,
      maxInFlight: opts.connections,
      body: () => factory.next(),
      onAnswer,
    });
  } else {
    const failures: string[] = [];
    const result = summarizeCannon(
      await cannon({
        url: `${opts.url}/users`,
        connections: opts.connections,
        amount: opts.n,
        requests: [
          {
            method: 'POST',
            path: '/users',
            headers: JSON_HEADERS,
            setupRequest: (req) => ({ ...req, body: factory.next() }),
            onResponse: (status, body) => {
              if (status !== 202) failures.push(`${status} ${body.slice(0, 200)}`);
              else onAnswer(status, body);
            },
          },
        ],
      }),
    );
    if (result.errors || result.timeouts) failures.push(`${result.errors} errors, ${result.timeouts} timeouts`);
    posted = { perSecond: result.perSecond, failures };
  }
  if (posted.failures.length)
    throw new Error(`end to end: ${posted.failures.length} requests failed, e.g. ${posted.failures[0]}`);
  await waitForQueue(opts.redis, before + acceptedAt.size, opts.stallMs);
  const ids = [...acceptedAt.keys()];
  const staged = await stagedUsers(opts.redis, ids, opts.stallMs);
  const latencies: number[] = [];
  const fromRegistered: number[] = [];
  const seg = { registeredToIndexed: [] as number[], indexedToQueued: [] as number[], queuedToStaged: [] as number[] };
  let lastStaged = 0;
  staged.forEach((json, i) => {
    const user = JSON.parse(json) as { stagedAt: string; registeredAt: string; indexedAt: string; queuedAt: string };
    const stagedAt = Date.parse(user.stagedAt);
    seg.registeredToIndexed.push(Date.parse(user.indexedAt) - Date.parse(user.registeredAt));
    seg.indexedToQueued.push(Date.parse(user.queuedAt) - Date.parse(user.indexedAt));
    seg.queuedToStaged.push(stagedAt - Date.parse(user.queuedAt));
    lastStaged = Math.max(lastStaged, stagedAt);
    latencies.push(stagedAt - acceptedAt.get(ids[i]!)!);
    fromRegistered.push(stagedAt - Date.parse(user.registeredAt));
  });
  const first202 = Math.min(...acceptedAt.values());
  const seconds = (lastStaged - first202) / 1000;
  return {
    registrations: ids.length,
    // From the 202s themselves: autocannon's own duration for an `amount` run ends on a whole-second tick.
    postedPerSecond: Math.round(
      ids.length / ((Math.max(...acceptedAt.values()) - Math.min(...acceptedAt.values())) / 1000),
    ),
    perSecond: Math.round(ids.length / seconds),
    seconds: round(seconds, 2),
    latencyMs: summarize(latencies),
    registeredToStagedMs: summarize(fromRegistered),
    segmentsMs: {
      registeredToIndexed: summarize(seg.registeredToIndexed),
      indexedToQueued: summarize(seg.indexedToQueued),
      queuedToStaged: summarize(seg.queuedToStaged),
    },
    ...(opts.rate ? { targetRate: opts.rate } : {}),
    connections: opts.connections,
    load1: load,
    ids,
  };
}

/**
 * Each accepted registration's staged JSON. The queue's size says "about done"; this waits for every
 * one of these ids, since other registrations (an earlier backlog) may be counted in the size too.
 */
async function stagedUsers(redis: RedisClientType, ids: string[], stallMs: number): Promise<string[]> {
  const found = new Array<string | null>(ids.length).fill(null);
  let missing = ids.map((_, i) => i);
  let lastProgress = Date.now();
  while (missing.length > 0) {
    const rows = await Promise.all(missing.map((i) => redis.hGet(`regflow:user:${ids[i]}`, 'json')));
    const still: number[] = [];
    rows.forEach((json, k) => {
      if (json) found[missing[k]!] = json;
      else still.push(missing[k]!);
    });
    if (still.length < missing.length) lastProgress = Date.now();
    else if (Date.now() - lastProgress > stallMs)
      throw new Error(
        `${still.length} accepted registrations were not staged within ${stallMs / 1000} s (e.g. ${ids[still[0]!]})`,
      );
    missing = still;
    if (missing.length > 0) await new Promise((r) => setTimeout(r, 50));
  }
  return found as string[];
}

/** How many POST /users the access API answered 202, from its own /metrics (in-flight requests at the end of a load run count too). */
export async function acceptedCount(accessUrl: string): Promise<number> {
  const text = await (await fetch(`${accessUrl}/metrics`)).text();
  const line = text
    .split('\n')
    .find(
      (l) =>
        l.startsWith('http_requests_total{') &&
        l.includes('method="POST"') &&
        l.includes('route="/users"') &&
        l.includes('status="202"'),
    );
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}

export async function signIn(
  consumerUrl: string,
  account: { email: string; password: string },
): Promise<{ cookie: string; csrf: string }> {
  const res = await fetch(`${consumerUrl}/admin/session`, {
    method: 'POST',
    headers: JSON_HEADERS,
    body: JSON.stringify(account),
  });
  if (res.status !== 200) throw new Error(`admin sign-in: ${res.status} ${await res.text()}`);
  const { csrfToken } = (await res.json()) as { csrfToken: string };
  return { cookie: (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '', csrf: csrfToken };
}

/** Approvals through the admin API (session cookie + CSRF header), `connections` at a time. */
export async function approvals(opts: {
  consumerUrl: string;
  account: { email: string; password: string };
  ids: string[];
  connections: number;
  rawPerSecond: number;
}) {
  const session = await signIn(opts.consumerUrl, opts.account);
  let next = 0;
  let failures = 0;
  const firstFailure: string[] = [];
  const load = load1();
  const started = performance.now();
  let lastAnswer = started;
  const result = await cannon({
    url: opts.consumerUrl,
    connections: opts.connections,
    amount: opts.ids.length,
    requests: [
      {
        method: 'POST',
        headers: { cookie: session.cookie, 'x-csrf-token': session.csrf },
        setupRequest: (req) => ({ ...req, path: `/admin/users/${opts.ids[next++ % opts.ids.length]}/approve` }),
        onResponse: (status, body) => {
          lastAnswer = performance.now();
          if (status !== 200) {
            failures++;
            if (firstFailure.length === 0) firstFailure.push(`${status} ${body.slice(0, 200)}`);
          }
        },
      },
    ],
  });
  const figure = summarizeCannon(result);
  if (failures || figure.errors || figure.timeouts)
    throw new Error(`approvals: ${failures} non-200 answers (${firstFailure[0] ?? ''}), ${figure.errors} errors`);
  // From the answers themselves: autocannon's duration for an `amount` run ends on a whole-second tick.
  const seconds = (lastAnswer - started) / 1000;
  const perSecond = Math.round(opts.ids.length / seconds);
  return {
    ...figure,
    seconds: round(seconds, 2),
    perSecond,
    connections: opts.connections,
    ratioToRawPostgres: ratio(perSecond, opts.rawPerSecond),
    load1: load,
  };
}
