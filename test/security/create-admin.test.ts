import { spawn } from 'node:child_process';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import pg from 'pg';
import { verifyPassword } from '../../consumer-mq/src/domain/passwords';

const CLI = path.resolve(import.meta.dirname, '../../consumer-mq/src/cli/create-admin.ts');

/** Runs `npm run admin:create` as the script line does (tsx on the CLI file), with its own env and stdin. */
function adminCreate(
  args: string[],
  env: Record<string, string | undefined>,
  stdin = '',
): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
      env: { PATH: process.env.PATH, ...env } as NodeJS.ProcessEnv,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out }));
    child.stdin.end(stdin);
  });
}

describe('npm run admin:create', () => {
  let db: pg.Client;
  let databaseUrl: string;
  const email = `cli.${randomBytes(4).toString('hex')}@security.test`;
  const hashOf = async (address: string) =>
    (await db.query<{ password_hash: string }>('select password_hash from admins where email = $1', [address])).rows[0]
      ?.password_hash;

  beforeAll(async () => {
    databaseUrl = inject('stackEnv').DATABASE_URL;
    db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
  });

  afterAll(async () => {
    await db?.query('delete from admins where email = $1', [email]);
    await db?.end();
  });

  it('when the password is too weak, then nothing is created and the rule is named', async () => {
    const res = await adminCreate(['--email', email], { DATABASE_URL: databaseUrl, ADMIN_PASSWORD: 'Sh0rt!' });
    expect(res.code).toBe(1);
    expect(res.out).toContain('Must be at least 12 characters');
    const mixed = await adminCreate(['--email', email], {
      DATABASE_URL: databaseUrl,
      ADMIN_PASSWORD: 'alllowercaseletters',
    });
    expect(mixed.out).toContain('Must mix at least three of');
    expect(await hashOf(email)).toBeUndefined();
  });

  it('when given an email and ADMIN_PASSWORD, then it creates the admin with a scrypt hash, normalizing the email, and never prints the password', async () => {
    const password = `Cli-${randomBytes(6).toString('base64url')}-7q`;
    const res = await adminCreate(['--email', `  ${email.toUpperCase()} `], {
      DATABASE_URL: databaseUrl,
      ADMIN_PASSWORD: password,
    });
    expect(res.code, res.out).toBe(0);
    expect(res.out).toContain(`admin ${email} created`);
    expect(res.out).not.toContain(password);
    const hash = (await hashOf(email))!;
    expect(hash).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(await verifyPassword(password, hash)).toBe(true);

    const again = await adminCreate(['--email', email], {
      DATABASE_URL: databaseUrl,
      ADMIN_PASSWORD: 'Another-Passw0rd!',
    });
    expect(again.code).toBe(1);
    expect(again.out).toContain('already exists; use --reset');
    expect(await hashOf(email)).toBe(hash);
  });

  it('when --reset gets a new password typed twice on stdin, then the password changes; a mismatch or an unknown admin changes nothing', async () => {
    const before = (await hashOf(email))!;
    const mismatch = await adminCreate(
      ['--email', email, '--reset'],
      { DATABASE_URL: databaseUrl },
      'Reset-Passw0rd!x\nReset-Passw0rd!y\n',
    );
    expect(mismatch.code).toBe(1);
    expect(mismatch.out).toContain('the two passwords differ');
    expect(await hashOf(email)).toBe(before);

    const unknown = await adminCreate(
      ['--reset'],
      { DATABASE_URL: databaseUrl },
      `nobody.${randomBytes(3).toString('hex')}@security.test\nReset-Passw0rd!x\nReset-Passw0rd!x\n`,
    );
    expect(unknown.code).toBe(1);
    expect(unknown.out).toContain('run without --reset to create it');

    const res = await adminCreate(
      ['--email', email, '--reset'],
      { DATABASE_URL: databaseUrl },
      'Reset-Passw0rd!x\nReset-Passw0rd!x\n',
    );
    expect(res.code, res.out).toBe(0);
    expect(res.out).toContain(`password changed for admin ${email}`);
    expect(res.out).not.toContain('Reset-Passw0rd!x');
    const after = (await hashOf(email))!;
    expect(after).not.toBe(before);
    expect(await verifyPassword('Reset-Passw0rd!x', after)).toBe(true);
  });

  it('when DATABASE_URL is missing, the email is invalid, or an option is unknown, then it exits with a reason and a distinct code', async () => {
    expect((await adminCreate(['--email', email], { ADMIN_PASSWORD: 'Strong-Passw0rd!' })).code).toBe(78);
    const bad = await adminCreate(['--email', 'not-an-email'], {
      DATABASE_URL: databaseUrl,
      ADMIN_PASSWORD: 'Strong-Passw0rd!',
    });
    expect(bad.code).toBe(1);
    expect(bad.out).toContain('not a valid email address');
    expect((await adminCreate(['--mail', email], { DATABASE_URL: databaseUrl })).code).toBe(64);
  });
});
