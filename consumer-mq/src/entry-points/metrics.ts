import { Counter, Gauge, type Registry } from 'prom-client';
import type { DecisionsRepository } from '../data-access/decisions-repository';
import type { StagingStore } from '../data-access/staging-store';

/** Gauges read from the stores when Prometheus scrapes, so every replica reports the shared truth. */
export function registerConsumerMetrics(registry: Registry, store: StagingStore, decisions: DecisionsRepository): void {
  new Gauge({
    name: 'registrations_pending',
    help: 'Registrations waiting in the review queue',
    registers: [registry],
    async collect() {
      this.set(await store.countPending());
    },
  });
  new Gauge({
    name: 'decisions_today',
    help: 'Decisions since 00:00 UTC, by outcome',
    labelNames: ['outcome'] as const,
    registers: [registry],
    async collect() {
      const start = new Date();
      start.setUTCHours(0, 0, 0, 0);
      const counts = await decisions.countsSince(start);
      this.set({ outcome: 'approved' }, counts.approved);
      this.set({ outcome: 'rejected' }, counts.rejected);
    },
  });
}

/** Counts what became of each email request in this process: sent, already sent (a redelivery), rate limited, not needed. */
export function emailOutcomeCounter(registry: Registry): (kind: string, outcome: string) => void {
  const counter = new Counter({
    name: 'emails_total',
    help: 'Email requests handled, by kind and outcome (sent, already-sent, rate-limited, not-needed, expired)',
    labelNames: ['kind', 'outcome'] as const,
    registers: [registry],
  });
  return (kind, outcome) => counter.inc({ kind, outcome });
}
