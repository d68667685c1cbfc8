import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { runSchemathesis } from './schemathesis';
import { parseCli } from './stack/lib/cli';
import { readLogTail, runInTerminal } from './stack/lib/processes';
import { which } from './stack/lib/programs';
import { aptInstall } from './stack/install';
import { startStack } from './stack/stack';
import { ROOT, startSystem } from './system';

parseCli({
  usage: 'npm test',
  about:
    'Every check in order, on real servers it starts and stops: typecheck, lint, format, vitest, Playwright, schemathesis, faults, bench smoke.',
  options: {},
});

/**
 * `npm test`, in order: typecheck, the vitest projects (unit, stack, integration and end to end on the
 * real servers, console components), then the console's Playwright suite in Chromium against the
 * whole running system, and schemathesis against the same system's two OpenAPI documents. Everything
 * it starts, it stops. Exits non-zero if any step fails.
 */
const results: Array<{ step: string; ok: boolean }> = [];
const dataDir = path.join(ROOT, '.local', 'test');
mkdirSync(dataDir, { recursive: true });
// Each test runner also writes a JSON report here; the summary at the end counts the tests from them.
const reportDir = path.join(dataDir, 'reports');
rmSync(reportDir, { recursive: true, force: true });
mkdirSync(reportDir, { recursive: true });
const vitestReport = path.join(reportDir, 'vitest.json');
const playwrightReport = path.join(reportDir, 'playwright.json');
// Plain text when the output is a log (CI), not a terminal: runners colour their output whenever CI is
// set, and escape codes in a log file get between a reader's grep and the words.
const plainOutput: Record<string, string> = process.stdout.isTTY ? {} : { NO_COLOR: '1' };
if (!process.stdout.isTTY) delete process.env.FORCE_COLOR; // Node warns when both are set

async function step(
  name: string,
  cmd: string,
  args: string[],
  env: Record<string, string> = {},
  cwd = ROOT,
): Promise<boolean> {
  console.log(`\n=== ${name}: ${cmd} ${args.join(' ')}`);
  const ok = (await runInTerminal(cmd, args, { cwd, env: { ...process.env, ...plainOutput, ...env } })) === 0;
  results.push({ step: name, ok });
  return ok;
}

/** Installs a Debian package the tests need (chromium, docker-compose) when its program is missing. */
async function ensureDebianPackage(pkg: string, program: string): Promise<void> {
  if (which(program)) return;
  const logFile = path.join(dataDir, 'logs', 'install.log');
  if ((await aptInstall([pkg], { log: (line) => console.log(line), logFile })) !== 0)
    throw new Error(
      `Could not install ${pkg} (apt-get install ${pkg}); the tests need it. See ${logFile}:\n${readLogTail(logFile)}`,
    );
}

const bin = (name: string) => path.join(ROOT, 'node_modules', '.bin', name);

