import { STATUS_CODES, createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Express } from 'express';
import { PROBLEM_CONTENT_TYPE, problemBody } from './problem';

export interface RunningServer {
  url: string;
  port: number;
  server: Server;
  /** Stops accepting connections and waits for in-flight requests (idle keep-alive sockets are closed). */
  close(): Promise<void>;
}

export async function listen(app: Express, port: number, host = '127.0.0.1'): Promise<RunningServer> {
  const server = createServer(app);
  // Behind a load balancer keep-alive must outlive the balancer's idle timeout.
  server.keepAliveTimeout = 65_000;
  server.on('clientError', answerUnparsable);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return {
    url: `http://${shownHost}:${address.port}`,
    port: address.port,
    server,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeIdleConnections();
      }),
  };
}

/**
 * Requests Node's parser refuses (CR, LF or NUL in a header, bytes outside ASCII in the path, headers
 * over 16 KiB, conflicting lengths) never reach express. Node would answer a bare 400; this answers in
 * the same problem+json shape as every other refusal, with the statuses Node would have used.
 */
function answerUnparsable(
  err: NodeJS.ErrnoException,
  socket: Socket & { _httpMessage?: { headersSent?: boolean } },
): void {
  if (err.code === 'ECONNRESET' || !socket.writable || socket._httpMessage?.headersSent) {
    socket.destroy();
    return;
  }
  const [status, code]: [number, string] =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'REQUEST.HEADERS_TOO_LARGE']
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'REQUEST.TIMEOUT']
        : [400, 'REQUEST.MALFORMED'];
  const body = JSON.stringify(problemBody(status, code, 'The request could not be parsed as HTTP.'));
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: ${PROBLEM_CONTENT_TYPE}; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}
