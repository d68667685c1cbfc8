import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import pg from 'pg';
import { createClient } from 'redis';
import { createKafka, type Kafka } from '@regflow/common/kafka';
import { REGISTRATION_STATUSES, TOPICS, createLogger, newId } from '@regflow/common';
import { eventually, signIn, startServices } from '../support/services';
import {
  clearThrottle,
  createTestAdmin,
  deleteTestAdmins,
  expectProblem,
  fromFetch,
  percentEncode,
  rawRequest,
  requestHead,
  testAddress,
  type RawResponse,
} from './support';

/**
 * Property-based fuzzing of every public and admin entry point with generated hostile requests. Each
 * generator knows whether what it builds is valid, so every answer is checked against an exact
 * expectation: a refusal is a 4xx problem+json, never a 5xx, and nothing invalid is published or stored.
 */

type Services = Awaited<ReturnType<typeof startServices>>;

/** What free text (a note, a reason) may hold: no control characters but tab and line breaks, no unpaired surrogates. */
const PLAIN_TEXT = /^(?:[^\p{Cc}\p{Cs}]|[\t\n\r])*$/u;

/** Cases per endpoint; bounded so the file stays well under 90 s on two cores. */
const RUNS = Number(process.env.FUZZ_RUNS ?? 1500);
const stats = { cases: 0, serverErrors: 0 };
const serverErrorSamples: string[] = [];

// ---------------------------------------------------------------------------------------------------
// Generators
// ---------------------------------------------------------------------------------------------------

const HOSTILE = [
  "' OR '1'='1",
  "'; DROP TABLE approved_users; --",
  '1; SELECT pg_sleep(10)--',
  '" OR ""="',
  "admin'--",
  'UNION SELECT password_hash FROM admins',
  '{"match_all":{}}',
  '{"query":{"match_all":{}}}',
  '{"script":{"source":"Math.random()"}}',
  '*',
  '* OR status:approved',
  'name:* AND _exists_:email',
  '/.*/',
  '\\',
  '{"$ne":null}',
  '$where',
  '${jndi:ldap://127.0.0.1/x}',
  '{{7*7}}',
  '<script>alert(1)</script>',
  '../../../../etc/passwd',
  '%00',
  '\u0000',
  'a\r\nSet-Cookie: pwned=1',
  '\r\n\r\n',
  '\uFEFF',
  '\u202Egnp.exe',
  'раураl@example.com',
  'ＡＤＭＩＮ',
  'ﷺ',
  '\uD800',
  '\uDFFF\uD800',
  '😀'.repeat(60),
  '__proto__',
  'constructor',
  'prototype',
  '1e309',
  '-0',
  '9007199254740993',
  'NaN',
  'null',
  'true',
  'A'.repeat(20_000),
];

const hostileString = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...HOSTILE) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom(...HOSTILE), fc.string({ maxLength: 10 }), fc.constantFrom(...HOSTILE))
      .map((p) => p.join('')),
  },
);

const hugeNumberText = fc.constantFrom(
  '1e309',
  '-1e309',
  '123456789012345678901234567890123456789',
  `1${'0'.repeat(400)}`,
  `0.${'0'.repeat(400)}1`,
  '-0',
  '1e-400',
  '9007199254740993',
);
const deepText = fc
  .tuple(fc.integer({ min: 50, max: 3000 }), fc.boolean())
  .map(([depth, arrays]) =>
    arrays ? `${'['.repeat(depth)}${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}null${'}'.repeat(depth)}`,
  );
/** Any JSON value except a string, as text. */
const nonStringText = fc.oneof(
  fc.integer().map(String),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => JSON.stringify(n)),
  fc.constantFrom(
    'true',
    'false',
    'null',
    '[]',
    '{}',
    '[""]',
    '{"__proto__":{"isAdmin":true}}',
    '{"constructor":{"prototype":{"x":1}}}',
  ),
  hugeNumberText,
  deepText,
  fc.array(hostileString, { maxLength: 3 }).map((a) => JSON.stringify(a)),
);
const anyJsonText = fc.oneof(
  nonStringText,
  hostileString.map((s) => JSON.stringify(s)),
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
);

const objectText = (entries: Array<[string, string]>) =>
  `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`;
const s = (value: string) => JSON.stringify(value);

// ---------------------------------------------------------------------------------------------------
// POST /users
// ---------------------------------------------------------------------------------------------------

interface HttpCase {
  kind: string;
  method: string;
  path: string;
  headers: Array<[string, string]>;
  body?: Buffer;
  /** Sent over a bare socket: the headers or path hold bytes fetch refuses to send. */
  raw?: boolean;
}

const REGISTRATION_FIELDS = new Set(['name', 'email', 'cpf', 'phone', 'note']);
const baseRegistration = (): Array<[string, string]> => [
  ['name', s('Maria Fuzz')],
  ['email', s('maria.fuzz@example.com')],
];
const FORBIDDEN_IN_NAME = [';', '1', '<', '@', '{', '*', '=', '\u0000', '%', '$', '/', '\\', '#', '(', ')', '_', '\n'];

