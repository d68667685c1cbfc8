import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export type Log = (line: string) => void;

export interface SpawnSpec {
  /** Server name: names the pid file and appears in messages. */
  name: string;
  command: string;
  args: string[];
  logFile: string;
  /** Folder for pid files, so a later start can find servers orphaned by a killed parent. */
  runDir: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  uid?: number;
  gid?: number;
  stopSignal?: NodeJS.Signals;
  /**
   * Postgres wants its shutdown signal on the postmaster only: the same signal sent to the whole
   * group would reach every backend, which reads it as "cancel your query".
   */
  stopSignalToGroup?: boolean;
  stopTimeoutMs?: number;
  /** For servers that announce their address on stdout/stderr; output is still copied to the log. */
  onLine?: (line: string) => void;
}

interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
  error?: Error;
}

interface PidFile {
  pid: number;
  startTime: string | null;
  stopSignal: NodeJS.Signals;
  stopSignalToGroup: boolean;
  command: string;
}

const running = new Set<ManagedProcess>();

export class ManagedProcess {
  readonly exited: Promise<ExitInfo>;
  private exitInfo: ExitInfo | null = null;
  private stopping: Promise<void> | null = null;
  private readonly pidFile: string;

  constructor(
    readonly spec: SpawnSpec,
    private readonly child: ChildProcess,
  ) {
    this.pidFile = path.join(spec.runDir, `${spec.name}.pid`);
    this.exited = new Promise<ExitInfo>((resolve) => {
      const finish = (info: ExitInfo): void => {
        if (this.exitInfo) return;
        this.exitInfo = info;
        running.delete(this);
        fs.rmSync(this.pidFile, { force: true });
        resolve(info);
      };
      child.once('exit', (code, signal) => finish({ code, signal }));
      child.once('error', (error) => {
        appendLog(spec.logFile, `[stack] could not run ${spec.command}: ${error.message}\n`);
        finish({ code: null, signal: null, error });
      });
    });
    if (child.pid !== undefined) {
      running.add(this);
      installExitHandlers();
      const record: PidFile = {
        pid: child.pid,
        startTime: processStartTime(child.pid),
        stopSignal: this.stopSignal,
        stopSignalToGroup: this.stopSignalToGroup,
        command: spec.command,
      };
      fs.writeFileSync(this.pidFile, JSON.stringify(record));
    }
  }

  get name(): string {
    return this.spec.name;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get isRunning(): boolean {
    return this.exitInfo === null && this.child.pid !== undefined;
  }

  describeExit(): string {
    const info = this.exitInfo;
    if (!info) return 'still running';
    if (info.error) return `could not be started (${info.error.message})`;
    return info.signal ? `was killed by ${info.signal}` : `exited with code ${String(info.code)}`;
  }

  logTail(lines = 20): string {
    return readLogTail(this.spec.logFile, lines);
  }

  private get stopSignal(): NodeJS.Signals {
    return this.spec.stopSignal ?? 'SIGTERM';
  }

  private get stopSignalToGroup(): boolean {
    return this.spec.stopSignalToGroup ?? true;
  }

  /** Synchronous, so it can run inside a process 'exit' handler. */
  signalStop(): void {
    if (this.isRunning && this.child.pid !== undefined) {
      sendSignal(this.child.pid, this.stopSignal, this.stopSignalToGroup);
    }
  }

  stop(): Promise<void> {
    this.stopping ??= this.doStop();
    return this.stopping;
  }

  private async doStop(): Promise<void> {
    const pid = this.child.pid;
    if (pid === undefined) return;
    if (this.isRunning) {
      sendSignal(pid, this.stopSignal, this.stopSignalToGroup);
      const timeoutMs = this.spec.stopTimeoutMs ?? 15_000;
      if (!(await settlesWithin(this.exited, timeoutMs))) {
        appendLog(this.spec.logFile, `[stack] no exit ${timeoutMs} ms after ${this.stopSignal}, sending SIGKILL\n`);
        sendSignal(pid, 'SIGKILL', true);
        await settlesWithin(this.exited, 5_000);
      }
    }
    // Helpers the server forked into its group (npx -> tsx -> node) can outlive the leader.
    if (groupExists(pid)) sendSignal(pid, 'SIGKILL', true);
  }
}

export function startProcess(spec: SpawnSpec): ManagedProcess {
  fs.mkdirSync(path.dirname(spec.logFile), { recursive: true });
  fs.mkdirSync(spec.runDir, { recursive: true });
  appendLog(spec.logFile, `\n[stack] ${new Date().toISOString()} starting: ${spec.command} ${spec.args.join(' ')}\n`);
  const logFd = fs.openSync(spec.logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      env: spec.env ?? process.env,
      uid: spec.uid,
      gid: spec.gid,
      // Own process group: a Ctrl-C in the terminal reaches only our parent, which then stops the
      // servers in order, and the whole group can be signalled at once.
      detached: true,
      stdio: spec.onLine ? ['ignore', 'pipe', 'pipe'] : ['ignore', logFd, logFd],
    });
  } catch (error) {
    fs.closeSync(logFd);
    throw error;
  }
  if (spec.onLine) {
    const onLine = spec.onLine;
    let closedStreams = 0;
    for (const stream of [child.stdout, child.stderr]) {
      let pending = '';
      stream?.on('data', (chunk: Buffer) => {
        fs.writeSync(logFd, chunk);
        pending += chunk.toString('utf8');
        const lines = pending.split('\n');
        pending = lines.pop() ?? '';
        for (const line of lines) onLine(line);
      });
      stream?.on('close', () => {
        if (pending) onLine(pending);
        closedStreams += 1;
        if (closedStreams === 2) fs.closeSync(logFd);
      });
    }
  } else {
    fs.closeSync(logFd);
  }
  return new ManagedProcess(spec, child);
}

