import fs from 'node:fs';
import path from 'node:path';
import { freePort, startFailure, StartError, tcpAccepts, waitUntil } from '../lib/net';
import type { ServerContext } from './context';

const START_TIMEOUT_MS = 60_000;
const READY = /es-standin listening on (http:\/\/127\.0\.0\.1:(\d+))/;
export const ES_STANDIN_CLI = path.join('tools', 'es-standin', 'src', 'cli.ts');

/** Elasticsearch cannot be installed here; the project ships its own stand-in (tools/es-standin). */
export async function startElasticsearch(ctx: ServerContext): Promise<string> {
  const cli = path.join(ctx.repoRoot, ES_STANDIN_CLI);
  if (!fs.existsSync(cli)) {
    throw new StartError(
      `elasticsearch: the stand-in ${ES_STANDIN_CLI} does not exist yet; set ELASTICSEARCH_URL or skip elasticsearch`,
    );
  }
  // The local tsx binary spares the npx start-up (about a second) and an extra npm process.
  const localTsx = path.join(ctx.repoRoot, 'node_modules', '.bin', 'tsx');
  const useLocal = fs.existsSync(localTsx);
  const command = useLocal ? localTsx : 'npx';
  const prefix = useLocal ? [] : ['tsx'];
  const port = await freePort();
  let url: string | null = null;
  const proc = ctx.spawn({
    name: 'elasticsearch',
    logName: 'elasticsearch',
    command,
    args: [...prefix, cli, '--port', String(port)],
    cwd: ctx.repoRoot,
    onLine: (line) => {
      url ??= READY.exec(line)?.[1] ?? null;
    },
  });
  await waitUntil(proc, 'printing "es-standin listening on ..."', async () => url !== null, START_TIMEOUT_MS, 100);
  const announced = url as string | null;
  if (!announced) throw startFailure(proc, 'announced no address');
  await waitUntil(proc, `accepting TCP on ${announced}`, () => tcpAccepts(Number(new URL(announced).port)), 10_000);
  return announced;
}