const badFieldValue: Record<string, fc.Arbitrary<string>> = {
  name: fc.oneof(
    nonStringText,
    fc.constantFrom(s(''), s('   '), s('\u0000'), s('\u200B')),
    fc.tuple(hostileString, fc.constantFrom(...FORBIDDEN_IN_NAME), hostileString).map((p) => s(p.join(''))),
    fc.integer({ min: 121, max: 2000 }).map((n) => s('á'.repeat(n))),
  ),
  email: fc.oneof(
    nonStringText,
    fc.tuple(hostileString, hostileString).map(([a, b]) => s(`${a} ;${b}@example.com`)),
    fc.constantFrom(
      s('plainaddress'),
      s('@example.com'),
      s('a@'),
      s('a@b'),
      s('a@@b.com'),
      s('a@b..com'),
      s(`${'a'.repeat(250)}@example.com`),
      s('a@example.com\u0000'),
    ),
  ),
  cpf: fc.oneof(
    nonStringText,
    hostileString.map((h) => s(`${h}x`)),
    fc.constantFrom(
      s('529.982.247-26'),
      s('111.111.111-11'),
      s('5299822472'),
      s('529.982.247-255'),
      s(''),
      s("529982247-25' OR 1=1"),
    ),
  ),
  phone: fc.oneof(
    nonStringText,
    hostileString.map((h) => s(`${h}x`)),
    fc.constantFrom(s('+0123456789'), s('12345'), s('+1'), s(''), s('+55 11 9876-5432; DROP')),
  ),
  note: fc.oneof(
    nonStringText,
    fc.tuple(fc.integer({ min: 501, max: 3000 }), hostileString).map(([n, h]) => s(`${'n'.repeat(n)}${h}`)),
    // Control characters and unpaired surrogates could not be stored in Postgres once decided.
    // The 'x' on each side keeps a lone surrogate lone: next to a generated surrogate it could
    // otherwise form a valid pair (\uD800\uDC00 is U+10000), which the service rightly accepts.
    fc
      .tuple(
        hostileString,
        fc.constantFrom('\u0000', '\u001b[31m', '\u0007', '\uD800', '\uDC00', '\u007f'),
        hostileString,
      )
      .map(([a, bad, b]) => s(`note ${a}x${bad}x${b}`)),
  ),
};

const invalidRegistrationBody: fc.Arbitrary<{ why: string; text: string }> = fc.oneof(
  fc.constantFrom(...Object.keys(badFieldValue)).chain((field) =>
    badFieldValue[field]!.map((value) => ({
      why: `bad ${field}`,
      text: objectText([...baseRegistration().filter(([k]) => k !== field), [field, value]]),
    })),
  ),
  fc
    .tuple(
      fc.oneof(
        fc.constantFrom(
          '__proto__',
          'constructor',
          'prototype',
          'isAdmin',
          'status',
          'id',
          'registeredAt',
          '$where',
          '$ne',
          'toString',
          'Name',
          'EMAIL',
          'name ',
          'e\u0000mail',
        ),
        hostileString,
      ),
      anyJsonText,
    )
    .filter(([key]) => !REGISTRATION_FIELDS.has(key))
    .map(([key, value]) => ({ why: 'unknown field', text: objectText([...baseRegistration(), [key, value]]) })),
  fc.constantFrom('name', 'email').map((missing) => ({
    why: `missing ${missing}`,
    text: objectText(baseRegistration().filter(([k]) => k !== missing)),
  })),
  anyJsonText.map((text) => ({ why: 'not a registration', text })),
  fc
    .integer({ min: 1, max: 40 })
    .map((cut) => ({ why: 'truncated JSON', text: objectText(baseRegistration()).slice(0, cut) })),
  fc
    .constantFrom(
      "{'name':'Maria','email':'m@example.com'}",
      '{"name":"Maria","email":"m@example.com",}',
      '{"name":NaN,"email":"m@example.com"}',
      '{"name":"Maria","email":"m@example.com"} trailing',
      '{"name":"Maria"}{"email":"m@example.com"}',
      '/* comment */{"name":"Maria","email":"m@example.com"}',
      '',
      ' ',
      '\u0000',
    )
    .map((text) => ({ why: 'malformed JSON', text })),
);

/** Invalid UTF-8 inside the name: it decodes to U+FFFD, which is not a letter, so the name is refused. */
const invalidUtf8Body = fc
  .constantFrom(
    [0xff],
    [0xc0, 0x80],
    [0xed, 0xa0, 0x80],
    [0xf8, 0x88, 0x80, 0x80, 0x80],
    [0xe2, 0x82],
    [0xfe, 0xfe, 0xff],
  )
  .map((bytes) =>
    Buffer.concat([
      Buffer.from('{"name":"Ma'),
      Buffer.from(bytes),
      Buffer.from('ria","email":"maria.fuzz@example.com"}'),
    ]),
  );

const JSON_TYPE: [string, string] = ['content-type', 'application/json'];

