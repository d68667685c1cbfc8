import express from 'express';

/**
 * The ceiling for any Express service on this machine: POST answered with 202 and no work at all (no
 * body parsing, no logging, no middleware). Run as its own process, like the services.
 */
const port = Number(process.argv[2] ?? 3404);
const app = express();
app.disable('x-powered-by');
app.post('/users', (_req, res) => {
  res.status(202).json({ status: 'accepted' });
});
app.get('/healthz', (_req, res) => {
  res.json({ status: 'ok' });
});
app.listen(port, '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
