import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pinoHttp } from 'pino-http';
import type { Logger } from 'pino';

export const CORRELATION_HEADER = 'x-correlation-id';
const VALID_ID = /^[A-Za-z0-9._:-]{1,100}$/;

/**
 * Request logging that carries one correlation id: taken from `x-correlation-id` when the caller sent a
 * sane one, otherwise generated, and echoed back on the response. `req.id` holds it for the handlers.
 */
export function requestLogger(logger: Logger) {
  return pinoHttp({
    logger,
    genReqId: (req: IncomingMessage, res: ServerResponse) => {
      const given = req.headers[CORRELATION_HEADER];
      const id = typeof given === 'string' && VALID_ID.test(given) ? given : randomUUID();
      res.setHeader(CORRELATION_HEADER, id);
      return id;
    },
    customProps: (req) => ({ correlationId: req.id }),
    // Health probes every few seconds would drown the log.
    autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/readyz' || req.url === '/metrics' },
    serializers: {
      req: (req: { method: string; url: string }) => ({ method: req.method, url: withoutQueryValues(req.url) }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
  });
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
