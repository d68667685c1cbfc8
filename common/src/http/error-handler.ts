import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import { AppError, TransientError, dependencyUnavailable } from '../errors';
import { sendProblem } from './problem';

interface BodyParserError {
  type?: string;
  status?: number;
  expose?: boolean;
}

/**
 * The one place an error becomes an HTTP answer. Known errors keep their code; body-parser failures map
 * to 400/413/415; everything else is a 500 with no internal detail (it is logged instead).
 */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    if (res.headersSent) return next(err);
    if (err instanceof AppError) {
      sendAppError(res, err);
      return;
    }
    const parserError = err as BodyParserError;
    if (parserError?.type === 'entity.too.large') {
      sendProblem(res, 413, 'REQUEST.TOO_LARGE', 'The request body is larger than allowed.');
      return;
    }
    if (parserError?.type === 'entity.parse.failed') {
      sendProblem(res, 400, 'REQUEST.MALFORMED_JSON', 'The request body is not valid JSON.');
      return;
    }
    if (parserError?.type === 'encoding.unsupported' || parserError?.type === 'charset.unsupported') {
      sendProblem(res, 415, 'REQUEST.UNSUPPORTED_ENCODING', 'The request body encoding is not supported.');
      return;
    }
    // The router decodes path parameters itself; a malformed escape (`/users/%FF`) surfaces here.
    if (err instanceof URIError) {
      sendProblem(res, 400, 'REQUEST.MALFORMED_URL', 'The request path is not valid percent-encoded UTF-8.');
      return;
    }
    if (parserError?.expose && typeof parserError.status === 'number' && parserError.status < 500) {
      sendProblem(res, parserError.status, 'REQUEST.INVALID', 'The request could not be read.');
      return;
    }
    if (err instanceof TransientError || isConnectionError(err)) {
      (req.log ?? logger).warn({ err }, 'dependency unavailable');
      sendAppError(res, dependencyUnavailable());
      return;
    }
    (req.log ?? logger).error({ err }, 'unhandled error');
    sendProblem(res, 500, 'INTERNAL', 'Something went wrong on our side. Try again later.');
  };
}

function sendAppError(res: Response, err: AppError): void {
  for (const [name, value] of Object.entries(err.headers)) res.setHeader(name, value);
  sendProblem(res, err.status, err.code, err.message, err.extra);
}

/**
 * For a route that can say more than the error handler's general 503: a TransientError from `fn` (a
 * server it needs did not answer) becomes DEPENDENCY.UNAVAILABLE with this `detail`.
 */
export async function orUnavailable<T>(fn: () => Promise<T>, detail: string, retryAfterSeconds?: number): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof TransientError) throw dependencyUnavailable(detail, retryAfterSeconds);
    throw err;
  }
}

export const notFoundHandler: RequestHandler = (_req, res) => {
  sendProblem(res, 404, 'ROUTE.NOT_FOUND', 'No such route.');
};

/** Only JSON bodies are accepted on routes that take a body. */
export const requireJson: RequestHandler = (req, res, next) => {
  if (!req.is('application/json')) {
    sendProblem(res, 415, 'REQUEST.UNSUPPORTED_MEDIA_TYPE', 'Send the body as application/json.');
    return;
  }
  next();
};

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  '57P01',
  '57P02',
  '57P03',
  '08006',
  '08001',
  '08003',
]);

const REDIS_CONNECTION_ERRORS = new Set([
  'ClientClosedError',
  'ClientOfflineError',
  'ConnectionTimeoutError',
  'SocketClosedUnexpectedlyError',
]);

/** A database or broker that cannot be reached (node socket errors, Postgres connection SQLSTATEs, redis closed). */
function isConnectionError(err: unknown): boolean {
  const e = err as { code?: unknown; name?: unknown; message?: unknown } | null;
  if (!e) return false;
  if (typeof e.code === 'string' && CONNECTION_CODES.has(e.code)) return true;
  // @redis/client's error classes do not set `name` (it stays 'Error'): match the class name too.
  const className = (err as { constructor?: { name?: unknown } }).constructor?.name;
  if ([e.name, className].some((n) => typeof n === 'string' && REDIS_CONNECTION_ERRORS.has(n))) return true;
  return (
    typeof e.message === 'string' &&
    /Connection terminated|timeout exceeded when trying to connect|The client is closed/i.test(e.message)
  );
}
