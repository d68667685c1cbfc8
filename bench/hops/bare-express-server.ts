import express from 'express';
import { parseCli } from '../../scripts/stack/lib/cli';

/**
 * The ceiling for any Express service on this machine: POST answered with 202 and no work at all (no
 * body parsing, no logging, no middleware). Run as its own process, like the services.
 */
const { values } = parseCli({
  usage: 'npx tsx bench/hops/bare-express-server.ts [--port P]',
  options: { port: { type: 'string', value: 'P', default: '3404', help: 'where it listens on 127.0.0.1' } },
});
const port = Number(values.port);
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
