/**
 * Starts the local servers and keeps them up until Ctrl-C / SIGTERM.
 * Prints the connection settings as KEY=value lines on stdout; progress goes to stderr.
 */
import { parseCli } from './lib/cli';
import { DEFAULT_DATA_DIR, SERVERS, startStack, type ServerName, type Stack } from './stack';

const { values: args } = parseCli({
  usage: 'npm run stack -- [options]   (or npx tsx scripts/stack/cli.ts [options])',
  about: 'Starts the local servers and keeps them up until Ctrl-C; prints their settings as KEY=value lines on stdout.',
  options: {
    'data-dir': {
      type: 'string',
      value: 'DIR',
      default: DEFAULT_DATA_DIR,
      help: 'where the servers keep data and logs',
    },
    skip: { type: 'string', value: 'NAME', multiple: true, choices: SERVERS, help: 'a server not to start' },
  },
});
const dataDir = args['data-dir'];
const skip = Object.fromEntries((args.skip ?? []).map((name) => [name, true])) as Partial<Record<ServerName, boolean>>;
const say = (line: string): void => {
  process.stderr.write(`[stack] ${line}\n`);
};

let stack: Stack | null = null;
let shuttingDown = false;
let toldToWait = false;

async function shutdown(signal: NodeJS.Signals): Promise<void> {
  if (shuttingDown) {
    // tsx and npm relay the terminal's signal too, so one Ctrl-C can arrive several times.
    if (!toldToWait) say(`${signal} again: still stopping, please wait`);
    toldToWait = true;
    return;
  }
  shuttingDown = true;
  if (!stack) {
    // Still starting: exiting lets the 'exit' handler signal whatever is already running.
    say(`${signal} during start-up, exiting`);
    process.exit(130);
  }
  say(`${signal}: stopping`);
  const t0 = Date.now();
  await stack.stop();
  say(`stopped after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  process.exit(0);
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => void shutdown(signal));
}

try {
  stack = await startStack({ dataDir, skip, log: say });
} catch (error) {
  say(error instanceof Error ? error.message : String(error));
  process.exit(1);
}
for (const [key, value] of Object.entries(stack.env)) process.stdout.write(`${key}=${value}\n`);
say('up; press Ctrl-C to stop');
// The servers run in their own process groups, so nothing else keeps this process alive.
setInterval(() => undefined, 1 << 30);
