import { execFile, spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export type Log = (line: string) => void;

export interface SpawnSpec {
  /** Server name: names the pid file and appears in messages. */
  name: string;
  command: string;
  args: string[];
  logFile: string;
  /**
   * Folder for pid files, so a later start can find servers orphaned by a killed parent. Without one
   * no pid file is written (the services: their ports, checked before each start, tell of leftovers).
   */
  runDir?: string;
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
  /** How long stop() waits after the stop signal before SIGKILL (15 s). */
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
  private readonly pidFile: string | null;
  /** Set once we ask it to go (stop, kill); any other exit is the process's own (a crash). */
  private exitAskedFor = false;

  constructor(
    readonly spec: SpawnSpec,
    private readonly child: ChildProcess,
  ) {
    this.pidFile = spec.runDir ? path.join(spec.runDir, `${spec.name}.pid`) : null;
    this.exited = new Promise<ExitInfo>((resolve) => {
      const finish = (info: ExitInfo): void => {
        if (this.exitInfo) return;
        this.exitInfo = info;
        running.delete(this);
        if (this.pidFile) fs.rmSync(this.pidFile, { force: true });
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
      if (this.pidFile) fs.writeFileSync(this.pidFile, JSON.stringify(record));
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

  /** Exited without being asked to (stop, kill): a crash of the process itself. */
  get exitedOnItsOwn(): boolean {
    return this.exitInfo !== null && !this.exitAskedFor;
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

  /**
   * Polls check() until it is true (a check that throws counts as not yet); fails early, with the
   * log tail, when the process dies, and after timeoutMs.
   */
  async waitUntil(what: string, check: () => Promise<boolean>, timeoutMs: number, intervalMs = 250): Promise<void> {
    await poll(check, {
      timeoutMs,
      intervalMs,
      failIf: () => (this.isRunning ? null : startFailure(this, `${this.describeExit()} before ${what}`)),
      onTimeout: () => startFailure(this, `was still not ${what} after ${Math.round(timeoutMs / 1000)} s`),
    });
  }

  /** waitUntil() an HTTP GET of url answers 2xx. */
  waitForHttp(url: string, timeoutMs: number): Promise<void> {
    return this.waitUntil(`answering ${url}`, () => httpAnswers(url), timeoutMs);
  }

  /** Synchronous, so it can run inside a process 'exit' handler. */
  signalStop(): void {
    this.exitAskedFor = true;
    if (this.isRunning && this.child.pid !== undefined) {
      sendSignal(this.child.pid, this.stopSignal, this.stopSignalToGroup);
    }
  }

  /** The stop signal, SIGKILL to the group after the stop timeout (the spec's, or timeoutMs). */
  stop(timeoutMs = this.spec.stopTimeoutMs ?? 15_000): Promise<void> {
    this.exitAskedFor = true;
    this.stopping ??= this.doStop(timeoutMs);
    return this.stopping;
  }

  /** SIGKILL to the whole group (a crash: no shutdown hook runs); resolves once the process is gone. */
  async kill(): Promise<void> {
    this.exitAskedFor = true;
    if (!this.isRunning || this.child.pid === undefined) return;
    appendLog(this.spec.logFile, `[stack] ${new Date().toISOString()} SIGKILL\n`);
    sendSignal(this.child.pid, 'SIGKILL', true);
    await this.exited;
  }

  private async doStop(timeoutMs: number): Promise<void> {
    const pid = this.child.pid;
    if (pid === undefined) return;
    if (this.isRunning) {
      sendSignal(pid, this.stopSignal, this.stopSignalToGroup);
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
  if (spec.runDir) fs.mkdirSync(spec.runDir, { recursive: true });
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

interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  uid?: number;
  gid?: number;
}

/** Runs a one-shot command (initdb, apt-get, vite build) with its output appended to a log file. */
export function runToLog(
  command: string,
  args: string[],
  opts: RunOptions & { logFile: string },
): Promise<number | null> {
  fs.mkdirSync(path.dirname(opts.logFile), { recursive: true });
  appendLog(opts.logFile, `\n[stack] ${new Date().toISOString()} running: ${command} ${args.join(' ')}\n`);
  const logFd = fs.openSync(opts.logFile, 'a');
  try {
    return runOnce(command, args, ['ignore', logFd, logFd], opts, (error) =>
      appendLog(opts.logFile, `[stack] could not run ${command}: ${error.message}\n`),
    );
  } finally {
    fs.closeSync(logFd);
  }
}

/** Runs a one-shot command in this terminal (npm test's steps); its exit code, null if it could not run. */
export function runInTerminal(command: string, args: string[], opts: RunOptions = {}): Promise<number | null> {
  return runOnce(command, args, 'inherit', opts, (error) =>
    process.stderr.write(`could not run ${command}: ${error.message}\n`),
  );
}

function runOnce(
  command: string,
  args: string[],
  stdio: StdioOptions,
  opts: RunOptions,
  onError: (error: Error) => void,
): Promise<number | null> {
  const child = spawn(command, args, {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    uid: opts.uid,
    gid: opts.gid,
    stdio,
  });
  return new Promise((resolve) => {
    child.once('error', (error) => {
      onError(error);
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

export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a one-shot command and hands back what it printed (pg_isready, redis-cli, the bundle build). */
export function runCommand(
  command: string,
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {},
): Promise<CommandResult> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      { env: opts.env ?? process.env, cwd: opts.cwd, timeout: opts.timeoutMs ?? 10_000, encoding: 'utf8' },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        resolve({ code, stdout, stderr: stderr || (error && typeof error.code !== 'number' ? error.message : '') });
      },
    );
  });
}

/**
 * The one polling loop: check() every intervalMs until it returns something truthy, which it hands
 * back. A check that throws counts as not yet. failIf() ends the wait early with its error (the
 * process died); onTimeout(last error thrown by check) makes the error thrown after timeoutMs.
 */
export async function poll<T>(
  check: () => Promise<T> | T,
  opts: {
    timeoutMs: number;
    intervalMs?: number;
    failIf?: () => Error | null;
    onTimeout?: (lastError: unknown) => Error;
  },
): Promise<Exclude<T, false | null | undefined | 0 | ''>> {
  const deadline = Date.now() + opts.timeoutMs;
  let lastError: unknown;
  for (;;) {
    const failure = opts.failIf?.();
    if (failure) throw failure;
    try {
      const value = await check();
      if (value) return value as Exclude<T, false | null | undefined | 0 | ''>;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) throw opts.onTimeout?.(lastError) ?? new Error(`not done after ${opts.timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, opts.intervalMs ?? 250));
  }
}

/** Whether a GET of url answers 2xx within a second. */
export async function httpAnswers(url: string): Promise<boolean> {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(1_000) })).ok;
  } catch {
    return false;
  }
}

/** A process that could not be started, with what it said last. */
export class StartError extends Error {}

export function startFailure(proc: ManagedProcess, what: string): StartError {
  return new StartError(`${proc.name} ${what}. Last lines of ${proc.spec.logFile}:\n${proc.logTail(20)}`);
}

/** proc.waitUntil(), in the form the server modules call it. */
export function waitUntil(
  proc: ManagedProcess,
  what: string,
  check: () => Promise<boolean>,
  timeoutMs: number,
  intervalMs = 250,
): Promise<void> {
  return proc.waitUntil(what, check, timeoutMs, intervalMs);
}

export interface Crash {
  at: number;
  /** describeExit(): "was killed by SIGSEGV", "exited with code 1". */
  how: string;
  tail: string;
}

/**
 * One process started again and again from the same spec, as the fault suite kills and restarts a
 * service: the current run, the number of starts, and every exit nobody asked for (a crash) with the
 * log's last lines at that moment.
 */
export class RestartableProcess {
  private current: ManagedProcess | null = null;
  starts = 0;
  readonly crashes: Crash[] = [];

  constructor(
    readonly spec: SpawnSpec,
    /** Resolves once a fresh start is ready (a health check); rejects to fail start(). */
    private readonly ready: (proc: ManagedProcess) => Promise<void> = async () => undefined,
  ) {}

  get name(): string {
    return this.spec.name;
  }

  get pid(): number | undefined {
    return this.current?.pid;
  }

  get isRunning(): boolean {
    return this.current?.isRunning ?? false;
  }

  /** Down because it exited on its own (not stopped or killed by us). */
  get crashedAndDown(): boolean {
    return this.current?.exitedOnItsOwn ?? false;
  }

  async start(): Promise<void> {
    if (this.isRunning) throw new Error(`${this.name} is already running`);
    this.starts += 1;
    const proc = startProcess(this.spec);
    this.current = proc;
    void proc.exited.then(() => {
      if (proc.exitedOnItsOwn) this.crashes.push({ at: Date.now(), how: proc.describeExit(), tail: proc.logTail(40) });
    });
    await this.ready(proc);
  }

  kill(): Promise<void> {
    return this.current?.kill() ?? Promise.resolve();
  }

  stop(timeoutMs?: number): Promise<void> {
    return this.current?.stop(timeoutMs) ?? Promise.resolve();
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

/** Whether a process with this pid exists (one of another user's counts). */
export function isAlive(pid: number): boolean {
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

function waitForPidGone(pid: number, startTime: string | null, ms: number): Promise<boolean> {
  return poll(() => !isSameProcess(pid, startTime), { timeoutMs: ms, intervalMs: 100 }).then(
    () => true,
    () => false,
  );
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
