import type { RequestHandler } from 'express';

/** The admin API answers cross-origin requests from the console's origin only (with credentials). */
export function consoleCors(origin: string): RequestHandler {
  return (req, res, next) => {
    if (req.headers.origin !== origin) return next();
    res.setHeader('access-control-allow-origin', origin);
    res.setHeader('access-control-allow-credentials', 'true');
    res.setHeader('vary', 'Origin');
    if (req.method === 'OPTIONS') {
      res.setHeader('access-control-allow-methods', 'GET,POST,DELETE');
      res.setHeader('access-control-allow-headers', 'content-type,x-csrf-token,x-correlation-id');
      res.setHeader('access-control-max-age', '600');
      res.status(204).end();
      return;
    }
    next();
  };
}
