import os from 'node:os';
import { readFileSync, readdirSync } from 'node:fs';

export interface Machine {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  kernel: string;
}

export function machine(): Machine {
  return {
    cpus: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    kernel: os.release(),
  };
}

/** The 1-minute load average: other work on the machine changes every figure, so each one records it. */
export function load1(): number {
  return Math.round(os.loadavg()[0]! * 100) / 100;
}

/** Peak resident set size (VmHWM) and current RSS of a process, in MB; null when it is gone. */
export function memoryOf(pid: number): { peakMb: number; rssMb: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? Number.NaN);
    return { peakMb: Math.round(kb('VmHWM') / 1024), rssMb: Math.round(kb('VmRSS') / 1024) };
  } catch {
    return null;
  }
}

/**
 * The process that runs a service's code: the deepest process under `rootPid` whose command line names
 * the entry file. `startService` runs `node <service>/dist/main.js` itself (as production does); under
 * tsx (`<service>/src/main.ts`) the tsx CLI starts node with its loader as a child, and that child is it.
 */
export function servicePid(rootPid: number, entry: string): number | null {
  const children = new Map<number, number[]>();
  const cmd = new Map<number, string>();
  for (const name of safeReaddir('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), pid]);
      cmd.set(pid, readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' '));
    } catch {
      /* gone meanwhile */
    }
  }
  let found: number | null = null;
  const walk = (pid: number) => {
    if ((cmd.get(pid) ?? '').includes(entry)) found = pid;
    for (const child of children.get(pid) ?? []) walk(child);
  };
  walk(rootPid);
  return found;
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** Samples VmRSS of some processes every `everyMs`, keeping each one's maximum (VmHWM is read too). */
export class RssSampler {
  private readonly peaks = new Map<string, { pid: number; sampledMaxMb: number; hwmMb: number; idleMb: number }>();
  private timer: NodeJS.Timeout | undefined;

  /** Call right after the process is up: its RSS then is the idle baseline. */
  track(name: string, pid: number): void {
    this.peaks.set(name, { pid, sampledMaxMb: 0, hwmMb: 0, idleMb: memoryOf(pid)?.rssMb ?? 0 });
  }

  start(everyMs = 250): void {
    this.timer = setInterval(() => this.sample(), everyMs);
    this.timer.unref();
  }

  sample(): void {
    for (const entry of this.peaks.values()) {
      const m = memoryOf(entry.pid);
      if (!m) continue;
      entry.sampledMaxMb = Math.max(entry.sampledMaxMb, m.rssMb);
      entry.hwmMb = Math.max(entry.hwmMb, m.peakMb);
    }
  }

  stop(): Record<string, { pid: number; peakRssMb: number; sampledMaxRssMb: number; idleRssMb: number }> {
    clearInterval(this.timer);
    this.sample();
    return Object.fromEntries(
      [...this.peaks].map(([name, e]) => [
        name,
        { pid: e.pid, peakRssMb: e.hwmMb, sampledMaxRssMb: e.sampledMaxMb, idleRssMb: e.idleMb },
      ]),
    );
  }
}
