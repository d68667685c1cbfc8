/**
 * `npm run admin:create -- --email admin@example.com [--reset]`
 *
 * Creates an admin, or with --reset sets a new password for an existing one. The password comes from
 * ADMIN_PASSWORD, or is asked for twice with the typing hidden (or read from piped stdin), so it never
 * has to appear in the shell history or the process list. Exit codes: 0 done, 1 refused (weak
 * password, bad email, admin exists or is missing), 64 bad usage, 78 DATABASE_URL missing.
 */
import { Writable } from 'node:stream';
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { createLogger } from '@regflow/common';
import { AdminsRepository } from '../data-access/admins-repository';
import { createDatabase, migrateWithLock } from '../data-access/db/database';
import { hashPassword, passwordProblem } from '../domain/passwords';

class Refusal extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

const USAGE = 'usage: npm run admin:create -- --email <email> [--reset]   (password from ADMIN_PASSWORD or asked for)';

/**
 * One readline for every question, read through its line iterator: with piped stdin all lines arrive at
 * once, and the iterator keeps those not asked for yet.
 */
function terminal() {
  let muted = false;
  const output = new Writable({
    write(chunk: Buffer, encoding: BufferEncoding, done) {
      if (!muted) process.stdout.write(chunk, encoding);
      done();
    },
  });
  const rl = createInterface({ input: process.stdin, output, terminal: process.stdin.isTTY === true });
  const lines = rl[Symbol.asyncIterator]();
  const ask = async (question: string, hidden: boolean) => {
    rl.setPrompt(question);
    rl.prompt();
    // The prompt is written; from here on, what is typed is not echoed.
    muted = hidden;
    try {
      const next = await lines.next();
      if (next.done) throw new Refusal('no answer on stdin');
      return next.value as string;
    } finally {
      muted = false;
      if (hidden && process.stdin.isTTY) process.stdout.write('\n');
    }
  };
  return { ask, close: () => rl.close() };
}

async function main(): Promise<string> {
  let args;
  try {
    args = parseArgs({
      options: {
        email: { type: 'string' },
        reset: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
      strict: true,
    });
  } catch (err) {
    throw new Refusal(`${(err as Error).message}\n${USAGE}`, 64);
  }
  if (args.values.help) return USAGE;
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) throw new Refusal('DATABASE_URL is not set: point it at the Postgres database of consumer-mq.', 78);

  const io = terminal();
  let email: string;
  let password: string;
  try {
    // The same normalization as sign-in, so the account created is the account that signs in.
    const rawEmail = args.values.email ?? (await io.ask('Admin email: ', false));
    email = rawEmail.normalize('NFKC').trim().toLowerCase();
    if (!z.email().safeParse(email).success)
      throw new Refusal(`not a valid email address: ${JSON.stringify(rawEmail)}`);
    if (process.env.ADMIN_PASSWORD !== undefined) {
      password = process.env.ADMIN_PASSWORD;
    } else {
      password = await io.ask('Password: ', true);
      if ((await io.ask('Password again: ', true)) !== password)
        throw new Refusal('the two passwords differ; nothing was changed.');
    }
  } finally {
    io.close();
  }
  const problem = passwordProblem(password);
  if (problem) throw new Refusal(`password too weak: ${problem}`);

  const logger = createLogger('admin-create', process.env.LOG_LEVEL ?? 'warn');
  const { pool, db } = createDatabase(databaseUrl, logger);
  try {
    await migrateWithLock(pool, logger);
    const admins = new AdminsRepository(db);
    const existing = await admins.findByEmail(email);
    if (args.values.reset) {
      if (!existing) throw new Refusal(`no admin ${email}; run without --reset to create it.`);
      await admins.setPassword(email, await hashPassword(password));
      // Sessions are not tied to the password; those already open end at their idle or absolute expiry.
      return `password changed for admin ${email}`;
    }
    if (existing || !(await admins.createIfMissing(email, await hashPassword(password)))) {
      throw new Refusal(`admin ${email} already exists; use --reset to change the password.`);
    }
    return `admin ${email} created`;
  } finally {
    await pool.end();
  }
}

main().then(
  (message) => {
    process.stdout.write(`${message}\n`);
  },
  (err: unknown) => {
    if (err instanceof Refusal) {
      process.stderr.write(`admin:create: ${err.message}\n`);
      process.exitCode = err.exitCode;
      return;
    }
    process.stderr.write(`admin:create: failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
