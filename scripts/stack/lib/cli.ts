import { parseArgs } from 'node:util';

/** One option of a command line: node:util parseArgs's fields, plus what --help says about it. */
export interface CliOption {
  type: 'string' | 'boolean';
  multiple?: boolean;
  short?: string;
  default?: string | boolean | string[];
  /** What it does, for --help. */
  help: string;
  /** The value's name in --help (`--seed N`); for string options. */
  value?: string;
  /** The only values accepted; anything else is a usage error naming them. */
  choices?: readonly string[];
}

export interface CliSpec {
  /** How to run it: `npx tsx scripts/faults/run.ts [options]`. */
  usage: string;
  /** A line or two on what it does. */
  about?: string;
  options: Record<string, CliOption>;
  allowPositionals?: boolean;
}

const HELP: CliOption = { type: 'boolean', short: 'h', help: 'print this help and exit' };

/** The --help text: usage, what it does, every option with its default. */
export function cliHelp(spec: CliSpec): string {
  const rows = Object.entries({ ...spec.options, help: HELP }).map(([name, option]) => {
    const flag = `${option.short ? `-${option.short}, ` : '    '}--${name}${option.type === 'string' ? ` ${option.value ?? 'VALUE'}` : ''}`;
    const notes = [
      option.choices ? `one of ${option.choices.join(', ')}` : '',
      option.multiple ? 'may be repeated' : '',
      option.default !== undefined && option.default !== false ? `default ${String(option.default)}` : '',
    ].filter(Boolean);
    return [flag, `${option.help}${notes.length ? ` (${notes.join('; ')})` : ''}`] as const;
  });
  const width = Math.max(...rows.map(([flag]) => flag.length)) + 2;
  return [
    `usage: ${spec.usage}`,
    ...(spec.about ? ['', spec.about] : []),
    '',
    'options:',
    ...rows.map(([flag, text]) => `  ${flag.padEnd(width)}${text}`),
  ].join('\n');
}

type Parsed<T extends CliSpec> = ReturnType<
  typeof parseArgs<{ options: T['options']; strict: true; allowPositionals: boolean }>
>;

/**
 * node:util parseArgs, strict, for every command line of the project: the values, or what to print
 * and the exit code: --help prints every option (0); an unknown option, a missing value or a value
 * outside `choices` prints what was wrong and the help (2).
 */
export function readCli<const T extends CliSpec>(
  spec: T,
  argv: string[],
): Parsed<T> | { exitCode: 0 | 2; text: string } {
  const options = { ...spec.options, help: HELP };
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, strict: true, allowPositionals: spec.allowPositionals ?? false });
  } catch (error) {
    return { exitCode: 2, text: `${error instanceof Error ? error.message : String(error)}\n\n${cliHelp(spec)}` };
  }
  if (parsed.values.help) return { exitCode: 0, text: cliHelp(spec) };
  for (const [name, option] of Object.entries(spec.options)) {
    const given = (parsed.values as Record<string, unknown>)[name];
    const values = given === undefined ? [] : Array.isArray(given) ? given : [given];
    const wrong = option.choices ? values.filter((v) => !option.choices?.includes(String(v))) : [];
    if (wrong.length)
      return {
        exitCode: 2,
        text: `--${name} ${String(wrong[0])}: not one of ${option.choices?.join(', ')}\n\n${cliHelp(spec)}`,
      };
  }
  return parsed as Parsed<T>;
}

/** readCli() on this process's arguments; prints the help or the error and exits where it says so. */
export function parseCli<const T extends CliSpec>(spec: T, argv: string[] = process.argv.slice(2)): Parsed<T> {
  const result = readCli(spec, argv);
  if ('exitCode' in result) {
    (result.exitCode === 0 ? process.stdout : process.stderr).write(`${result.text}\n`);
    process.exit(result.exitCode);
  }
  return result;
}

/** A bad command line found after parsing: what was wrong, then the help; exit code 2. */
export function usageError(spec: CliSpec, message: string): never {
  process.stderr.write(`${message}\n\n${cliHelp(spec)}\n`);
  process.exit(2);
}