const invalidPostUsers: fc.Arbitrary<HttpCase> = fc.oneof(
  {
    weight: 10,
    arbitrary: invalidRegistrationBody.map(({ why, text }) => ({
      kind: why,
      method: 'POST',
      path: '/users',
      headers: [JSON_TYPE],
      body: Buffer.from(text),
    })),
  },
  {
    weight: 1,
    arbitrary: invalidUtf8Body.map((body) => ({
      kind: 'invalid UTF-8',
      method: 'POST',
      path: '/users',
      headers: [JSON_TYPE],
      body,
    })),
  },
  {
    weight: 2,
    // A valid registration with the wrong media type is still refused: only application/json is read.
    arbitrary: fc
      .constantFrom(
        'text/plain',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
        'application/xml',
        'application/jsonx',
        'application/json-patch+json',
        '',
      )
      .map((type) => ({
        kind: 'wrong content type',
        method: 'POST',
        path: '/users',
        headers: type ? ([['content-type', type]] as Array<[string, string]>) : [],
        body: Buffer.from(objectText(baseRegistration())),
      })),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom('gzip', 'deflate', 'br', 'x-unknown', 'gzip, gzip').map((encoding) => ({
      kind: 'bogus content encoding',
      method: 'POST',
      path: '/users',
      headers: [JSON_TYPE, ['content-encoding', encoding]] as Array<[string, string]>,
      body: Buffer.from(objectText(baseRegistration())),
    })),
  },
  {
    weight: 1,
    arbitrary: fc.integer({ min: 16_400, max: 200_000 }).map((n) => ({
      kind: 'oversized',
      method: 'POST',
      path: '/users',
      headers: [JSON_TYPE],
      body: Buffer.from(objectText([...baseRegistration(), ['note', s('n'.repeat(n))]])),
    })),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(
        fc.constantFrom<Array<[string, string]>>(
          [['x-correlation-id', 'abc\r\nset-cookie: pwned=1']],
          [['x-correlation-id', 'a\rb']],
          [['x-correlation-id', 'a\u0000b']],
          [['x-correlation-id', '<script>\r\nx-injected: 1']],
          [['x-forwarded-for', "'; DROP TABLE admins; --"]],
          [['cookie', 'regflow_session=\u0000\r\n']],
          [['x-long', 'a'.repeat(20_000)]],
          [['x y', '1']],
          [['content-length', '5']],
          [['transfer-encoding', 'chunked']],
        ),
        invalidRegistrationBody,
      )
      .map(([headers, { text }]) => ({
        kind: 'hostile headers',
        method: 'POST',
        path: '/users',
        headers: [JSON_TYPE, ...headers],
        body: Buffer.from(text),
        raw: true,
      })),
  },
);

// ---------------------------------------------------------------------------------------------------
// GET /users/:id
// ---------------------------------------------------------------------------------------------------

const hostileId = fc.oneof(
  hostileString.map((h) => ({ path: percentEncode(h), raw: false })),
  fc
    .constantFrom(
      '%FF',
      '%E0%A4%A',
      '%',
      '%%',
      '%C0%80',
      '%ED%A0%80',
      '..%2F..%2Fetc%2Fpasswd',
      '%2e%2e',
      '%00',
      'a%0d%0aSet-Cookie:%20x=1',
    )
    .map((path) => ({ path, raw: false })),
  fc.constantFrom('\xff\xfe', 'caf\xe9', '\u0000').map((path) => ({ path, raw: true })),
  fc.uuid().map((u) => ({ path: u.toUpperCase().replace(/-/g, ''), raw: false })),
);

// ---------------------------------------------------------------------------------------------------
// GET /users/search
// ---------------------------------------------------------------------------------------------------

const STATUSES = REGISTRATION_STATUSES;
interface SearchCase {
  query: string;
  valid: boolean;
  why: string;
}

/** Malformed percent-escapes, sent as they are (not encoded) to test the service's decoding. */
const RAW_Q = ['%FF%FE', '%E0%A4%A', '%', '%%41'];

const validSearchParams = fc
  .record(
    {
      q: fc.oneof(
        hostileString.filter((h) => h.length <= 200),
        fc.constantFrom(...RAW_Q),
      ),
      status: fc.constantFrom(...STATUSES),
      size: fc.integer({ min: 1, max: 100 }),
    },
    { requiredKeys: [] },
  )
  .chain((p) =>
    fc.option(fc.integer({ min: 0, max: 10_000 - (p.size ?? 20) }), { nil: undefined }).map((from) => ({ ...p, from })),
  );

const encodeQuery = (params: Array<[string, string]>, rawQ?: string) =>
  params.map(([k, v]) => `${percentEncode(k)}=${k === 'q' && rawQ !== undefined ? rawQ : percentEncode(v)}`).join('&');

