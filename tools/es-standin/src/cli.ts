#!/usr/bin/env -S npx tsx
import { startEsStandin } from './server';

function parsePort(argv: string[], env: NodeJS.ProcessEnv): number {
  const flag = argv.indexOf('--port');
  const raw = flag >= 0 ? argv[flag + 1] : env.PORT;
  if (raw === undefined || raw === '') return 9200;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`es-standin: invalid port [${raw}]\n`);
    process.exit(2);
  }
  return port;
}

const standin = await startEsStandin({ port: parsePort(process.argv.slice(2), process.env) });
process.stdout.write(`es-standin listening on ${standin.url}\n`);

let stopping = false;
const stop = (): void => {
  if (stopping) return;
  stopping = true;
  standin.close().then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`es-standin: error while closing: ${String(err)}\n`);
      process.exit(1);
    },
  );
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
