import net from 'node:net';
import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import { createLogger } from '@regflow/common';
import { AdminsRepository } from '../../consumer-mq/src/data-access/admins-repository';
import { createDatabase } from '../../consumer-mq/src/data-access/db/database';
import { hashPassword } from '../../consumer-mq/src/domain/passwords';
import type { Role } from '../../consumer-mq/src/domain/roles';
import { refusalMarkerKey, signInFailureKeys } from '../../consumer-mq/src/data-access/session-store';

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * One HTTP/1.1 exchange over a bare socket. fetch and node:http refuse to send CR, LF or NUL in a
 * header or invalid bytes in a path, which is exactly what a hostile client sends.
 */
export function rawRequest(
  baseUrl: string,
  head: string | Buffer,
  body: Buffer = Buffer.alloc(0),
): Promise<RawResponse> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: hostname, port: Number(port) });
    const chunks: Buffer[] = [];
    socket.setTimeout(10_000, () => socket.destroy(new Error('raw request timed out')));
    socket.on('data', (c: Buffer) => chunks.push(c));
    // The server may close after refusing a bad request before reading the rest; what it answered counts.
    socket.on('error', (err: NodeJS.ErrnoException) =>
      chunks.length > 0 && err.code === 'ECONNRESET' ? socket.emit('end') : reject(err),
    );
    socket.on('end', () => {
      try {
        resolve(parseResponse(Buffer.concat(chunks)));
      } catch (err) {
        reject(err);
      }
    });
    socket.on('connect', () => {
      socket.write(Buffer.concat([typeof head === 'string' ? Buffer.from(head, 'latin1') : head, body]));
    });
  });
}

function parseResponse(raw: Buffer): RawResponse {
  const split = raw.indexOf('\r\n\r\n');
  if (split < 0) throw new Error(`no complete response: ${JSON.stringify(raw.toString('latin1').slice(0, 200))}`);
  const [statusLine, ...lines] = raw.subarray(0, split).toString('latin1').split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine ?? '')?.[1]);
  if (!status) throw new Error(`not an HTTP response: ${statusLine}`);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).trim().toLowerCase();
    headers[name] = headers[name] ? `${headers[name]}, ${line.slice(colon + 1).trim()}` : line.slice(colon + 1).trim();
  }
  let body = raw.subarray(split + 4);
  if (headers['transfer-encoding']?.includes('chunked')) body = dechunk(body);
  else if (headers['content-length']) body = body.subarray(0, Number(headers['content-length']));
  return { status, headers, body: body.toString('utf8') };
}

function dechunk(data: Buffer): Buffer {
  const out: Buffer[] = [];
  let at = 0;
  for (;;) {
    const eol = data.indexOf('\r\n', at);
    if (eol < 0) break;
    const size = parseInt(data.subarray(at, eol).toString('latin1'), 16);
    if (!size) break;
    out.push(data.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
  return Buffer.concat(out);
}

/** Percent-encodes any string, unpaired surrogates included (as U+FFFD, which is what UTF-8 can carry). */
export const percentEncode = (value: string) => Buffer.from(value, 'utf8').toString('hex').replace(/../g, '%$&');

/** Builds a request head; header values go out byte for byte, CR, LF and NUL included. */
export function requestHead(
  method: string,
  path: string,
  headers: Array<[string, string]>,
  bodyLength?: number,
): string {
  const lines = [
    `${method} ${path} HTTP/1.1`,
    'host: 127.0.0.1',
    'connection: close',
    ...headers.map(([k, v]) => `${k}: ${v}`),
  ];
  if (bodyLength !== undefined) lines.push(`content-length: ${bodyLength}`);
  return `${lines.join('\r\n')}\r\n\r\n`;
}

/** fetch's answer in the raw client's shape, so one set of checks covers both. */
export async function fromFetch(res: Response): Promise<RawResponse> {
  return { status: res.status, headers: Object.fromEntries(res.headers), body: await res.text() };
}

/**
 * The contract every refusal keeps: a 4xx (never a 5xx), RFC 9457 problem+json with a stable code that
 * matches the status, and nothing from the inside (stack frames, file paths, driver messages).
 */
export function expectProblem(res: RawResponse, allowed?: number[]): { code: string } {
  const context = `${res.status} ${res.headers['content-type']} ${res.body.slice(0, 300)}`;
  expect(res.status, context).toBeGreaterThanOrEqual(400);
  expect(res.status, context).toBeLessThan(500);
  if (allowed) expect(allowed, context).toContain(res.status);
  expect(res.headers['content-type'], context).toMatch(/^application\/problem\+json/);
  const problem = JSON.parse(res.body) as {
    status: number;
    code: unknown;
    title?: string;
    detail?: string;
    errors?: Array<{ message: string }>;
  };
  expect(problem.status, context).toBe(res.status);
  expect(typeof problem.code === 'string' && /^[A-Z_]+(\.[A-Z_]+)*$/.test(problem.code), context).toBe(true);
  expect(Object.keys(problem), context).not.toContain('stack');
  // Field names are echoed back as sent, so only what the service itself wrote is checked for internals.
  const ownWords = JSON.stringify([problem.title, problem.detail, ...(problem.errors ?? []).map((e) => e.message)]);
  expect(ownWords, context).not.toMatch(
    /\bat (async |new )?[\w$.<>]+ \(|\.(ts|js|mjs|cjs):\d+|node_modules|\/work\/|SyntaxError|TypeError|URIError|ECONNREFUSED|relation "|syntax error at|Unexpected token/,
  );
  return { code: problem.code as string };
}

/** True when an answer is a server error; the fuzz counts them before asserting. */
export const isServerError = (res: RawResponse) => res.status >= 500;

/**
 * An admin account of the test's own, written straight to Postgres as the CLI would, so throttling one
 * account never touches the shared test admin.
 */
export async function createTestAdmin(databaseUrl: string, label: string, role: Role = 'admin') {
  const email = `${label}.${randomBytes(4).toString('hex')}@security.test`;
  const password = `Sec-${randomBytes(6).toString('base64url')}-9x`;
  const { pool, db } = createDatabase(databaseUrl, createLogger('test', 'silent'));
  try {
    await new AdminsRepository(db).createIfMissing(email, await hashPassword(password), role);
  } finally {
    await pool.end();
  }
  return { email, password };
}

export async function deleteTestAdmins(databaseUrl: string, emails: string[]): Promise<void> {
  if (emails.length === 0) return;
  const { pool } = createDatabase(databaseUrl, createLogger('test', 'silent'));
  try {
    await pool.query('delete from admins where email = any($1)', [emails]);
  } finally {
    await pool.end();
  }
}

/** A documentation-range address (RFC 5737) per test, sent as X-Forwarded-For, so per-address throttling stays in the test. */
export function testAddress(): string {
  const b = randomBytes(2);
  return `198.51.${b[0]! % 100}.${(b[1]! % 250) + 1}`;
}

/** Forgets the failed sign-ins the test caused, so later test files start unthrottled. */
export async function clearThrottle(
  redis: { del(keys: string[]): Promise<unknown> },
  emails: Iterable<string>,
  addresses: Iterable<string>,
): Promise<void> {
  const keys = [
    ...[...emails].map((e) => signInFailureKeys(e, '')[0]),
    ...[...addresses].map((a) => signInFailureKeys('', a)[1]),
  ].flatMap((key) => [key, refusalMarkerKey(key)]);
  for (let i = 0; i < keys.length; i += 500) await redis.del(keys.slice(i, i + 500));
}
