import { randomUUID } from 'node:crypto';
import { IncomingMessage } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { RequestHandler, Response } from 'express';
import type { Logger } from 'pino';

export const CORRELATION_HEADER = 'x-correlation-id';
const VALID_ID = /^[A-Za-z0-9._:-]{1,100}$/;
// Health probes every few seconds would drown the log.
const NOT_LOGGED = new Set(['/healthz', '/readyz', '/metrics']);

declare module 'node:http' {
  interface IncomingMessage {
    /** The request's correlation id (given by the caller when sane, otherwise generated). */
    id: string;
    /** A logger whose lines carry this request's correlation id. */
    log: Logger;
  }
}

const BASE_LOGGER = Symbol('regflow.baseLogger');
const CHILD_LOGGER = Symbol('regflow.childLogger');
type LoggedRequest = IncomingMessage & { [BASE_LOGGER]?: Logger; [CHILD_LOGGER]?: Logger };

// `req.log` is made on first use: most requests never log anything but their one request line, and a
// child logger per request was a measurable share of a sign-up's CPU (docs/benchmarks.md).
Object.defineProperty(IncomingMessage.prototype, 'log', {
  configurable: true,
  get(this: LoggedRequest): Logger {
    const base = this[BASE_LOGGER];
    // Outside requestLogger there is none; callers fall back with `req.log ?? logger`.
    if (!base) return undefined as unknown as Logger;
    return (this[CHILD_LOGGER] ??= base.child({ correlationId: this.id }));
  },
});

/** Fields a handler adds to its request's log line (the user id a sign-up created, for instance). */
export function logFields(res: Response, fields: Record<string, unknown>): void {
  res.locals.logFields = { ...(res.locals.logFields as Record<string, unknown> | undefined), ...fields };
}

/**
 * Request logging that carries one correlation id: taken from `x-correlation-id` when the caller sent a
 * sane one, otherwise generated, and echoed back on the response. `req.id` holds it for the handlers,
 * `req.log` logs with it. One line per request when it finishes (or is aborted): method, URL without
 * query values, status, time taken, and whatever the handler added with `logFields`; warn for 4xx,
 * error for 5xx.
 */
export function requestLogger(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const given = req.headers[CORRELATION_HEADER];
    const id = typeof given === 'string' && VALID_ID.test(given) ? given : randomUUID();
    res.setHeader(CORRELATION_HEADER, id);
    req.id = id;
    (req as LoggedRequest)[BASE_LOGGER] = logger;
    if (NOT_LOGGED.has(req.url)) return next();
    const started = performance.now();
    const done = () => {
      res.removeListener('close', done);
      res.removeListener('finish', done);
      const status = res.statusCode;
      const line = {
        correlationId: id,
        req: { method: req.method, url: withoutSecrets(withoutQueryValues(req.originalUrl ?? req.url)) },
        res: { statusCode: status },
        responseTime: Math.round(performance.now() - started),
        ...(res.locals.logFields as Record<string, unknown> | undefined),
      };
      if (!res.writableFinished) logger.warn(line, 'request aborted');
      else if (status >= 500) logger.error(line, 'request errored');
      else if (status >= 400) logger.warn(line, 'request completed');
      else logger.info(line, 'request completed');
    };
    res.once('finish', done);
    res.once('close', done);
    next();
  };
}

/** A confirmation link's token works for whoever holds it: a logged path keeps its place, not its value. */
export function withoutSecrets(url: string): string {
  return url.replace(/\/confirmations\/[^/?]+/, '/confirmations/***');
}

/**
 * Query strings carry what people search for (an email, a CPF), so a logged URL keeps the parameter
 * names and drops their values: `/users/search?q=***&size=***`.
 */
export function withoutQueryValues(url: string): string {
  const at = url.indexOf('?');
  if (at < 0) return url;
  const names = url
    .slice(at + 1)
    .split('&')
    .filter(Boolean)
    .map((pair) => `${pair.split('=')[0]}=***`);
  return `${url.slice(0, at)}?${names.join('&')}`;
}
