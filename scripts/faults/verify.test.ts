import { describe, expect, it } from 'vitest';
import { Ledger } from './ledger';
import { acceptedDuringOutages } from './report';
import { assess, classify, type StoreView } from './verify';

const A = '01900000-0000-7000-8000-00000000000a';
const B = '01900000-0000-7000-8000-00000000000b';

function view(overrides: Partial<StoreView> = {}): StoreView {
  return {
    decisions: new Map(),
    approvedRows: new Map(),
    redisPending: new Set(),
    redisHashes: new Set(),
    search: new Map(),
    outboxUnpublished: 0,
    deadLettered: new Map(),
    deadLetterSourcesUnreadable: [],
    approvedEmailTwice: [],
    approvedCpfTwice: [],
    ...overrides,
  };
}

const approvedEverywhere = () =>
  view({
    decisions: new Map([[A, { outcome: 'approved', rows: 1 }]]),
    approvedRows: new Map([[A, 1]]),
    search: new Map([[A, 'approved']]),
  });

function ledgerWith(...signUps: Array<{ id: string; email: string; cpf?: string }>): Ledger {
  const ledger = new Ledger();
  signUps.forEach((s, i) =>
    ledger.signUps.push({ seq: i + 1, kind: 'fresh', startedAt: 0, endedAt: 1, status: 202, ...s }),
  );
  return ledger;
}

describe('the final-place rules', () => {
  it('when Postgres, Redis and search all say approved once, then the registration is approved', () => {
    expect(classify(A, approvedEverywhere())).toMatchObject({ category: 'approved', problems: [] });
  });

  it('when an approved registration is still in the Redis review queue, then it is mismatched', () => {
    const v = approvedEverywhere();
    v.redisPending.add(A);
    v.redisHashes.add(A);
    expect(classify(A, v).category).toBe('mismatched');
  });

  it('when Postgres says approved but search still says pending, then it is mismatched', () => {
    const v = approvedEverywhere();
    v.search.set(A, 'pending');
    expect(classify(A, v)).toMatchObject({
      category: 'mismatched',
      problems: ['decided approved but search says pending'],
    });
  });

  it('when a rejected registration has an approved_users row, then it is mismatched', () => {
    const v = view({
      decisions: new Map([[A, { outcome: 'rejected', rows: 1 }]]),
      approvedRows: new Map([[A, 1]]),
      search: new Map([[A, 'rejected']]),
    });
    expect(classify(A, v).category).toBe('mismatched');
  });

  it('when an accepted registration is in no store and no dead-letter store, then it is lost', () => {
    expect(classify(A, view({ search: new Map([[A, null]]) })).category).toBe('lost');
    expect(classify(A, view({ search: new Map([[A, 'pending']]) })).category).toBe('lost');
  });

  it('when it is only in a dead-letter store, then it is dead-lettered, not lost', () => {
    const v = view({ search: new Map([[A, 'pending']]), deadLettered: new Map([[A, new Set(['kafka-dlq'])]]) });
    expect(classify(A, v).category).toBe('dead-lettered');
  });

  it('when search says duplicate and Redis and Postgres have nothing, then it is a refused duplicate', () => {
    expect(classify(A, view({ search: new Map([[A, 'duplicate']]) })).category).toBe('duplicate');
  });

  it('when Redis has the sorted-set entry but not the hash, then it is mismatched', () => {
    expect(classify(A, view({ redisPending: new Set([A]), search: new Map([[A, 'pending']]) })).category).toBe(
      'mismatched',
    );
  });

  it('when pending in Redis and in search, then it is pending', () => {
    expect(
      classify(A, view({ redisPending: new Set([A]), redisHashes: new Set([A]), search: new Map([[A, 'pending']]) }))
        .category,
    ).toBe('pending');
  });
});

describe('the checks across registrations', () => {
  it('when two registrations of one email are both live, then it counts as duplicated', () => {
    const v = view({
      decisions: new Map([[A, { outcome: 'approved', rows: 1 }]]),
      approvedRows: new Map([[A, 1]]),
      redisPending: new Set([B]),
      redisHashes: new Set([B]),
      search: new Map([
        [A, 'approved'],
        [B, 'pending'],
      ]),
    });
    const result = assess(
      [A, B],
      v,
      ledgerWith({ id: A, email: 'ana@example.com' }, { id: B, email: 'ana@example.com' }),
    );
    expect(result.extraDuplicated).toEqual([`email ana@example.com has 2 live registrations: ${A}, ${B}`]);
  });

  it('when a decision answered 200 is not the one Postgres kept, then it counts as mismatched', () => {
    const ledger = ledgerWith({ id: A, email: 'ana@example.com' });
    ledger.decisions.push({
      id: A,
      outcome: 'rejected',
      replica: 'consumer-mq-1',
      scenario: 'single',
      startedAt: 0,
      endedAt: 1,
      status: 200,
    });
    expect(assess([A], approvedEverywhere(), ledger).extraMismatched).toHaveLength(1);
  });

  it('when two decisions for one registration both answered 200, then it counts as duplicated', () => {
    const ledger = ledgerWith({ id: A, email: 'ana@example.com' });
    for (const replica of ['consumer-mq-1', 'consumer-mq-2']) {
      ledger.decisions.push({
        id: A,
        outcome: 'approved',
        replica,
        scenario: 'both-replicas',
        startedAt: 0,
        endedAt: 1,
        status: 200,
      });
    }
    expect(assess([A], approvedEverywhere(), ledger).extraDuplicated).toEqual([
      `${A}: 2 decisions answered 200 (approved, approved)`,
    ]);
  });

  it('when a sign-up started after Kafka was cut got a 202 before it came back, then it is reported; one started before is not', () => {
    const ledger = new Ledger();
    ledger.outages.push({ kind: 'kafka:refuse', from: 1000, to: 9000 });
    ledger.signUps.push({ seq: 1, kind: 'fresh', startedAt: 2000, endedAt: 2100, status: 202, id: A });
    ledger.signUps.push({ seq: 2, kind: 'fresh', startedAt: 900, endedAt: 1100, status: 202, id: B });
    expect(acceptedDuringOutages(ledger)).toEqual([`${A}: 202 at +1.1 s into kafka:refuse`]);
  });
});
