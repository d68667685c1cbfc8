import net from 'node:net';

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

/** Whether nothing listens on port (a bind to it succeeds). */
export function portIsFree(port: number, host = HOST): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, host, () => probe.close(() => resolve(true)));
  });
}

/**
 * Fails up front, naming the port and how to choose another (`remedy`), instead of letting a process
 * start and talk to a stranger's server on it.
 */
export async function assertPortsFree(ports: Record<string, number>, remedy: (name: string) => string): Promise<void> {
  for (const [name, port] of Object.entries(ports)) {
    if (!(await portIsFree(port)))
      throw new Error(`port ${port} (${name}) is already in use by another program; stop it or ${remedy(name)}`);
  }
}

// What a server module needs to start one, in one import with the network helpers (defined in processes.ts).
export { runCommand, startFailure, StartError, waitUntil, type CommandResult } from './processes';
