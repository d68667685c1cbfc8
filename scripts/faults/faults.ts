import { setTimeout as sleep } from 'node:timers/promises';
import type { FaultStack } from './fault-stack';
import type { KafkaProxy } from './kafka-proxy';
import type { FaultKind, FaultRecord, Ledger } from './ledger';
import type { Rng } from './rng';
import type { ServiceProcess } from './services';

export interface InjectorDeps {
  stack: FaultStack;
  proxy: KafkaProxy;
  services: Map<string, ServiceProcess>;
  rng: Rng;
  ledger: Ledger;
  log: (line: string) => void;
  /** Servers get SIGKILL instead of their normal shutdown signal. */
  crashServers: boolean;
  /**
   * How long a fault waits for a killed service to be healthy again before the schedule goes on (it
   * keeps starting in the background, and is not killed again until it is up).
   */
  restartWaitMs: number;
}

export interface FaultPlan {
  /** Every one of these is injected at least once, in a seeded random order. */
  kinds: FaultKind[];
  /** Target gap between the starts of two faults (jittered ±30 %). */
  intervalMs: number;
  /** Load runs at least this long; longer if the plan's kinds need it. */
  durationMs: number;
  warmupMs: number;
}

/**
 * Injects one fault at a time at seeded random moments, each followed by its recovery: a SIGKILLed
 * service is started again, a restarted server (a Kafka node too) is back on its old port and data,
 * an unreachable or frozen Kafka is reachable again. Recovery is part of the fault, so the next one
 * starts on a whole system.
 */
export class FaultInjector {
  private stopped = false;
  private wake: (() => void) | null = null;
  /** Services still starting after their kill: not killed again until they are up. */
  private readonly starting = new Map<string, Promise<void>>();

  constructor(private readonly deps: InjectorDeps) {}

  /** Runs the plan; resolves when the load may stop (every kind done and the duration over). */
  async run(plan: FaultPlan, loadStartedAt: number): Promise<void> {
    const { rng } = this.deps;
    const mustDo = rng.shuffle(plan.kinds);
    let nextAt = loadStartedAt + plan.warmupMs;
    const endAt = loadStartedAt + plan.durationMs;
    while (!this.stopped) {
      await this.sleepUntil(nextAt);
      if (this.stopped) break;
      // Leave a calm tail after the last fault, unless some kind has not been injected yet.
      if (mustDo.length === 0 && Date.now() + plan.intervalMs * 0.5 > endAt) break;
      const isStarting = (k: FaultKind) => k.startsWith('kill:') && this.starting.has(k.slice('kill:'.length));
      const fromPlan = mustDo.length > 0;
      let kind = mustDo.shift() ?? rng.pick(plan.kinds);
      if (isStarting(kind)) {
        // That service is still coming back from its last kill: do something else now, it later.
        if (fromPlan) mustDo.push(kind);
        kind = rng.pick(plan.kinds.filter((k) => !isStarting(k)));
        const i = mustDo.indexOf(kind);
        if (i >= 0) mustDo.splice(i, 1);
      }
      const startedAt = Date.now();
      await this.inject(kind);
      // A fault that took longer than the gap (a broker restart waits out its old session) still
      // leaves the system a moment of load without one, or the next fault would hit it mid-recovery.
      nextAt = Math.max(
        startedAt + rng.between(plan.intervalMs * 0.7, plan.intervalMs * 1.3),
        Date.now() + plan.intervalMs * 0.25,
      );
    }
    if (!this.stopped) await this.sleepUntil(Math.max(endAt, Date.now() + 5000));
  }

  /**
   * Starts again, as a supervisor would, a service that exited on its own (a crash the suite did not
   * cause: reported, and the run goes on with the whole system).
   */
  supervise(): void {
    for (const [name, service] of this.deps.services) {
      if (!service.crashedAndDown || this.starting.has(name)) continue;
      this.deps.log(`${name} exited on its own (${service.crashes.at(-1)?.how ?? '?'}); starting it again`);
      const start = service
        .start()
        .catch((err: unknown) => this.deps.log(`${name} did not start again: ${firstLine(err)}`));
      this.starting.set(
        name,
        start.finally(() => this.starting.delete(name)),
      );
    }
  }

  /** Waits until every killed service is healthy again. */
  async settle(): Promise<void> {
    await Promise.allSettled([...this.starting.values()]);
  }

  stop(): void {
    this.stopped = true;
    this.wake?.();
  }

  private async sleepUntil(at: number): Promise<void> {
    const ms = at - Date.now();
    if (ms <= 0) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.wake = null;
  }

