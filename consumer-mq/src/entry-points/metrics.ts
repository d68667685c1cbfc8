import { Gauge, type Registry } from 'prom-client';
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
