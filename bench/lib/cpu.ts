import { readFileSync, readdirSync } from 'node:fs';

/**
 * CPU time by component (each server and service this run started, and the load generator itself),
 * from /proc: on a 2-core machine shared by everything, where the cores go is what limits a figure.
 */
const TICKS_PER_SECOND = 100; // USER_HZ on Linux

const COMPONENTS: Array<[RegExp, string]> = [
  [/access-api\/(?:src\/main\.ts|dist\/main\.js)/, 'access-api'],
  [/orchestrator-api\/(?:src\/main\.ts|dist\/main\.js)/, 'orchestrator-api'],
  [/consumer-mq\/(?:src\/main\.ts|dist\/main\.js)/, 'consumer-mq'],
  [/org\.elasticsearch\.node\.LocalNode/, 'elasticsearch'],
  [/activemq/, 'activemq'],
  [/kafka\.Kafka/, 'kafka'],
  [/redis-server/, 'redis'],
  [/postgres/, 'postgres'],
  [/esbuild/, 'esbuild (tsx)'],
];

interface Proc {
  ppid: number;
  ticks: number;
  cmd: string;
}

function processes(): Map<number, Proc> {
  const out = new Map<number, Proc>();
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // After the command: state ppid ... utime (index 11) stime (12), counted from state = 0.
      out.set(pid, {
        ppid: Number(fields[1]),
        ticks: Number(fields[11]) + Number(fields[12]),
        cmd: readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' '),
      });
    } catch {
      /* exited meanwhile */
    }
  }
  return out;
}

/** Busy ticks of the whole machine (all CPUs), from /proc/stat. */
function machineBusyTicks(): number {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal ...: busy = all but idle and iowait.
  return cpu.reduce((a, b) => a + b, 0) - (cpu[3] ?? 0) - (cpu[4] ?? 0);
}

/** CPU ticks per component among the descendants of this process (and this process as "load generator"). */
export function cpuSnapshot(): { at: number; ticks: Map<string, number>; machine: number } {
  const machine = machineBusyTicks();
  const procs = processes();
  const ticks = new Map<string, number>();
  const componentOf = (pid: number): string | null => {
    // The nearest ancestor (or itself) whose command names a component; null if not under us.
    let label: string | null = null;
    for (let p = pid, guard = 0; p > 1 && guard < 50; guard++) {
      if (p === process.pid) return label ?? 'bench (load generator)';
      const proc = procs.get(p);
      if (!proc) return null;
      label ??= COMPONENTS.find(([re]) => re.test(proc.cmd))?.[1] ?? null;
      p = proc.ppid;
    }
    return null;
  };
  for (const [pid, proc] of procs) {
    const component = componentOf(pid);
    if (component) ticks.set(component, (ticks.get(component) ?? 0) + proc.ticks);
  }
  return { at: performance.now(), ticks, machine };
}

/** Percent of one core used by each component between two snapshots (200 = both cores of a 2-core machine). */
export function cpuBetween(
  a: ReturnType<typeof cpuSnapshot>,
  b: ReturnType<typeof cpuSnapshot>,
): Record<string, number> {
  const seconds = (b.at - a.at) / 1000;
  const out: Record<string, number> = {};
  let ours = 0;
  for (const [name, end] of b.ticks) {
    const used = end - (a.ticks.get(name) ?? 0);
    ours += Math.max(0, used);
    if (used > 0) out[name] = Math.round((used / TICKS_PER_SECOND / seconds) * 100);
  }
  // Everything else on the machine (other people's tests, for instance) competes for the same cores.
  const others = b.machine - a.machine - ours;
  out['other processes (not this run)'] = Math.max(0, Math.round((others / TICKS_PER_SECOND / seconds) * 100));
  return Object.fromEntries(Object.entries(out).sort((x, y) => y[1] - x[1]));
}

/**
 * Waits (at most `maxWaitMs`) until processes outside this run use less than `belowPercent` of one core
 * over 3 s: other people's test suites on a shared machine move every figure.
 */
export async function waitForQuietMachine(
  belowPercent: number,
  maxWaitMs: number,
  log: (line: string) => void,
): Promise<number> {
  const deadline = Date.now() + maxWaitMs;
  for (;;) {
    const a = cpuSnapshot();
    await new Promise((r) => setTimeout(r, 3000));
    const others = cpuBetween(a, cpuSnapshot())['other processes (not this run)'] ?? 0;
    if (others < belowPercent || Date.now() >= deadline) return others;
    log(
      `other processes use ${others} % of a core; waiting for a quieter machine (up to ${Math.round((deadline - Date.now()) / 1000)} s more)`,
    );
    await new Promise((r) => setTimeout(r, 7000));
  }
}
