import type { DecisionOutcome, Logger, Registration, RegistrationStatus } from '@regflow/common';
import { AUDIT_ACTIONS, SYSTEM_ACTOR, type AuditEntry } from './audit';
import { decisionEvent } from './decide-registration';
import type { IndexedRegistration, OutboxEvent, SearchResult, StagedUser, StageResult, StoredDecision } from './model';

export interface ReconcileDeps {
  store: {
    pendingIds(): Promise<string[]>;
    stage(user: StagedUser): Promise<StageResult>;
    unstage(id: string, outcome: DecisionOutcome): Promise<void>;
  };
  decisions: {
    findMany(userIds: string[]): Promise<StoredDecision[]>;
    /** Queues an event for the outbox relay on its own. */
    enqueue(event: OutboxEvent): Promise<void>;
  };
  /** The orchestrator's search: a page of results, or its refusal. */
  search: {
    search(
      params: { status: RegistrationStatus; from: number; size: number },
      correlationId: string,
    ): Promise<{ ok: true; result: SearchResult } | { ok: false; refused: { status: number } }>;
  };
  logger: Logger;
  /** Each repair goes in the audit trail, by 'system', one entry per registration repaired. */
  audit?: { record(entry: AuditEntry): Promise<void> };
  wakeRelay: () => void;
  /** Registrations indexed more recently than this may still be on their way to the queue: left alone. */
  graceMs?: number;
}

export interface ReconcileReport {
  startedAt: string;
  tookMs: number;
  checked: { staged: number; indexedPending: number };
  repaired: {
    /** Decided in Postgres but still in the Redis queue: removed from the queue. */
    stagedButDecided: string[];
    /** Decided in Postgres but the search index still says pending: the decision event is sent again. */
    indexBehind: string[];
    /** Pending in the index, neither staged nor decided: staged again from the index. */
    missingFromQueue: string[];
  };
}

/**
 * Compares the three stores and repairs drift, whatever caused it. Postgres decisions are the truth
 * for decided users; the search index is the truth for what was accepted. Every repair is idempotent.
 */
export async function reconcile(deps: ReconcileDeps, now = new Date()): Promise<ReconcileReport> {
  const report: ReconcileReport = {
    startedAt: now.toISOString(),
    tookMs: 0,
    checked: { staged: 0, indexedPending: 0 },
    repaired: { stagedButDecided: [], indexBehind: [], missingFromQueue: [] },
  };

  const staged = await deps.store.pendingIds();
  report.checked.staged = staged.length;
  for (let i = 0; i < staged.length; i += 500) {
    for (const decision of await deps.decisions.findMany(staged.slice(i, i + 500))) {
      await deps.store.unstage(decision.userId, decision.outcome);
      report.repaired.stagedButDecided.push(decision.userId);
    }
  }

  const stagedSet = new Set(staged);
  for await (const page of indexedPending(deps.search)) {
    report.checked.indexedPending += page.length;
    const decided = new Map((await deps.decisions.findMany(page.map((d) => d.id))).map((d) => [d.userId, d]));
    for (const doc of page) {
      const decision = decided.get(doc.id);
      if (decision) {
        const { registration: _r, ...plain } = decision;
        await deps.decisions.enqueue(decisionEvent(plain, `reconcile-${report.startedAt}`));
        report.repaired.indexBehind.push(doc.id);
      } else if (!stagedSet.has(doc.id) && now.getTime() - Date.parse(doc.indexedAt) > (deps.graceMs ?? 60_000)) {
        const { status: _s, indexedAt, ...registration } = doc;
        const result = await deps.store.stage({
          ...(registration as Registration),
          indexedAt,
          stagedAt: now.toISOString(),
        });
        if (result === 'staged') report.repaired.missingFromQueue.push(doc.id);
      }
    }
  }
  if (report.repaired.indexBehind.length) deps.wakeRelay();

  if (deps.audit) {
    for (const [repair, ids] of Object.entries(report.repaired)) {
      for (const registrationId of ids) {
        await deps.audit.record({
          actor: SYSTEM_ACTOR,
          action: AUDIT_ACTIONS.reconciliationRepaired,
          registrationId,
          correlationId: `reconcile-${report.startedAt}`,
          detail: { repair },
        });
      }
    }
  }
  report.tookMs = Date.now() - now.getTime();
  const counts = Object.fromEntries(Object.entries(report.repaired).map(([k, v]) => [k, v.length]));
  deps.logger.info({ checked: report.checked, repaired: counts, tookMs: report.tookMs }, 'reconciliation finished');
  return report;
}

async function* indexedPending(search: ReconcileDeps['search']): AsyncGenerator<IndexedRegistration[]> {
  // Oldest registrations matter most, but the search API pages newest first; 10,000 is its window.
  for (let from = 0; from < 10_000; from += 100) {
    const answer = await search.search({ status: 'pending', from, size: 100 }, 'reconcile');
    if (!answer.ok) throw new Error(`search answered ${answer.refused.status}`);
    const items = answer.result.items.map(({ highlight: _h, ...doc }) => doc as IndexedRegistration);
    if (items.length === 0) return;
    yield items;
    if (items.length < 100) return;
  }
}
