import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { configSchema as accessApi } from '../../access-api/src/config';
import { configSchema as consumerMq } from '../../consumer-mq/src/config';
import { configSchema as orchestratorApi } from '../../orchestrator-api/src/config';

/**
 * The services' config schemas are the one list of the variables they read; .env.example,
 * docker-compose.yml and the README's configuration table are checked against them. The README's and
 * docs' `npm run` commands are checked against the package.json scripts they name.
 */
const ROOT = path.resolve(import.meta.dirname, '..', '..');
const read = (file: string): string => fs.readFileSync(path.join(ROOT, file), 'utf8');

const SCHEMAS = { 'access-api': accessApi, 'orchestrator-api': orchestratorApi, 'consumer-mq': consumerMq };
type Service = keyof typeof SCHEMAS;
const SERVICES = Object.keys(SCHEMAS) as Service[];

const fieldsOf = (service: Service): Record<string, z.ZodType> => SCHEMAS[service].shape;
const readersOf = (name: string): Service[] => SERVICES.filter((service) => name in fieldsOf(service));
const READ_BY_SERVICES = [...new Set(SERVICES.flatMap((service) => Object.keys(fieldsOf(service))))].sort();

/** .env.example's sections: "# --- <title>" lines; a title starting "Compose only" holds no service's variables. */
interface EnvExampleEntry {
  name: string;
  value: string;
  commented: boolean;
  section: string;
}

function envExample(): EnvExampleEntry[] {
  const entries: EnvExampleEntry[] = [];
  let section = '';
  for (const line of read('.env.example').split('\n')) {
    const header = /^# --- (.*?)[\s-]*$/.exec(line);
    if (header) {
      section = header[1] ?? '';
      continue;
    }
    const entry = /^(#\s*)?([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
    if (entry) entries.push({ name: entry[2]!, value: entry[3]!, commented: entry[1] !== undefined, section });
  }
  return entries;
}

const composeOnly = (entry: EnvExampleEntry) => entry.section.startsWith('Compose only');
const serviceSetting = (entry: EnvExampleEntry) => entry.section.startsWith('Services');

const compose = read('docker-compose.yml');

/** The keys of one compose service's `environment:` map. */
function composeEnvironment(service: string): string[] {
  const lines = compose.split('\n');
  const start = lines.indexOf(`  ${service}:`);
  const keys: string[] = [];
  let inEnvironment = false;
  for (const line of lines.slice(start + 1)) {
    if (/^ {0,2}\S/.test(line)) break; // the next service or top-level key
    if (/^ {4}\S/.test(line)) inEnvironment = line === '    environment:';
    const key = inEnvironment ? /^ {6}([A-Z][A-Z0-9_]*):/.exec(line)?.[1] : undefined;
    if (key) keys.push(key);
  }
  return keys;
}

describe('.env.example', () => {
  const entries = envExample();
  const listed = entries.map((e) => e.name);

  it('when a service reads a variable, then .env.example lists it', () => {
    expect(READ_BY_SERVICES.filter((name) => !listed.includes(name))).toEqual([]);
  });

  it('when .env.example lists a variable outside its compose-only sections, then a service reads it', () => {
    const unread = entries.filter((e) => !composeOnly(e) && readersOf(e.name).length === 0).map((e) => e.name);
    expect(unread).toEqual([]);
  });

  it('when a variable is marked compose only, then no service reads it and compose uses it', () => {
    // COMPOSE_*: Compose's own settings (COMPOSE_PROJECT_NAME), read by the client, not interpolated.
    const usedByCompose = (name: string) => name.startsWith('COMPOSE_') || compose.includes(`\${${name}`);
    const wrong = entries.filter(composeOnly).filter((e) => readersOf(e.name).length > 0 || !usedByCompose(e.name));
    expect(wrong.map((e) => e.name)).toEqual([]);
  });

  it('when docker-compose.yml interpolates a variable, then .env.example lists it', () => {
    // $${X} is an escaped $ for the container's shell, not an interpolation.
    const used = [...compose.matchAll(/(?<!\$)\$\{([A-Z][A-Z0-9_]*)/g)].map((m) => m[1]!);
    expect([...new Set(used)].filter((name) => !listed.includes(name))).toEqual([]);
  });

  it('when a service setting is set in .env, then compose passes it to every service that reads it', () => {
    const missing = entries.filter(serviceSetting).flatMap((e) =>
      readersOf(e.name)
        .filter((service) => !composeEnvironment(service).includes(e.name))
        .map((service) => `${service}: ${e.name}`),
    );
    expect(missing).toEqual([]);
  });

  it('when a service setting is commented out, then its value is the default of every service that reads it', () => {
    for (const entry of entries.filter((e) => serviceSetting(e) && e.commented)) {
      for (const service of readersOf(entry.name)) {
        const field = fieldsOf(service)[entry.name]!;
        expect(field.parse(entry.value), `${entry.name} in ${service}`).toEqual(field.parse(undefined));
      }
    }
  });
});

/** Markdown files of the repository, not of its dependencies or outputs. */
function markdownFiles(dir = ROOT): string[] {
  const skip = new Set([
    'node_modules',
    '.git',
    '.local',
    'dist',
    'test-results',
    'playwright-report',
    'bench-results',
  ]);
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (skip.has(entry.name)) return [];
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return markdownFiles(full);
    return entry.name.endsWith('.md') ? [path.relative(ROOT, full)] : [];
  });
}