  async inject(kind: FaultKind): Promise<FaultRecord> {
    const { rng, ledger, log } = this.deps;
    const record: FaultRecord = { kind, at: Date.now(), detail: '' };
    ledger.faults.push(record);
    try {
      if (kind.startsWith('kill:')) {
        const name = kind.slice('kill:'.length);
        const service = this.deps.services.get(name);
        if (!service) throw new Error(`no service for ${kind}`);
        const downMs = rng.int(300, 3000);
        const pid = service.pid;
        await service.kill();
        record.detail = `SIGKILL pid ${String(pid)}, restarted after ${downMs} ms`;
        log(`fault: ${kind} (${record.detail})`);
        await sleep(downMs);
        const start = service.start().then(
          () => {
            record.recoveredAt = Date.now();
          },
          (err: unknown) => {
            record.error = firstLine(err);
          },
        );
        const tracked = start.finally(() => this.starting.delete(name));
        this.starting.set(name, tracked);
        const inTime = await Promise.race([tracked.then(() => true), sleep(this.deps.restartWaitMs).then(() => false)]);
        if (!inTime) {
          log(`fault: ${kind} still starting after ${this.deps.restartWaitMs / 1000} s; the schedule goes on`);
          return record;
        }
        if (record.error) throw new Error(record.error);
        log(`fault: ${kind} recovered after ${(((record.recoveredAt ?? Date.now()) - record.at) / 1000).toFixed(1)} s`);
        return record;
      } else if (kind.startsWith('restart:')) {
        const server = kind.slice('restart:'.length) as 'postgres' | 'redis' | 'activemq';
        const downMs = rng.int(0, 2000);
        record.detail = `${this.deps.crashServers ? 'SIGKILL' : 'normal shutdown'} of pid ${String(this.deps.stack.pid(server))}, down ${downMs} ms + start-up, same port and data dir`;
        log(`fault: ${kind} (${record.detail})`);
        await this.deps.stack.restart(server, { crash: this.deps.crashServers, downMs });
      } else if (kind === 'kafka:kill' || kind === 'kafka:stop' || kind === 'kafka:kill-node') {
        await this.restartKafka(kind, record);
      } else if (kind === 'kafka:freeze') {
        // One node of a cluster (the others take over its partitions), or the single broker.
        const nodes = this.deps.stack.kafkaNodes;
        const node = rng.pick(nodes);
        const outageMs = rng.int(5000, 15_000);
        const from = Date.now();
        const pid = this.deps.stack.signal(node, 'SIGSTOP');
        record.detail = `SIGSTOP ${node} (JVM pid ${pid}) for ${outageMs} ms, then SIGCONT`;
        log(`fault: ${kind} (${record.detail})`);
        try {
          await sleep(outageMs);
        } finally {
          this.deps.stack.signal(node, 'SIGCONT');
        }
        if (nodes.length === 1) ledger.outages.push({ kind, from, to: Date.now() });
      } else {
        const outageMs = rng.int(5000, 15_000);
        const from = Date.now();
        const mode = kind === 'kafka:refuse' ? 'refuse' : 'blackhole';
        record.detail = `proxy ${mode === 'refuse' ? 'refuses connections' : 'drops all traffic'} for ${outageMs} ms`;
        log(`fault: ${kind} (${record.detail})`);
        await this.deps.proxy.setMode(mode);
        try {
          await sleep(outageMs);
        } finally {
          await this.deps.proxy.setMode('up');
        }
        ledger.outages.push({ kind, from, to: Date.now() });
      }
      record.recoveredAt = Date.now();
      log(`fault: ${kind} recovered after ${((record.recoveredAt - record.at) / 1000).toFixed(1)} s`);
    } catch (err) {
      record.error = firstLine(err);
      log(`fault: ${kind} FAILED TO RECOVER: ${err instanceof Error ? err.message : String(err)}`);
    }
    return record;
  }

  /**
   * kafka:kill (SIGKILL) and kafka:stop (normal shutdown, down 2-6 s) take every node down at
   * once; kafka:kill-node one random node of the cluster. Each comes back from the same command line:
   * same port, same data. While no node runs, nothing can be acknowledged: that span is an outage.
   */
  private async restartKafka(
    kind: 'kafka:kill' | 'kafka:stop' | 'kafka:kill-node',
    record: FaultRecord,
  ): Promise<void> {
    const { rng, ledger, log, stack } = this.deps;
    const nodes = stack.kafkaNodes;
    const targets = kind === 'kafka:kill-node' ? [rng.pick(nodes)] : nodes;
    const crash = kind !== 'kafka:stop';
    const downMs = crash ? rng.int(0, 2000) : rng.int(2000, 6000);
    const pids = targets.map((n) => `${n} pid ${String(stack.pid(n))}`).join(', ');
    record.detail = `${crash ? 'SIGKILL' : 'normal shutdown'} of ${pids}, down ${downMs} ms + start-up, same port and data`;
    log(`fault: ${kind} (${record.detail})`);
    // Every target goes down first, then they stay down together, then all start again.
    await Promise.all(targets.map((node) => stack.down(node, crash)));
    const from = Date.now();
    await sleep(downMs);
    let to: number | undefined;
    await Promise.all(
      targets.map((node) =>
        stack.up(node, undefined, () => {
          to ??= Date.now();
        }),
      ),
    );
    if (targets.length === nodes.length) ledger.outages.push({ kind, from, to: to ?? Date.now() });
  }
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? '';
}