const searchCase: fc.Arbitrary<SearchCase> = fc.oneof(
  {
    weight: 3,
    arbitrary: validSearchParams.map((p) => {
      // Only the deliberate raw values: a hostile string that merely starts with % may hold & or =.
      const rawQ = p.q !== undefined && RAW_Q.includes(p.q) ? p.q : undefined;
      const params = Object.entries(p)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, String(v)] as [string, string]);
      return { query: encodeQuery(params, rawQ), valid: true, why: 'valid' };
    }),
  },
  {
    weight: 5,
    arbitrary: fc
      .tuple(
        validSearchParams,
        fc.oneof(
          fc
            .tuple(
              fc.oneof(
                fc.constantFrom('q[]', 'q[$ne]', '__proto__', 'constructor', 'query', 'sort', '_source', 'Q', 'size '),
                hostileString,
              ),
              hostileString,
            )
            .filter(([k]) => !['q', 'status', 'from', 'size'].includes(k))
            .map(([k, v]) => ({ why: 'unknown parameter', extra: [[k, v]] as Array<[string, string]>, drop: '' })),
          hostileString.map((v) => ({
            why: 'repeated q',
            extra: [
              ['q', v],
              ['q', v],
            ] as Array<[string, string]>,
            drop: 'q',
          })),
          fc
            .integer({ min: 201, max: 3000 })
            .map((n) => ({ why: 'long q', extra: [['q', 'q'.repeat(n)]] as Array<[string, string]>, drop: 'q' })),
          hostileString
            .filter((v) => !(STATUSES as readonly string[]).includes(v))
            .map((v) => ({ why: 'bad status', extra: [['status', v]] as Array<[string, string]>, drop: 'status' })),
          fc
            .constantFrom(
              '-1',
              '10001',
              '1.5',
              'abc',
              '1e400',
              'NaN',
              'Infinity',
              '-Infinity',
              '99999999999999999999',
              '1 OR 1=1',
            )
            .map((v) => ({ why: 'bad from', extra: [['from', v]] as Array<[string, string]>, drop: 'from' })),
          fc
            .constantFrom('0', '101', '-5', '2.5', 'x', '1e400', 'NaN', '1000000')
            .map((v) => ({ why: 'bad size', extra: [['size', v]] as Array<[string, string]>, drop: 'size' })),
          fc.integer({ min: 1, max: 100 }).map((size) => ({
            why: 'window past 10000',
            extra: [
              ['from', String(10_001 - size)],
              ['size', String(size)],
            ] as Array<[string, string]>,
            drop: 'from,size',
          })),
        ),
      )
      .map(([p, bad]) => {
        const keep = Object.entries(p)
          .filter(
            ([k, v]) =>
              v !== undefined && !bad.drop.split(',').includes(k) && !(k === 'q' && RAW_Q.includes(String(v))),
          )
          .map(([k, v]) => [k, String(v)] as [string, string]);
        return { query: encodeQuery([...keep, ...bad.extra]), valid: false, why: bad.why };
      }),
  },
);

// ---------------------------------------------------------------------------------------------------
// Admin API
// ---------------------------------------------------------------------------------------------------

const signInCase = fc.oneof(
  {
    weight: 4,
    // The right shape with a wrong account: 401, or 429 once this address is throttled.
    arbitrary: fc
      .tuple(
        hostileString.filter((e) => e.length <= 320 && /^\P{Cc}*$/u.test(e)),
        hostileString.filter((p) => p.length >= 1 && p.length <= 1024),
      )
      .map(([email, password]) => ({
        why: 'wrong credentials',
        text: objectText([
          ['email', s(email)],
          ['password', s(password)],
        ]),
        shapeOk: true,
      })),
  },
  {
    weight: 6,
    arbitrary: fc
      .oneof(
        nonStringText.map((v) =>
          objectText([
            ['email', v],
            ['password', s('x')],
          ]),
        ),
        nonStringText.map((v) =>
          objectText([
            ['email', s('a@b.c')],
            ['password', v],
          ]),
        ),
        fc.constant(
          objectText([
            ['email', s('a@b.c')],
            ['password', s('')],
          ]),
        ),
        fc.tuple(hostileString, fc.constantFrom('\u0000', '\r\n', '\u001b', '\t')).map(([e, c]) =>
          objectText([
            ['email', s(`${e}${c}@b.c`)],
            ['password', s('x')],
          ]),
        ),
        fc.constant(
          objectText([
            ['email', s(`${'a'.repeat(321)}`)],
            ['password', s('x')],
          ]),
        ),
        fc.constant(
          objectText([
            ['email', s('a@b.c')],
            ['password', s('p'.repeat(1025))],
          ]),
        ),
        fc
          .tuple(fc.constantFrom('__proto__', 'constructor', 'isAdmin', 'role', 'sessionId'), anyJsonText)
          .map(([k, v]) =>
            objectText([
              ['email', s('a@b.c')],
              ['password', s('x')],
              [k, v],
            ]),
          ),
        anyJsonText.filter((t) => !t.startsWith('{')),
        fc.integer({ min: 1, max: 30 }).map((cut) =>
          objectText([
            ['email', s('a@b.c')],
            ['password', s('x')],
          ]).slice(0, cut),
        ),
        fc.integer({ min: 4100, max: 50_000 }).map((n) =>
          objectText([
            ['email', s('a@b.c')],
            ['password', s('p'.repeat(n))],
          ]),
        ),
      )
      .map((text) => ({ why: 'malformed', text, shapeOk: false })),
  },
);

