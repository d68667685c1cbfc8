import { execFile } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCli, type CliSpec } from '../../scripts/stack/lib/cli';

const ROOT = path.resolve(import.meta.dirname, '../..');

const SPEC = {
  usage: 'npx tsx example.ts [options]',
  about: 'An example.',
  options: {
    profile: { type: 'string', value: 'NAME', default: 'full', choices: ['full', 'smoke'], help: 'how long' },
    skip: { type: 'string', value: 'NAME', multiple: true, choices: ['redis', 'kafka'], help: 'not this one' },
    'no-docs': { type: 'boolean', default: false, help: 'leave the docs alone' },
  },
} as const satisfies CliSpec;

describe('command lines (node:util parseArgs, strict)', () => {
  it('when --help is given, then every option is listed with its value, choices and default, and the exit code is 0', () => {
    const result = readCli(SPEC, ['--help']);
    expect(result).toMatchObject({ exitCode: 0 });
    const text = 'text' in result ? result.text : '';
    expect(text).toContain('usage: npx tsx example.ts [options]');
    expect(text).toMatch(/--profile NAME\s+how long \(one of full, smoke; default full\)/);
    expect(text).toMatch(/--skip NAME\s+not this one \(one of redis, kafka; may be repeated\)/);
    expect(text).toMatch(/--no-docs\s+leave the docs alone/);
    expect(text).toMatch(/-h, --help\s+print this help and exit/);
  });

  it('when an option is unknown, then it says which and shows the help, exit code 2', () => {
    const result = readCli(SPEC, ['--profile', 'smoke', '--porfile']);
    expect(result).toMatchObject({ exitCode: 2 });
    expect('text' in result && result.text).toMatch(/^Unknown option '--porfile'[\s\S]*usage: /);
  });

  it('when a value is not one of the choices, then the option and the choices are named, exit code 2', () => {
    expect(readCli(SPEC, ['--skip', 'redis', '--skip', 'mongo'])).toMatchObject({
      exitCode: 2,
      text: expect.stringMatching(/^--skip mongo: not one of redis, kafka\n/),
    });
    expect(readCli(SPEC, ['--profile'])).toMatchObject({ exitCode: 2 });
  });

  it('when the command line is right, then the values come with their defaults', () => {
    expect(readCli(SPEC, ['--skip', 'kafka', '--skip=redis'])).toMatchObject({
      values: { profile: 'full', skip: ['kafka', 'redis'], 'no-docs': false },
    });
  });

  // Each refuses before it starts anything; a timeout stops one that did not, with SIGTERM so it stops what it started.
  it.each([
    'scripts/stack/cli.ts',
    'scripts/start-system.ts',
    'scripts/run-tests.ts',
    'scripts/faults/run.ts',
    'bench/run.ts',
    'bench/experiments/kafka-linger.ts',
    'bench/hops/bare-express-server.ts',
  ])(
    'when %s gets an unknown option, then it exits 2 naming it, with its usage',
    async (file) => {
      const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
        execFile(
          process.execPath,
          ['--import', 'tsx', path.join(ROOT, file), '--no-such-option'],
          { cwd: ROOT, timeout: 30_000, killSignal: 'SIGTERM' },
          (error, _stdout, stderr) =>
            resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stderr }),
        );
      });
      expect(stderr).toMatch(/^Unknown option '--no-such-option'[\s\S]*\nusage: /);
      expect(code).toBe(2);
    },
    40_000,
  );
});
