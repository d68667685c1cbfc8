import net from 'node:net';
import { execFile } from 'node:child_process';
import type { ManagedProcess } from './processes';

export const HOST = '127.0.0.1';

/** Ports handed out in this process: two bind(0) probes in a row may return the same port. */
const handedOut = new Set<number>();

export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt += 1) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = net.createServer();
      server.unref();
      server.once('error', reject);
      server.listen(0, HOST, () => {
        const address = server.address();
        const picked = typeof address === 'object' && address ? address.port : 0;
        server.close(() => resolve(picked));
      });
    });
    if (port > 0 && !handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error('Could not find a free TCP port on 127.0.0.1');
}

export function tcpAccepts(port: number, host = HOST, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Sends a STOMP 1.2 CONNECT and returns the broker's first frame (without the NUL). */
export function stompConnect(port: number, host = HOST, timeoutMs = 3_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host });
    let received = '';
    const fail = (error: Error): void => {
      socket.destroy();
      reject(error);
    };
    socket.setTimeout(timeoutMs, () => fail(new Error(`no STOMP answer within ${timeoutMs} ms`)));
    socket.once('error', fail);
    socket.once('close', () =>
      reject(new Error(`connection closed before a STOMP frame: ${JSON.stringify(received)}`)),
    );
    socket.once('connect', () => {
      socket.write(`CONNECT\naccept-version:1.2\nhost:localhost\n\n\0`);
    });
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('utf8');
      const end = received.indexOf('\0');
      if (end < 0) return;
      const frame = received.slice(0, end);
      resolve(frame);
      // A DISCONNECT first keeps the broker log free of "connection reset" warnings.
      socket.end('DISCONNECT\n\n\0');
    });
  });
}

export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCommand(
  command: string,
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<CommandResult> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      { env: opts.env ?? process.env, timeout: opts.timeoutMs ?? 10_000, encoding: 'utf8' },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        resolve({ code, stdout, stderr: stderr || (error && typeof error.code !== 'number' ? error.message : '') });
      },
    );
  });
}

export class StartError extends Error {}

export function startFailure(proc: ManagedProcess, what: string): StartError {
  return new StartError(`${proc.name} ${what}. Last lines of ${proc.spec.logFile}:\n${proc.logTail(20)}`);
}

/**
 * Polls until check() is true; fails early when the server process dies, with its log tail.
 */
export async function waitUntil(
  proc: ManagedProcess,
  what: string,
  check: () => Promise<boolean>,
  timeoutMs: number,
  intervalMs = 250,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!proc.isRunning) throw startFailure(proc, `${proc.describeExit()} before ${what}`);
    if (await check()) return;
    if (Date.now() > deadline) {
      throw startFailure(proc, `was still not ${what} after ${Math.round(timeoutMs / 1000)} s`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