type Auth = 'none' | 'forged' | 'no-csrf' | 'wrong-csrf' | 'ok';
const forgedCookie = fc.oneof(
  fc
    .base64String({ minLength: 44, maxLength: 44 })
    .map((b) => b.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '').slice(0, 43).padEnd(43, 'A')),
  hostileString.filter((h) => h.length <= 200).map((h) => percentEncode(h)),
  fc.constantFrom('', 'null', 'undefined', '../../', '*', 'regflow:session:*'),
);

const decisionIdPath = fc.oneof(
  { weight: 2, arbitrary: fc.uuid().map((u) => ({ id: u, valid: true })) },
  { weight: 3, arbitrary: hostileId.filter((h) => !h.raw).map((h) => ({ id: h.path, valid: false })) },
);

const reasonBody = fc.oneof(
  fc.constant<string | undefined>(undefined),
  hostileString.filter((r) => r.trim().length <= 500).map((r) => objectText([['reason', s(r)]])),
  invalidRegistrationBody.map((b) => b.text),
);

const decisionsBody = fc.oneof(
  fc
    .tuple(
      fc.array(fc.uuid(), { minLength: 1, maxLength: 20 }),
      fc.constantFrom('approved', 'rejected'),
      fc.option(
        hostileString.filter((r) => r.trim().length <= 500),
        { nil: undefined },
      ),
    )
    .map(([ids, outcome, reason]) =>
      objectText([
        ['ids', JSON.stringify(ids)],
        ['outcome', s(outcome)],
        ...(reason === undefined ? [] : ([['reason', s(reason)]] as Array<[string, string]>)),
      ]),
    ),
  fc.tuple(fc.array(hostileString, { maxLength: 5 }), hostileString).map(([ids, outcome]) =>
    objectText([
      ['ids', JSON.stringify(ids)],
      ['outcome', s(outcome)],
    ]),
  ),
  fc.constant(
    objectText([
      ['ids', JSON.stringify(Array.from({ length: 201 }, () => newId()))],
      ['outcome', s('approved')],
    ]),
  ),
  anyJsonText,
);

const adminCase = fc.record({
  auth: fc.constantFrom<Auth>('none', 'forged', 'no-csrf', 'wrong-csrf', 'ok', 'ok', 'ok'),
  forged: forgedCookie,
  route: fc.oneof(
    fc
      .tuple(decisionIdPath, fc.constantFrom('approve', 'reject'), reasonBody)
      .map(([id, action, body]) => ({ path: `/admin/users/${id.id}/${action}`, body, idValid: id.valid })),
    decisionsBody.map((body) => ({ path: '/admin/decisions', body, idValid: true })),
  ),
});

// ---------------------------------------------------------------------------------------------------

