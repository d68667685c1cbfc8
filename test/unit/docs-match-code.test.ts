import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { configSchema as accessApi } from '../../access-api/src/config';
import { configSchema as consumerMq } from '../../consumer-mq/src/config';
import { configSchema as orchestratorApi } from '../../orchestrator-api/src/config';

/**
 * The services' config schemas are the one list of the variables they read; .env.example and
 * docker-compose.yml are checked against them.
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
    const missing = entries
      .filter(serviceSetting)
      .flatMap((e) => readersOf(e.name).filter((service) => !composeEnvironment(service).includes(e.name)).map((service) => `${service}: ${e.name}`));
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
