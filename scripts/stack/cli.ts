/**
 * Starts the local servers and keeps them up until Ctrl-C / SIGTERM.
 *   tsx scripts/stack/cli.ts [--data-dir DIR] [--skip NAME]...
 * Prints the connection settings as KEY=value lines on stdout; progress goes to stderr.
 */
import { DEFAULT_DATA_DIR, SERVERS, startStack, type ServerName, type Stack } from './stack';

function usage(message?: string): never {
  if (message) process.stderr.write(`${message}\n`);
  process.stderr.write(
    `usage: tsx scripts/stack/cli.ts [--data-dir DIR] [--skip ${SERVERS.join('|')}]...\n` +
      `  default data dir: ${DEFAULT_DATA_DIR}\n`,
  );
  process.exit(2);
}

function parseArgs(argv: string[]): { dataDir: string; skip: Partial<Record<ServerName, boolean>> } {
  let dataDir = DEFAULT_DATA_DIR;
  const skip: Partial<Record<ServerName, boolean>> = {};
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    const value = argv[i + 1];
    if (arg === '--data-dir' && value) {
      dataDir = value;
      i += 1;
    } else if (arg?.startsWith('--data-dir=')) {
      dataDir = arg.slice('--data-dir='.length);
    } else if (arg === '--skip' && value) {
      if (!(SERVERS as readonly string[]).includes(value)) usage(`unknown server: ${value}`);
      skip[value as ServerName] = true;
      i += 1;
    } else if (arg === '--help' || arg === '-h') {
      usage();
    } else {
      usage(`unknown argument: ${String(arg)}`);
    }
  }
  return { dataDir, skip };
}

const { dataDir, skip } = parseArgs(process.argv.slice(2));
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
