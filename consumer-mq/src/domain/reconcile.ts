import type { Logger, Registration } from '@regflow/common';
import type { DecisionsRepository } from '../data-access/decisions-repository';
import type { SearchClient } from '../data-access/search-client';
import type { StagingStore } from '../data-access/staging-store';
import { decisionEvent } from './decide-registration';

export interface ReconcileDeps {
  store: StagingStore;
  decisions: DecisionsRepository;
  search: SearchClient;
  logger: Logger;
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
        const result = await deps.store.stage({ ...(registration as Registration), indexedAt, stagedAt: now.toISOString() });
        if (result === 'staged') report.repaired.missingFromQueue.push(doc.id);
      }
    }
  }
  if (report.repaired.indexBehind.length) deps.wakeRelay();

  report.tookMs = Date.now() - now.getTime();
  const counts = Object.fromEntries(Object.entries(report.repaired).map(([k, v]) => [k, v.length]));
  deps.logger.info({ checked: report.checked, repaired: counts, tookMs: report.tookMs }, 'reconciliation finished');
  return report;
}

type IndexedDoc = Registration & { status: string; indexedAt: string };

async function* indexedPending(search: SearchClient): AsyncGenerator<IndexedDoc[]> {
  // Oldest registrations matter most, but the search API pages newest first; 10,000 is its window.
  for (let from = 0; from < 10_000; from += 100) {
    const { status, body } = await search.search(new URLSearchParams({ status: 'pending', from: String(from), size: '100' }), 'reconcile');
    if (status !== 200) throw new Error(`search answered ${status}`);
    const items = (body as { items: Array<IndexedDoc & { highlight?: unknown }> }).items.map(({ highlight: _h, ...doc }) => doc as IndexedDoc);
    if (items.length === 0) return;
    yield items;
    if (items.length < 100) return;
  }
}