/** The package a document's commands run in: the nearest package.json above it. */
function packageDirOf(file: string): string {
  let dir = path.dirname(file);
  while (dir !== '.' && !fs.existsSync(path.join(ROOT, dir, 'package.json'))) dir = path.dirname(dir);
  return dir;
}

const scriptsOf = (dir: string): string[] =>
  Object.keys((JSON.parse(read(path.join(dir, 'package.json'))) as { scripts?: object }).scripts ?? {});

describe('README and docs', () => {
  it('when a document names an npm command, then the package it runs in has that script', () => {
    const missing: string[] = [];
    for (const file of markdownFiles()) {
      for (const m of read(file).matchAll(
        /\bnpm (?:run ([\w:.-]+)|(start|test)\b)(?: (?:-w|--workspace)[= ]([\w<>@/-]+))?/g,
      )) {
        const script = (m[1] ?? m[2])!;
        const workspace = m[3];
        // `-w <service>`: any of the three services.
        const dirs = workspace === '<service>' ? SERVICES : workspace ? [workspace] : [packageDirOf(file)];
        for (const dir of dirs)
          if (!scriptsOf(dir).includes(script))
            missing.push(`${file}: npm ${m[1] ? 'run ' : ''}${script} (${dir}/package.json)`);
      }
    }
    expect(missing).toEqual([]);
  });

  /** The README's configuration table: each row's variables and the programs in its "Read by" column. */
  function configurationTable(): Array<{ names: string[]; readBy: string[] }> {
    const readme = read('README.md');
    const section = readme.slice(
      readme.indexOf('## Configuration'),
      readme.indexOf('\n## ', readme.indexOf('## Configuration') + 1),
    );
    return section
      .split('\n')
      .filter((line) => line.startsWith('| `'))
      .map((line) => {
        const [variables = '', readBy = ''] = line
          .split('|')
          .slice(1)
          .map((cell) => cell.trim());
        return {
          names: [...variables.replace(/\(.*?\)/g, '').matchAll(/`([A-Z][A-Z0-9_]*)`/g)].map((m) => m[1]!),
          readBy: readBy.split(',').map((s) => s.trim()),
        };
      });
  }

  /** Variables the scripts read themselves (npm start, npm test): `process.env.NAME` anywhere under scripts/. */
  function readByScripts(): Set<string> {
    const names = new Set<string>();
    const walk = (dir: string): void => {
      for (const entry of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
        const file = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(file);
        else if (/\.(ts|mjs)$/.test(entry.name))
          for (const m of read(file).matchAll(/process\.env\.([A-Z][A-Z0-9_]*)/g)) names.add(m[1]!);
      }
    };
    walk('scripts');
    return names;
  }

  it('when a service reads a variable, then the README configuration table lists it', () => {
    const inTable = configurationTable().flatMap((row) => row.names);
    expect(READ_BY_SERVICES.filter((name) => !inTable.includes(name))).toEqual([]);
  });

  it('when the README configuration table lists a variable, then exactly the services it names read it', () => {
    const scripts = readByScripts();
    const wrong: string[] = [];
    for (const row of configurationTable()) {
      const services = row.readBy.includes('every service') ? SERVICES : SERVICES.filter((s) => row.readBy.includes(s));
      const unknown = row.readBy.filter((reader) => !['every service', 'npm start', ...SERVICES].includes(reader));
      if (unknown.length > 0 || row.readBy.join() === '')
        wrong.push(
          `${row.names.join(', ')}: "Read by" must name every service, npm start or services, not ${row.readBy.join(', ')}`,
        );
      for (const name of row.names) {
        if (readersOf(name).join() !== services.join())
          wrong.push(
            `${name}: read by ${readersOf(name).join(', ') || 'no service'}, table says ${row.readBy.join(', ')}`,
          );
        if (row.readBy.includes('npm start') && !scripts.has(name)) wrong.push(`${name}: npm start does not read it`);
      }
    }
    expect(wrong).toEqual([]);
  });
});