describe('hostile input, fuzzed, on the real servers', () => {
  let sys: Services;
  let db: pg.Client;
  let redis: ReturnType<typeof createClient>;
  let kafka: Kafka;
  let session: Record<string, string>;
  let fuzzAdmin: { email: string; password: string };
  const fuzzAddress = testAddress();
  const signInEmails = new Set<string>();
  const accepted: Array<{ id: string; name: string; email: string; note?: string }> = [];

  const highWatermark = async (topic: string) => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const offsets = await admin.fetchTopicOffsets(topic).catch(() => []);
      return offsets.reduce((sum, p) => sum + Number(p.high), 0);
    } finally {
      await admin.disconnect();
    }
  };
  const counts = async () => {
    const res = await db.query<{ decisions: string; approved: string; outbox: string }>(
      'select (select count(*) from decisions) as decisions, (select count(*) from approved_users) as approved, (select count(*) from outbox) as outbox',
    );
    return res.rows[0]!;
  };

  /** Sends one case and counts it; a 5xx is remembered before any assertion can stop the run. */
  const send = async (base: string, c: HttpCase): Promise<RawResponse> => {
    const res = c.raw
      ? await rawRequest(base, requestHead(c.method, c.path, c.headers, c.body?.length ?? 0), c.body)
      : await fromFetch(
          await fetch(`${base}${c.path}`, { method: c.method, headers: c.headers, body: c.body, redirect: 'manual' }),
        );
    stats.cases += 1;
    if (res.status >= 500) {
      stats.serverErrors += 1;
      if (serverErrorSamples.length < 10)
        serverErrorSamples.push(`${c.method} ${c.path} [${c.kind}] -> ${res.status} ${res.body.slice(0, 200)}`);
    }
    return res;
  };

  beforeAll(async () => {
    sys = await startServices({ EMAIL_CONFIRMATION: 'off', TRUST_PROXY: 'true' });
    db = new pg.Client({ connectionString: sys.env.DATABASE_URL });
    await db.connect();
    redis = createClient({ url: sys.env.REDIS_URL });
    redis.on('error', () => {});
    await redis.connect();
    kafka = createKafka({
      clientId: 'test',
      brokers: sys.env.KAFKA_BROKERS.split(','),
      logger: createLogger('test', 'silent'),
    });
    fuzzAdmin = await createTestAdmin(sys.env.DATABASE_URL, 'fuzz');
    session = await signIn(sys.consumer.url, fuzzAdmin);
  });

  afterAll(async () => {
    console.log(`fuzz: ${stats.cases} cases, ${stats.serverErrors} server errors`);
    if (serverErrorSamples.length) console.log(`fuzz: server errors:\n${serverErrorSamples.join('\n')}`);
    // The hostile-but-valid registrations were real sign-ups: decide them so no later test finds them queued.
    if (sys && accepted.length) {
      await eventually(
        async () => {
          const res = await fetch(`${sys.consumer.url}/admin/decisions`, {
            method: 'POST',
            headers: { ...session, 'content-type': 'application/json' },
            body: JSON.stringify({ ids: accepted.map((a) => a.id), outcome: 'rejected', reason: 'fuzz test clean-up' }),
          });
          const { results } = (await res.json()) as { results: Array<{ ok: boolean; error?: { code: string } }> };
          return results.every((r) => r.ok || r.error?.code === 'REGISTRATION.ALREADY_DECIDED');
        },
        30_000,
        'the fuzz registrations to be staged and decided',
      ).catch((err: unknown) => console.warn(String(err)));
    }
    if (redis && fuzzAdmin) await clearThrottle(redis, [...signInEmails, fuzzAdmin.email], [fuzzAddress]);
    await sys?.stop();
    if (fuzzAdmin && sys) await deleteTestAdmins(sys.env.DATABASE_URL, [fuzzAdmin.email]);
    await db?.end();
    await redis?.close();
  });

  it('when hostile but valid sign-ups arrive (injection strings in the note, look-alike letters), then each is accepted as plain data, normalized', async () => {
    const LETTERS = [
      ...'abcdefghijklmnopqrstuvwxyzáéíóúçãõñ',
      ...'абвгдежзик',
      ...'αβγδεζ',
      ...'ＡＢＣＤａｂｃｄ',
      'ﬁ',
      'Å',
    ];
    const word = fc.string({ unit: fc.constantFrom(...LETTERS), minLength: 1, maxLength: 10 });
    const validSignUp = fc.record({
      name: fc.tuple(word, fc.constantFrom(' ', '-', "'", ' '), word).map(([a, sep, b]) => `  ${a}${sep}${b} `),
      fullwidthEmail: fc.boolean(),
      note: fc.option(
        hostileString.filter((n) => n.normalize('NFKC').trim().length <= 500 && PLAIN_TEXT.test(n)),
        { nil: undefined },
      ),
      phone: fc.option(
        fc.integer({ min: 1_000_000, max: 99_999_999 }).map((n) => `+55 (11) 9${n}`),
        { nil: undefined },
      ),
    });
    let n = 0;
    await fc.assert(
      fc.asyncProperty(validSignUp, async (v) => {
        n += 1;
        const local = `fuzz.${Date.now().toString(36)}.${n}`;
        // Full-width letters and the full-width full stop collapse to ASCII under NFKC.
        const email = v.fullwidthEmail ? `${local}@ｅｘａｍｐｌｅ．ｃｏｍ` : `${local.toUpperCase()}@Example.com`;
        const body = {
          name: v.name,
          email,
          ...(v.note === undefined ? {} : { note: v.note }),
          ...(v.phone === undefined ? {} : { phone: v.phone }),
        };
        const res = await send(sys.access.url, {
          kind: 'valid',
          method: 'POST',
          path: '/users',
          headers: [JSON_TYPE],
          body: Buffer.from(JSON.stringify(body)),
        });
        expect(res.status, res.body).toBe(202);
        const { id } = JSON.parse(res.body) as { id: string };
        accepted.push({
          id,
          name: v.name.normalize('NFKC').trim(),
          email: `${local}@example.com`.toLowerCase(),
          note: v.note?.normalize('NFKC').trim() || undefined,
        });
      }),
      { numRuns: 40 },
    );
    expect(accepted).toHaveLength(40);
  });

  it('when thousands of malformed, oversized, wrongly typed and hostile sign-ups arrive, then each is a 4xx problem+json and nothing is published', async () => {
    const before = await highWatermark(TOPICS.registrationRequested);
    await fc.assert(
      fc.asyncProperty(invalidPostUsers, async (c) => {
        const res = await send(sys.access.url, c);
        expectProblem(res, [400, 413, 415, 431]);
        expect(res.headers['x-injected']).toBeUndefined();
        expect(res.headers['set-cookie'] ?? '').not.toContain('pwned');
        if (res.headers['x-correlation-id'])
          expect(res.headers['x-correlation-id']).toMatch(/^[A-Za-z0-9._:-]{1,100}$/);
      }),
      { numRuns: RUNS },
    );
    // Every accepted event is acked before the 202; a publish from this phase would already show.
    expect(await highWatermark(TOPICS.registrationRequested)).toBe(before);
  });

  it('when GET /users/{id} gets thousands of hostile ids, then each is a 400 or 404 problem+json', async () => {
    await fc.assert(
      fc.asyncProperty(hostileId, async ({ path, raw }) => {
        const res = await send(sys.access.url, { kind: 'id', method: 'GET', path: `/users/${path}`, headers: [], raw });
        // No id at all asks for /users/, which takes POST only.
        expectProblem(res, path === '' ? [405] : [400, 404, 431]);
      }),
      { numRuns: RUNS },
    );
    const unknown = await send(sys.access.url, {
      kind: 'unknown id',
      method: 'GET',
      path: `/users/${newId()}`,
      headers: [],
    });
    expect(expectProblem(unknown, [404]).code).toBe('REGISTRATION.NOT_FOUND');
  });

  it('when the search gets thousands of hostile query strings, then valid ones answer 200 with results and invalid ones a 400 problem+json', async () => {
    await fc.assert(
      fc.asyncProperty(searchCase, async (c) => {
        const res = await send(sys.orchestrator.url, {
          kind: `search ${c.why}`,
          method: 'GET',
          path: `/users/search?${c.query}`,
          headers: [],
        });
        if (c.valid) {
          expect(res.status, `${c.query} -> ${res.body.slice(0, 300)}`).toBe(200);
          const body = JSON.parse(res.body) as { total: unknown; items: unknown };
          expect(typeof body.total).toBe('number');
          expect(Array.isArray(body.items)).toBe(true);
        } else {
          expect(expectProblem(res, [400, 431]).code).toMatch(/^REQUEST\.(INVALID|HEADERS_TOO_LARGE)$/);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('when the search text is query syntax or query DSL, then it is matched as plain words and never widens the search', async () => {
    const all = await eventually(
      async () => {
        const res = await fetch(`${sys.orchestrator.url}/users/search?size=1`);
        const body = (await res.json()) as { total: number };
        return body.total > 1 ? body.total : null;
      },
      30_000,
      'some indexed registrations',
    );
    // Pure syntax carries no words: read as plain text it matches nothing, read as a query it would match everything.
    for (const q of [
      '*',
      '?*',
      '*:*',
      '(*)',
      '.*',
      '+*',
      '{"match_all":{}}',
      '{"query":{"match_all":{}}}',
      '{"bool":{"should":[]}}',
    ]) {
      const res = await send(sys.orchestrator.url, {
        kind: 'dsl',
        method: 'GET',
        path: `/users/search?q=${percentEncode(q)}`,
        headers: [],
      });
      expect(res.status).toBe(200);
      expect((JSON.parse(res.body) as { total: number }).total, q).toBe(0);
    }
    // Field syntax is words too ("name", "email"), which may fuzzy-match a name, but never the whole index.
    for (const q of [
      'name:*',
      'email:*',
      '_exists_:email',
      'status:pending OR status:approved',
      '* OR *',
      'NOT nobody',
    ]) {
      const res = await send(sys.orchestrator.url, {
        kind: 'dsl',
        method: 'GET',
        path: `/users/search?q=${percentEncode(q)}`,
        headers: [],
      });
      expect(res.status).toBe(200);
      expect((JSON.parse(res.body) as { total: number }).total, q).toBeLessThan(all);
    }
  });

  it('when sign-in gets thousands of hostile bodies, then each is a 400, 401, 413, 415 or 429 problem+json, and the address is throttled', async () => {
    let throttled = 0;
    await fc.assert(
      fc.asyncProperty(signInCase, async (c) => {
        if (c.shapeOk) {
          const parsed = JSON.parse(c.text) as { email: string };
          signInEmails.add(parsed.email.normalize('NFKC').trim().toLowerCase());
        }
        const res = await send(sys.consumer.url, {
          kind: `sign-in ${c.why}`,
          method: 'POST',
          path: '/admin/session',
          headers: [JSON_TYPE, ['x-forwarded-for', fuzzAddress]],
          body: Buffer.from(c.text),
        });
        expectProblem(res, c.shapeOk ? [401, 429] : [400, 413]);
        expect(res.headers['set-cookie']).toBeUndefined();
        if (res.status === 429) {
          throttled += 1;
          expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
        }
      }),
      { numRuns: RUNS },
    );
    expect(throttled).toBeGreaterThan(0);
  });

  it('when approve, reject and batch decisions get thousands of hostile requests with and without a session, then none decides anything', async () => {
    const before = { rows: await counts(), decided: await highWatermark(TOPICS.registrationDecided) };
    await fc.assert(
      fc.asyncProperty(adminCase, async (c) => {
        const headers: Array<[string, string]> = [];
        if (c.auth === 'forged') headers.push(['cookie', `regflow_session=${c.forged}`]);
        if (c.auth !== 'none' && c.auth !== 'forged') headers.push(['cookie', session.cookie!]);
        if (c.auth === 'ok') headers.push(['x-csrf-token', session['x-csrf-token']!]);
        if (c.auth === 'wrong-csrf') headers.push(['x-csrf-token', `${session['x-csrf-token']!.slice(0, -1)}A`]);
        if (c.route.body !== undefined) headers.push(JSON_TYPE);
        const res = await send(sys.consumer.url, {
          kind: `admin ${c.auth}`,
          method: 'POST',
          path: c.route.path,
          headers,
          body: c.route.body === undefined ? undefined : Buffer.from(c.route.body),
        });
        // Node refuses a request line over 16 KiB before any route (or session check) sees it.
        if (res.status === 431) return void expect(c.route.path.length).toBeGreaterThan(8000);
        if (c.auth === 'none' || c.auth === 'forged')
          return void expect(expectProblem(res, [401]).code).toBe('AUTH.REQUIRED');
        if (c.auth !== 'ok') return void expect(expectProblem(res, [403]).code).toBe('AUTH.CSRF');
        if (res.status === 200) {
          // Only a well-formed batch of UUIDs gets here, and none of them is a pending registration.
          const { results } = JSON.parse(res.body) as { results: Array<{ ok: boolean; error: { code: string } }> };
          expect(c.route.path).toBe('/admin/decisions');
          expect(results.every((r) => !r.ok && r.error.code === 'REGISTRATION.NOT_FOUND')).toBe(true);
          return;
        }
        // A reject body is read before the id is checked, so a bad id with a bad body can answer for the body.
        expectProblem(res, c.route.idValid ? [400, 404, 413, 415] : [400, 404, 413, 415, 431]);
      }),
      { numRuns: RUNS },
    );
    expect(await counts()).toEqual(before.rows);
    expect(await highWatermark(TOPICS.registrationDecided)).toBe(before.decided);
  });

  it('when the admin reads (pending page, search) get hostile query strings with a session, then each is a 200 or a 400 problem+json', async () => {
    const param = fc.oneof(
      fc.tuple(
        fc.constantFrom('limit', 'cursor', 'q', 'status', 'from', 'size'),
        fc.oneof(hostileString, fc.integer().map(String), fc.constantFrom('9990', '10000', '100', '0', '-1', '1e400')),
      ),
      fc.tuple(hostileString, hostileString),
    );
    const read = fc.tuple(fc.constantFrom('/admin/pending', '/admin/search'), fc.array(param, { maxLength: 4 }));
    await fc.assert(
      fc.asyncProperty(read, async ([path, params]) => {
        const query = params.map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`).join('&');
        const res = await send(sys.consumer.url, {
          kind: 'admin read',
          method: 'GET',
          path: `${path}?${query}`,
          headers: [['cookie', session.cookie!]],
        });
        if (res.status !== 200) expectProblem(res, [400, 431]);
      }),
      { numRuns: Math.ceil(RUNS / 3) },
    );
  });

  it('when the fuzzing is over, then every service is still up and the hostile but valid sign-ups are staged as plain data', async () => {
    for (const url of [sys.access.url, sys.orchestrator.url, sys.consumer.url]) {
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      expect((await fetch(`${url}/readyz`)).status).toBe(200);
    }
    const staged = await eventually(
      async () => {
        const found = await Promise.all(
          accepted.map(async (a) => {
            const res = await fetch(`${sys.consumer.url}/admin/users/${a.id}`, { headers: session });
            if (res.status !== 200) return null;
            const detail = (await res.json()) as {
              registration: Record<string, unknown>;
              timeline: { stagedAt?: string };
            };
            return detail.timeline.stagedAt ? detail.registration : null;
          }),
        );
        return found.every(Boolean) ? (found as Array<Record<string, unknown>>) : null;
      },
      60_000,
      'the hostile but valid sign-ups to be staged',
    );
    staged.forEach((registration, i) => {
      expect(registration, JSON.stringify(registration)).toMatchObject({
        id: accepted[i]!.id,
        name: accepted[i]!.name,
        email: accepted[i]!.email,
      });
      expect(registration.note).toBe(accepted[i]!.note);
    });
    // A reason Postgres could not store is refused up front, and the registration stays pending.
    const target = accepted[0]!.id;
    for (const reason of ['\u0000', 'dup\uD800']) {
      const single = await send(sys.consumer.url, {
        kind: 'reason',
        method: 'POST',
        path: `/admin/users/${target}/reject`,
        headers: [['cookie', session.cookie!], ['x-csrf-token', session['x-csrf-token']!], JSON_TYPE],
        body: Buffer.from(JSON.stringify({ reason })),
      });
      expect(expectProblem(single, [400]).code).toBe('REQUEST.INVALID');
      const batch = await send(sys.consumer.url, {
        kind: 'reason',
        method: 'POST',
        path: '/admin/decisions',
        headers: [['cookie', session.cookie!], ['x-csrf-token', session['x-csrf-token']!], JSON_TYPE],
        body: Buffer.from(JSON.stringify({ ids: [target], outcome: 'rejected', reason })),
      });
      expect(expectProblem(batch, [400]).code).toBe('REQUEST.INVALID');
    }
    const detail = (await (await fetch(`${sys.consumer.url}/admin/users/${target}`, { headers: session })).json()) as {
      status: string;
    };
    expect(detail.status).toBe('pending');
  });

  it('when the fuzzing is done, then it tried the full count on every endpoint and saw no server error', () => {
    expect(stats.cases).toBeGreaterThanOrEqual(RUNS * 5);
    expect(serverErrorSamples).toEqual([]);
  });
});
