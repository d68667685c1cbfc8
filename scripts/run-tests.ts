import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { startStack } from './stack/stack';
import { ROOT, startSystem } from './system';

/**
 * `npm test`, in order: typecheck, the vitest projects (unit, stack, integration and end to end on the
 * real servers, console components), then the console's Playwright suite in Chromium against the
 * whole running system. Everything it starts, it stops. Exits non-zero if any step fails.
 */
const results: Array<{ step: string; ok: boolean }> = [];
const dataDir = path.join(ROOT, '.local', 'test');
mkdirSync(dataDir, { recursive: true });

function step(
  name: string,
  cmd: string,
  args: string[],
  env: Record<string, string> = {},
  cwd = ROOT,
): Promise<boolean> {
  console.log(`\n=== ${name}: ${cmd} ${args.join(' ')}`);
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd, stdio: 'inherit', env: { ...process.env, ...env } });
    child.on('exit', (code) => {
      results.push({ step: name, ok: code === 0 });
      resolve(code === 0);
    });
  });
}

/** Installs a Debian package the tests need (chromium, docker-compose) when its program is missing. */
function ensureDebianPackage(pkg: string, program: string): void {
  if (spawnSync('sh', ['-c', `command -v ${program}`]).status === 0) return;
  console.log(`Installing Debian package ${pkg}...`);
  const apt = ['-o', 'DPkg::Lock::Timeout=300'];
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  let r = spawnSync('apt-get', [...apt, 'install', '-y', '--no-install-recommends', pkg], { stdio: 'inherit', env });
  if (r.status !== 0) {
    spawnSync('apt-get', [...apt, 'update'], { stdio: 'inherit' });
    r = spawnSync('apt-get', [...apt, 'install', '-y', '--no-install-recommends', pkg], { stdio: 'inherit', env });
  }
  if (r.status !== 0) throw new Error(`Could not install ${pkg} (apt-get install ${pkg}); the tests need it.`);
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
  await step('vitest', bin('vitest'), ['run']);
  ensureDebianPackage('docker-compose', 'docker-compose');
  await step('docker-compose.yml is valid (docker-compose config -q)', 'docker-compose', [
    '--env-file',
    '.env.example',
    'config',
    '-q',
  ]);

  ensureDebianPackage('chromium', 'chromium');
  const system = await startSystem({
    dataDir,
    ports: { access: 3101, orchestrator: 3102, consumer: 3103, console: 8180 },
    serviceEnv: { RATE_LIMIT_PER_MINUTE: '100000', LOG_LEVEL: 'info' },
    log: (line) => console.log(`  system: ${line}`),
  });
  try {
    await step(
      'playwright (admin-web, Debian chromium)',
      bin('playwright'),
      ['test', '-c', 'admin-web/playwright.config.ts'],
      {
        CONSOLE_URL: system.urls.console!,
        ACCESS_API_URL: system.urls.access,
        ADMIN_EMAIL: system.admin.email,
        ADMIN_PASSWORD: system.admin.password,
        REDIS_URL: system.env.REDIS_URL ?? '',
        MAIL_INBOX_URL: system.env.MAIL_INBOX_URL ?? '',
      },
    );
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
process.exit(exitCode);