let exitCode = 1;
const stack = await startStack({ dataDir, log: (line) => console.log(`  stack: ${line}`) });
try {
  Object.assign(process.env, stack.env);
  await step('typecheck (services, scripts, tests)', bin('tsc'), ['-p', 'tsconfig.json']);
  await step('typecheck (admin-web)', bin('tsc'), ['-p', 'admin-web/tsconfig.json']);
  await step('lint (incl. architecture rules)', bin('eslint'), ['.']);
  await step('format (prettier --check)', bin('prettier'), ['--check', '.']);
  await step('npm audit --audit-level=high', 'node', ['scripts/audit.mjs']);
  await step('vitest', bin('vitest'), [
    'run',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${vitestReport}`,
  ]);
  await ensureDebianPackage('docker-compose', 'docker-compose');
  await step('docker-compose.yml is valid (docker-compose config -q)', 'docker-compose', [
    '--env-file',
    '.env.example',
    'config',
    '-q',
  ]);

  await ensureDebianPackage('chromium', 'chromium');
  const system = await startSystem({
    dataDir,
    ports: { access: 3101, orchestrator: 3102, consumer: 3103, console: 8180 },
    // TRUST_PROXY: the API fuzzer below signs in wrongly many times, from an X-Forwarded-For address of
    // its own, so the throttle it trips is not 127.0.0.1's (where the browser suite signs in).
    serviceEnv: { RATE_LIMIT_PER_MINUTE: '100000', TRUST_PROXY: 'true', LOG_LEVEL: 'info' },
    log: (line) => console.log(`  system: ${line}`),
  });
  try {
    await step(
      'playwright (admin-web, Debian chromium)',
      bin('playwright'),
      ['test', '-c', 'admin-web/playwright.config.ts', '--reporter=list,json'],
      {
        PLAYWRIGHT_JSON_OUTPUT_FILE: playwrightReport,
        CONSOLE_URL: system.urls.console!,
        ACCESS_API_URL: system.urls.access,
        ADMIN_EMAIL: system.admin.email,
        ADMIN_PASSWORD: system.admin.password,
        REDIS_URL: system.env.REDIS_URL ?? '',
        MAIL_INBOX_URL: system.env.MAIL_INBOX_URL ?? '',
      },
    );
    // schemathesis against both OpenAPI documents, on the same running system (scripts/schemathesis.ts).
    console.log('\n=== schemathesis (the access, admin and search APIs against their OpenAPI documents)');
    const fuzz = await runSchemathesis({
      access: system.urls.access,
      consumer: system.urls.consumer,
      search: system.urls.orchestrator,
      admin: system.admin,
      redisUrl: system.env.REDIS_URL!,
      reportDir: path.join(dataDir, 'schemathesis'),
    }).catch((err: unknown) => ({ ok: false, summaries: [`did not run: ${String(err)}`] }));
    for (const line of fuzz.summaries) console.log(`  ${line}`);
    results.push({ step: 'schemathesis (npm run test:schemathesis)', ok: fuzz.ok });
  } finally {
    await system.stop();
  }
  // The fault-injection suite's ci profile (about 3-4 minutes, its own stack and ports): SIGKILLs,
  // server restarts and a Kafka cut under load, then every accepted registration checked in every
  // store. A fixed seed keeps CI's faults the same run to run; `npm run test:faults` picks a new one.
  await step('fault injection (npm run test:faults, ci profile)', bin('tsx'), [
    'scripts/faults/run.ts',
    '--profile',
    'ci',
    '--seed',
    '623301235',
  ]);
  // The benchmark's smoke profile (about a minute, its own stack and ports 3401-3404): proves `npm run
  // bench` works from a clean clone and prints every figure; it fails on errors, never on a timing.
  await step('benchmark smoke (npm run bench:smoke)', bin('tsx'), ['bench/run.ts', '--profile', 'smoke']);
  exitCode = results.every((r) => r.ok) ? 0 : 1;
} catch (err) {
  console.error(err);
} finally {
  await stack.stop();
}

console.log('\n=== summary');
for (const r of results) console.log(`${r.ok ? 'ok  ' : 'FAIL'}  ${r.step}`);
const failed = results.filter((r) => !r.ok).length;
console.log(`steps: ${results.length - failed} passed, ${failed} failed`);
for (const line of testCounts()) console.log(line);
process.exit(exitCode);

/** One line per test runner that wrote its JSON report: how many tests ran, passed, failed, were skipped. */
function testCounts(): string[] {
  const read = (file: string): unknown => (existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : null);
  const lines: string[] = [];
  const vitest = read(vitestReport) as {
    numTotalTests: number;
    numPassedTests: number;
    numFailedTests: number;
    numPendingTests: number;
    numTodoTests: number;
    numTotalTestSuites: number;
    testResults: unknown[];
  } | null;
  if (vitest)
    lines.push(
      `vitest tests: ${vitest.numTotalTests} run, ${vitest.numPassedTests} passed, ${vitest.numFailedTests} failed, ` +
        `${vitest.numPendingTests + vitest.numTodoTests} skipped (${vitest.testResults.length} files)`,
    );
  const playwright = read(playwrightReport) as {
    stats: { expected: number; unexpected: number; flaky: number; skipped: number };
  } | null;
  if (playwright) {
    const { expected, unexpected, flaky, skipped } = playwright.stats;
    lines.push(
      `playwright tests: ${expected + unexpected + flaky + skipped} run, ${expected} passed, ${unexpected} failed, ` +
        `${flaky} flaky, ${skipped} skipped`,
    );
  }
  return lines;
}
