import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { freePort, HOST, StartError, tcpAccepts, waitUntil } from '../lib/net';
import type { ServerContext } from './context';

const START_TIMEOUT_MS = 30_000;

/** The local mail server's addresses: where the services send (SMTP) and where people and tests read (web inbox and its HTTP API). */
export interface MailServer {
  SMTP_URL: string;
  MAIL_INBOX_URL: string;
}

/** maildev's entry script, from the repo's own node_modules (a devDependency pinned to the version compose runs). */
export function maildevScript(repoRoot: string): string | null {
  try {
    // The package's exports do not include package.json; its folder is found through node's lookup paths.
    const require = createRequire(path.join(repoRoot, 'package.json'));
    const pkgFile = (require.resolve.paths('maildev') ?? [])
      .map((dir) => path.join(dir, 'maildev', 'package.json'))
      .find((file) => fs.existsSync(file));
    if (!pkgFile) return null;
    const pkg = JSON.parse(fs.readFileSync(pkgFile, 'utf8')) as { bin: Record<string, string> };
    const bin = pkg.bin.maildev;
    return bin ? path.join(path.dirname(pkgFile), bin) : null;
  } catch {
    return null;
  }
}

/**
 * maildev: a real SMTP server that keeps what it receives (in the data dir, so a restart of the
 * server keeps the inbox) and shows it in a web inbox whose HTTP API (`/api/email`) the tests read.
 * It relays nothing anywhere: every message of a local run stays on this machine.
 */
export async function startMail(ctx: ServerContext, ports: { smtp?: number; web?: number } = {}): Promise<MailServer> {
  const script = maildevScript(ctx.repoRoot);
  if (!script) throw new StartError('mail: maildev not found in node_modules (run npm ci)');
  const dir = path.join(ctx.dataDir, 'mail');
  fs.mkdirSync(dir, { recursive: true });
  // Fixed ports: a test that starts its mail server late, on the port the services were given.
  const smtpPort = ports.smtp ?? (await freePort());
  const webPort = ports.web ?? (await freePort());
  const proc = ctx.spawn({
    name: 'mail',
    command: process.execPath,
    args: [
      script,
      '--ip',
      HOST,
      '--smtp',
      String(smtpPort),
      '--web-ip',
      HOST,
      '--web',
      String(webPort),
      '--mail-directory',
      dir,
      // Bounded, so a data dir used by many test runs does not grow without end.
      '--max-emails',
      '5000',
    ],
    cwd: dir,
    stopTimeoutMs: 10_000,
  });
  const inbox = `http://${HOST}:${webPort}`;
  await waitUntil(
    proc,
    'answering SMTP and HTTP',
    async () => {
      if (!(await tcpAccepts(smtpPort))) return false;
      try {
        const res = await fetch(`${inbox}/api/healthz`, { signal: AbortSignal.timeout(1_000) });
        return res.ok;
      } catch {
        return false;
      }
    },
    START_TIMEOUT_MS,
  );
  return { SMTP_URL: `smtp://${HOST}:${smtpPort}`, MAIL_INBOX_URL: inbox };
}