/** Runs a one-shot command (initdb, apt-get) with its output appended to a log file. */
export function runToLog(
  command: string,
  args: string[],
  opts: { logFile: string; cwd?: string; env?: NodeJS.ProcessEnv; uid?: number; gid?: number },
): Promise<number | null> {
  fs.mkdirSync(path.dirname(opts.logFile), { recursive: true });
  appendLog(opts.logFile, `\n[stack] ${new Date().toISOString()} running: ${command} ${args.join(' ')}\n`);
  const logFd = fs.openSync(opts.logFile, 'a');
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      uid: opts.uid,
      gid: opts.gid,
      stdio: ['ignore', logFd, logFd],
    });
    fs.closeSync(logFd);
    child.once('error', (error) => {
      appendLog(opts.logFile, `[stack] could not run ${command}: ${error.message}\n`);
      resolve(null);
    });
    child.once('exit', (code) => resolve(code));
  });
}

export function readLogTail(logFile: string, lines = 20): string {
  try {
    const text = fs.readFileSync(logFile, 'utf8');
    return text.trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log output)';
  }
}

export function appendLog(logFile: string, text: string): void {
  try {
    fs.appendFileSync(logFile, text);
  } catch {
    // logging must never break start/stop
  }
}

function sendSignal(pid: number, signal: NodeJS.Signals, toGroup: boolean): void {
  try {
    process.kill(toGroup ? -pid : pid, signal);
  } catch {
    // already gone
  }
}

function groupExists(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The start time (in clock ticks since boot) tells a live process from an unrelated one that
 * got the same pid later; null where /proc is unavailable.
 */
export function processStartTime(pid: number): string | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may itself contain spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19] ?? null;
  } catch {
    return null;
  }
}

function isSameProcess(pid: number, startTime: string | null): boolean {
  if (!isAlive(pid)) return false;
  const now = processStartTime(pid);
  return startTime === null || now === null || now === startTime;
}

async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function waitForPidGone(pid: number, startTime: string | null, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (!isSameProcess(pid, startTime)) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return !isSameProcess(pid, startTime);
}

/**
 * A parent killed with SIGKILL cannot stop its servers; they keep running and hold ports, locks
 * and (for redis) the append-only file. Only called once the data-dir lock proved that the stack
 * which started them is gone, so these are ours to stop.
 */
export async function stopLeftovers(runDir: string, log: Log): Promise<void> {
  if (!fs.existsSync(runDir)) return;
  const files = fs.readdirSync(runDir).filter((f) => f.endsWith('.pid'));
  await Promise.all(
    files.map(async (file) => {
      const fullPath = path.join(runDir, file);
      let record: PidFile | null = null;
      try {
        record = JSON.parse(fs.readFileSync(fullPath, 'utf8')) as PidFile;
      } catch {
        record = null;
      }
      if (record && isSameProcess(record.pid, record.startTime)) {
        log(
          `${path.basename(file, '.pid')}: stopping pid ${record.pid} left over from an earlier run on this data dir`,
        );
        sendSignal(record.pid, record.stopSignal, record.stopSignalToGroup);
        if (!(await waitForPidGone(record.pid, record.startTime, 20_000))) {
          sendSignal(record.pid, 'SIGKILL', true);
          await waitForPidGone(record.pid, record.startTime, 5_000);
        }
      }
      fs.rmSync(fullPath, { force: true });
    }),
  );
}

/**
 * One stack per data dir: two postgres or redis servers on the same files would corrupt them.
 * Returns the release function.
 */
export function lockDataDir(dataDir: string): () => void {
  const lockFile = path.join(dataDir, 'stack.lock');
  const mine = JSON.stringify({ pid: process.pid, startTime: processStartTime(process.pid) });
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      fs.writeFileSync(lockFile, mine, { flag: 'wx' });
      return () => {
        try {
          if (fs.readFileSync(lockFile, 'utf8') === mine) fs.rmSync(lockFile, { force: true });
        } catch {
          // already removed
        }
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    let owner: { pid: number; startTime: string | null } | null = null;
    try {
      owner = JSON.parse(fs.readFileSync(lockFile, 'utf8')) as { pid: number; startTime: string | null };
    } catch {
      owner = null;
    }
    if (owner && isSameProcess(owner.pid, owner.startTime)) {
      throw new Error(
        `The data dir ${dataDir} is in use by the stack of process ${owner.pid}` +
          (owner.pid === process.pid ? ' (this process)' : '') +
          '. Stop that stack first or use another data dir.',
      );
    }
    fs.rmSync(lockFile, { force: true });
  }
  throw new Error(`Could not lock the data dir ${dataDir} (${lockFile} keeps reappearing).`);
}

let handlersInstalled = false;

function installExitHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  // Only synchronous work is possible here: ask each server to shut down cleanly; they finish
  // on their own after we are gone.
  process.on('exit', () => {
    for (const proc of running) proc.signalStop();
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = (): void => {
      // When the embedding program handles this signal itself, it owns the shutdown (and will
      // call stop() or exit, which the 'exit' handler covers).
      if (process.listenerCount(signal) > 1) return;
      for (const proc of running) proc.signalStop();
      process.removeListener(signal, onSignal);
      // Without our listener the default action applies again: die of the same signal.
      process.kill(process.pid, signal);
    };
    process.on(signal, onSignal);
  }
}
