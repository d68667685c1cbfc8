#!/usr/bin/env node
// `npm run build`: each Node service as one ESM file, <service>/dist/main.js, run with plain node.
//   node scripts/build-services.mjs [--if-stale] [service...]   (default: all three)
// Plain JavaScript so it runs without tsx (fresh clone, Docker build stage). The workspace packages
// (@regflow/*) are inlined: their package exports point at .ts sources, which plain node cannot load.
// Every other package stays external and is loaded from node_modules at run time, as under tsx.
import {
  existsSync,
  mkdirSync,
  readdirSync,
  renameSync,
  statSync,
  utimesSync,
  writeFileSync,
  readFileSync,
} from 'node:fs';
import { isBuiltin } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const SERVICES = ['access-api', 'orchestrator-api', 'consumer-mq'];
const SELF = fileURLToPath(import.meta.url);
const SKIP = Symbol('resolving outside the plugin');

/** What a service's bundle is made of: when any of it is newer than the bundle, the bundle is stale. */
function inputsOf(service) {
  const files = [
    `${service}/src`,
    `${service}/package.json`,
    `${service}/tsconfig.json`,
    'common/src',
    'common/package.json',
    'tsconfig.base.json',
  ];
  return [...files.map((f) => path.join(ROOT, f)), SELF];
}

function newestMtime(target) {
  if (!existsSync(target)) return 0;
  const stat = statSync(target);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs; // a deleted file only shows in its folder's mtime
  for (const entry of readdirSync(target)) newest = Math.max(newest, newestMtime(path.join(target, entry)));
  return newest;
}

export function isStale(service) {
  const out = path.join(ROOT, service, 'dist', 'main.js');
  if (!existsSync(out)) return true;
  const built = statSync(out).mtimeMs;
  return inputsOf(service).some((input) => newestMtime(input) > built);
}

/**
 * Bare imports other than @regflow/* stay external. The bundle imports them from <service>/dist
 * instead of from the file that wrote the import, so the build fails if that would load a different copy.
 */
const externalPackages = (outdir) => ({
  name: 'external-packages',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, async (args) => {
      if (args.pluginData === SKIP || args.path.startsWith('@regflow/') || path.isAbsolute(args.path)) return undefined;
      if (isBuiltin(args.path)) return { path: args.path, external: true };
      const fromSource = await build.resolve(args.path, {
        kind: args.kind,
        resolveDir: args.resolveDir,
        pluginData: SKIP,
      });
      const fromBundle = await build.resolve(args.path, { kind: args.kind, resolveDir: outdir, pluginData: SKIP });
      if (fromSource.errors.length > 0) return { errors: fromSource.errors };
      if (fromSource.path !== fromBundle.path) {
        return {
          errors: [
            {
              text: `${args.path} resolves to ${fromSource.path} from ${args.importer} but to ${fromBundle.path || 'nothing'} from the bundle; add it to the service's dependencies`,
            },
          ],
        };
      }
      return { path: args.path, external: true };
    });
  },
});

/**
 * In the bundle, import.meta.url names <service>/dist/main.js. A path built from it is right only in a
 * file directly in <service>/src/, which is one folder below the package as dist/main.js is (consumer-mq's
 * MIGRATIONS_FOLDER in src/config.ts); the build refuses import.meta anywhere else.
 */
const importMetaBesideTheBundle = (service) => ({
  name: 'import-meta-beside-the-bundle',
  setup(build) {
    const allowed = path.join(ROOT, service, 'src');
    build.onLoad({ filter: /\.[cm]?ts$/ }, (args) => {
      if (args.path.includes(`${path.sep}node_modules${path.sep}`) || path.dirname(args.path) === allowed)
        return undefined;
      if (!/\bimport\.meta\.(url|dirname|filename)\b/.test(readFileSync(args.path, 'utf8'))) return undefined;
      return {
        errors: [
          {
            text: `${path.relative(ROOT, args.path)}: import.meta would name ${service}/dist/main.js in the bundle; use it only in a file directly in ${service}/src/`,
          },
        ],
      };
    });
  },
});

/** Builds one service. Written to a temporary name first: a service starting meanwhile never reads half a file. */
export async function buildService(service) {
  if (!SERVICES.includes(service)) throw new Error(`unknown service ${service} (${SERVICES.join(', ')})`);
  const { build } = await import('esbuild');
  const startedAt = new Date();
  const outdir = path.join(ROOT, service, 'dist');
  const outfile = path.join(outdir, 'main.js');
  mkdirSync(outdir, { recursive: true });
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: [path.join(ROOT, service, 'src', 'main.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    tsconfig: path.join(ROOT, service, 'tsconfig.json'),
    // Never loaded unless node runs with --enable-source-maps (see startService): costs nothing otherwise.
    sourcemap: 'linked',
    sourcesContent: false,
    // Class and function names stay readable in logs and stack traces.
    keepNames: true,
    legalComments: 'none',
    logLevel: 'warning',
    write: false,
    plugins: [externalPackages(outdir), importMetaBesideTheBundle(service)],
  });
  const suffix = `.${process.pid}.tmp`;
  // The map first: once main.js is in place, the map it names is there too.
  const ordered = [...result.outputFiles].sort(
    (a, b) => Number(a.path.endsWith('.js')) - Number(b.path.endsWith('.js')),
  );
  for (const file of ordered) {
    writeFileSync(file.path + suffix, file.contents);
    renameSync(file.path + suffix, file.path);
  }
  // Stamped with the start time: a source saved during the build still makes the bundle stale.
  utimesSync(outfile, startedAt, startedAt);
  return outfile;
}

const USAGE = `usage: node scripts/build-services.mjs [--if-stale] [service...]   (default: all three)

options:
  --if-stale  build only a bundle missing or older than its sources
  -h, --help  print this help and exit
services: ${SERVICES.join(', ')}`;

async function main(argv) {
  // node:util parseArgs as every command line of the project (scripts/stack/lib/cli.ts, which this
  // plain-JavaScript file cannot import).
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: { 'if-stale': { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
    });
  } catch (err) {
    console.error(`${err.message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (parsed.values.help) {
    console.log(USAGE);
    return;
  }
  const unknown = parsed.positionals.filter((name) => !SERVICES.includes(name));
  if (unknown.length) {
    console.error(`unknown service ${unknown.join(', ')}\n\n${USAGE}`);
    process.exit(2);
  }
  const services = parsed.positionals.length > 0 ? parsed.positionals : SERVICES;
  for (const service of services) {
    if (parsed.values['if-stale'] && !isStale(service)) continue;
    const t0 = Date.now();
    const out = await buildService(service);
    console.log(`built ${path.relative(ROOT, out)} in ${Date.now() - t0} ms`);
  }
}

if (process.argv[1] && pathToFileURL(path.resolve(process.argv[1])).href === import.meta.url) {
  main(process.argv.slice(2)).catch((err) => {
    // esbuild has already printed its own diagnostics for a failed build.
    if (!(err && Array.isArray(err.errors))) console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
