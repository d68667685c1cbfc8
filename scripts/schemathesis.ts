import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createClient } from 'redis';
import { signInFailureKeys } from '../consumer-mq/src/data-access/session-store';
import { parseCli, usageError } from './stack/lib/cli';
import { runCommand, runInTerminal } from './stack/lib/processes';
import { aptInstall } from './stack/install';
import { ROOT, startSystem } from './system';

/**
 * An independent fuzzer against both OpenAPI documents: schemathesis (Python, from PyPI) generates
 * requests from each document, valid and invalid, sends them to the running service, and checks every
 * answer against the document: no 5xx, only documented statuses, content types and headers, bodies
 * that match their schemas, invalid input refused, auth enforced where the document says so.
 *
 *   npm run test:schemathesis [-- --seed N]   starts its own system (ports 3621-3623) and stops it after
 *
 * `npm test` calls runSchemathesis() with the system its browser suite ran against. Schemathesis lives in
 * a venv under .local/cache/, created here on first use, so a fresh machine needs only python3.
 */
export const SCHEMATHESIS_VERSION = '4.32.5';
const VENV = path.join(ROOT, '.local', 'cache', 'venv-schemathesis');
const ST = path.join(VENV, 'bin', 'st');
const CONFIG = path.join(ROOT, 'scripts', 'schemathesis.toml');
/** Per API: about 10 s (access, search) and 40 s (admin) on two busy cores. */
const RUN_LIMIT_MS = 180_000;

export interface FuzzOptions {
  access: string;
  consumer: string;
  /** The orchestrator's search API. */
  search: string;
  admin: { email: string; password: string };
  /** The admin API's Redis, where the fuzzer's failed sign-ins are forgotten after the run. */
  redisUrl: string;
  /** Where the reports go (JUnit XML per API). */
  reportDir: string;
  seed?: number;
  log?: (line: string) => void;
}

/** Installs schemathesis into its venv unless that version is there already; returns the `st` program. */
export async function ensureSchemathesis(log: (line: string) => void = console.log): Promise<string> {
  const installed = existsSync(ST) ? (await runCommand(ST, ['--version'])).stdout : '';
  if (installed.includes(SCHEMATHESIS_VERSION)) return ST;
  log(`installing schemathesis ${SCHEMATHESIS_VERSION} into ${path.relative(ROOT, VENV)}`);
  mkdirSync(path.dirname(VENV), { recursive: true });
  const createVenv = () => runInTerminal('python3', ['-m', 'venv', '--clear', VENV]);
  let venv = await createVenv();
  // Debian's python3 leaves venv (ensurepip) to a package of its own.
  if (venv !== 0) {
    const logFile = path.join(ROOT, '.local', 'cache', 'install.log');
    if ((await aptInstall(['python3-venv'], { log, logFile })) === 0) venv = await createVenv();
  }
  if (venv !== 0) throw new Error('python3 -m venv failed: install python3 and python3-venv');
  const pip = await runInTerminal(path.join(VENV, 'bin', 'pip'), [
    'install',
    '-q',
    `schemathesis==${SCHEMATHESIS_VERSION}`,
  ]);
  if (pip !== 0) throw new Error(`pip install schemathesis==${SCHEMATHESIS_VERSION} failed`);
  return ST;
}

/** Signs in as the admin: the cookie and CSRF token schemathesis sends with every admin request. */
async function adminCredentials(consumerUrl: string, admin: FuzzOptions['admin']) {
  const res = await fetch(`${consumerUrl}/admin/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(admin),
  });
  if (res.status !== 200) throw new Error(`admin sign-in answered ${res.status}: ${await res.text()}`);
  const { csrfToken } = (await res.json()) as { csrfToken: string };
  return { cookie: res.headers.get('set-cookie')!.split(';')[0]!, csrfToken };
}

/**
 * Runs schemathesis against both APIs, one after the other; resolves with one line of figures per API
 * and whether all passed.
 */
export async function runSchemathesis(opts: FuzzOptions): Promise<{ ok: boolean; summaries: string[] }> {
  const log = opts.log ?? console.log;
  const st = await ensureSchemathesis(log);
  mkdirSync(opts.reportDir, { recursive: true });
  // Failed sign-ins are throttled per client address and per account. The fuzzer's many wrong passwords
  // come from a documentation-range address of its own (the services trust X-Forwarded-For here), not
  // from 127.0.0.1, where the console's browser tests sign in; and the admin's email, which it reads in
  // answers and tries with other passwords, is unthrottled again after the run (and before, after a
  // run that was killed).
  const address = `203.0.113.${1 + Math.floor(Math.random() * 254)}`;
  const forgetFailedSignIns = () => clearSignInFailures(opts.redisUrl, opts.admin.email, address);
  await forgetFailedSignIns();
  try {
    return await fuzz(st, opts, address, log);
  } finally {
    await forgetFailedSignIns();
  }
}

async function clearSignInFailures(redisUrl: string, email: string, address: string): Promise<void> {
  const redis = createClient({ url: redisUrl });
  redis.on('error', () => {});
  await redis.connect();
  try {
    await redis.del([...signInFailureKeys(email.toLowerCase(), address)]);
  } finally {
    await redis.close();
  }
}

async function fuzz(
  st: string,
  opts: FuzzOptions,
  address: string,
  log: (line: string) => void,
): Promise<{ ok: boolean; summaries: string[] }> {
  const { cookie, csrfToken } = await adminCredentials(opts.consumer, opts.admin);
  const env = {
    ...process.env,
    REGFLOW_FUZZ_ADDRESS: address,
    REGFLOW_SESSION: cookie.slice(cookie.indexOf('=') + 1),
    REGFLOW_CSRF: csrfToken,
  };
  const runs = [
    { name: 'access-api', url: opts.access },
    { name: 'consumer-mq', url: opts.consumer },
    { name: 'orchestrator-api', url: opts.search },
  ];
  const summaries: string[] = [];
  let ok = true;
  for (const run of runs) {
    const junit = path.join(opts.reportDir, `${run.name}.xml`);
    const args = ['--config-file', CONFIG, 'run', `${run.url}/openapi.json`, '--no-color'];
    args.push('--seed', String(opts.seed ?? 20261202), '--report', 'junit', '--report-junit-path', junit);
    log(`schemathesis against ${run.name}: st ${args.join(' ')}`);
    const started = Date.now();
    // The cases are bounded in number (schemathesis.toml); the time limit bounds a run that hangs all
    // the same. Its report is printed when it ends.
    const answer = await runCommand(st, args, { cwd: opts.reportDir, env, timeoutMs: RUN_LIMIT_MS });
    process.stdout.write(answer.stdout + answer.stderr);
    if (answer.code === null) log(`schemathesis against ${run.name}: stopped after ${RUN_LIMIT_MS / 1000} s`);
    const code = answer.code ?? 1;
    const seconds = Math.round((Date.now() - started) / 1000);
    summaries.push(`${run.name}: ${junitFigures(junit)}, exit ${code}, ${seconds} s`);
    if (code !== 0) ok = false;
  }
  return { ok, summaries };
}

/** "N operations, N failures, N errors" from a JUnit report (the run's own output has the detail). */
function junitFigures(file: string): string {
  if (!existsSync(file)) return 'no report';
  const xml = readFileSync(file, 'utf8');
  const attr = (name: string) => Number(new RegExp(`<testsuite [^>]*${name}="(\\d+)"`).exec(xml)?.[1] ?? NaN);
  return `${attr('tests')} operations, ${attr('failures')} failed, ${attr('errors')} errors`;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const CLI = {
    usage: 'npm run test:schemathesis -- [options]',
    about:
      'schemathesis against the access, admin and search APIs, on a system of its own (ports 3621-3623), stopped after.',
    options: {
      seed: { type: 'string', value: 'N', default: '20261202', help: "schemathesis's random seed" },
    },
  } as const;
  const { values } = parseCli(CLI);
  const seed = Number(values.seed);
  if (!Number.isInteger(seed)) usageError(CLI, `--seed must be an integer (got ${values.seed})`);
  const dataDir = path.join(ROOT, '.local', 'schemathesis');
  const system = await startSystem({
    dataDir,
    ports: { access: 3621, orchestrator: 3622, consumer: 3623 },
    console: false,
    serviceEnv: { RATE_LIMIT_PER_MINUTE: '100000', TRUST_PROXY: 'true' },
    log: (line) => console.log(`  system: ${line}`),
  });
  let result = { ok: false, summaries: [] as string[] };
  try {
    result = await runSchemathesis({
      access: system.urls.access,
      consumer: system.urls.consumer,
      search: system.urls.orchestrator,
      admin: system.admin,
      redisUrl: system.env.REDIS_URL!,
      reportDir: path.join(dataDir, 'reports'),
      seed,
    });
  } finally {
    await system.stop();
  }
  for (const line of result.summaries) console.log(line);
  process.exit(result.ok ? 0 : 1);
}
